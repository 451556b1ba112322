import { CHAIN_STATES, ISOLATION_STATES, waveSuffix } from '../core/state-names.ts';
import { DELETE_REPLICA_TIMEOUT_SECONDS } from '../core/workflow-delete.ts';
import type { AslState, Catcher, SubMachine, TaskState } from './asl.ts';
import { placeholder } from './placeholders.ts';
import { START_DEPLOYMENT_RETRY, TASK_RETRY } from './retry-policies.ts';

/**
 * Task timeouts in seconds. Copy and Verify may run a Lambda's full 15 minutes (the copy works to a
 * time budget below that, a streamed hash may read a large object); the others make a few calls.
 */
export const TASK_TIMEOUT_SECONDS = {
  resolveTargets: 120,
  copy: 900,
  verify: 900,
  startDeployment: 120,
  checkDeployment: 120,
  deleteReplica: DELETE_REPLICA_TIMEOUT_SECONDS,
} as const;

/** Options of {@link buildTargetChain}. */
export interface TargetChainOptions {
  /** Appended to every state name ('' in the first pass, ' (retry)' in the second). */
  readonly suffix: string;
  /** Seconds between two CheckDeployment calls. */
  readonly deploymentPollSeconds: number;
  /**
   * The first pass: every Task catches its failure into the target's result (`Target failed`), so one
   * broken target does not abort the others; a mismatch after the re-copy becomes such a result too.
   * The second pass catches nothing: a target still failing fails the execution, for redrive.
   */
  readonly isolate: boolean;
  /**
   * The configuration has later deployment waves: only wave-1 targets deploy in the chain; the others
   * end with Verify and deploy in their wave's Map (docs/waves.md). @default false
   */
  readonly waves?: boolean;
}

/** The fields every per-target result starts with: the target and its position in `targets`. */
const RESULT_HEAD = { 'target.$': '$.target', 'index.$': '$.index' } as const;

/** The isolating Catch of a first-pass Task: any failure becomes the target's result. */
function isolatingCatch(): Catcher {
  return { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: ISOLATION_STATES.causeReported };
}

/** The failure states a first-pass Catch leads to: `{ target, index, status: "failed", error, cause? }`. */
function isolationStates(): Record<string, AslState> {
  const i = ISOLATION_STATES;
  const failed = (withCause: boolean): AslState => ({
    Type: 'Pass',
    Comment: 'The target failed; the second pass tries it once more.',
    Parameters: {
      ...RESULT_HEAD,
      status: 'failed',
      'error.$': '$.failure.Error',
      ...(withCause ? { 'cause.$': '$.failure.Cause' } : {}),
    },
    End: true,
  });
  return {
    [i.causeReported]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.failure.Cause', IsPresent: true, Next: i.failed }],
      Default: i.failedWithoutCause,
    },
    [i.failed]: failed(true),
    [i.failedWithoutCause]: failed(false),
  };
}

/**
 * The deployment states: StartDeployment → `Deployment finished?` ⟲ (`Wait for deployment`,
 * CheckDeployment) → the target's result. `after-verify`: in the chain, after `Verify before deploy`
 * (the result restates the copy and the proof). `wave`: a later deployment wave's iteration
 * (docs/waves.md), whose input has no copy — StartDeployment then reads the replica at the destination
 * itself — and whose result is the target's deployment, which readers fold into its result.
 */
function deploymentStates(
  n: (base: string) => string,
  deploymentPollSeconds: number,
  mode: 'after-verify' | 'wave',
  catches: () => { Catch?: readonly Catcher[] },
): Record<string, AslState> {
  const s = CHAIN_STATES;
  const afterVerify = mode === 'after-verify';
  const proof = afterVerify
    ? {
        'bytes.$': '$.verify.bytes',
        'verifiedBy.$': '$.verify.verifiedBy',
        'destination.$': '$.copy.destination',
      }
    : {};
  return {
    [n(s.startDeployment)]: {
      Type: 'Task',
      Comment:
        "Deploy the replica with CodeDeploy in the target's region: exactly once per revision (the group's ledger), never after a newer build.",
      Resource: placeholder('StartDeploymentFunctionArn'),
      Parameters: {
        'source.$': '$.source',
        'settings.$': '$.settings',
        'target.$': '$.target',
        ...(afterVerify ? { 'copy.$': '$.copy' } : {}),
        execution: { 'id.$': '$$.Execution.Id', 'redriveCount.$': '$$.Execution.RedriveCount' },
      },
      ResultPath: '$.deployment',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.startDeployment,
      Retry: START_DEPLOYMENT_RETRY,
      ...catches(),
      Next: n(s.deploymentFinished),
    },
    [n(s.waitForDeployment)]: {
      Type: 'Wait',
      Seconds: deploymentPollSeconds,
      Next: n(s.checkDeployment),
    },
    [n(s.checkDeployment)]: {
      Type: 'Task',
      Comment: "Read the deployment's status; Failed, Stopped or past the target's wait timeout is an error.",
      Resource: placeholder('CheckDeploymentFunctionArn'),
      ResultPath: '$.deployment',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.checkDeployment,
      Retry: TASK_RETRY,
      ...catches(),
      Next: n(s.deploymentFinished),
    },
    [n(s.deploymentFinished)]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.deployment.status', StringEquals: 'Skipped', Next: n(s.deploymentSkipped) },
        { Variable: '$.deployment.done', BooleanEquals: true, Next: n(s.deployed) },
      ],
      Default: n(s.waitForDeployment),
    },
    [n(s.deploymentSkipped)]: {
      Type: 'Pass',
      Comment: 'Copied and verified, but a newer build is deployed in the group: nothing deployed.',
      Parameters: { ...RESULT_HEAD, status: 'superseded', ...proof, 'deployment.$': '$.deployment' },
      End: true,
    },
    [n(s.deployed)]: {
      Type: 'Pass',
      Parameters: {
        ...RESULT_HEAD,
        ...(afterVerify ? { 'status.$': '$.copy.status' } : {}),
        ...proof,
        deployment: { 'id.$': '$.deployment.id', 'status.$': '$.deployment.status' },
      },
      End: true,
    },
  };
}

/**
 * The iteration of a later deployment wave's Map (`DeployWave<n>`, docs/waves.md): the deployment
 * states alone, without a Catch — a failure fails the execution before the next wave, for redrive.
 */
export function buildWaveChain(wave: number, deploymentPollSeconds: number): SubMachine {
  const n = (base: string): string => `${base}${waveSuffix(wave)}`;
  return {
    StartAt: n(CHAIN_STATES.startDeployment),
    States: deploymentStates(n, deploymentPollSeconds, 'wave', () => ({})),
  };
}

/**
 * The chain that relays one target: Copy (looping while a multipart copy is in progress) → Verify
 * (one re-copy after a mismatch) → optionally StartDeployment and the polling loop → one result.
 * Its input is `{ source, settings, target, index }` (extra keys are carried along); its output is
 * the target's result.
 *
 * On the common path — a target that does not deploy — a target costs three transitions: Copy,
 * `Copy finished?` and Verify, whose Lambda returns the target's result itself. The Choice after
 * Copy also decides whether to deploy, so a deploying target goes through `Verify before deploy`
 * (the same Lambda, its result kept under `verify`) instead of a separate `Deploy?` Choice.
 *
 * Every Pass reads only paths that exist on its route, and no Choice uses a filter expression.
 */
export function buildTargetChain(options: TargetChainOptions): SubMachine {
  const n = (base: string): string => base + options.suffix;
  const s = CHAIN_STATES;
  const catches = (...specific: Catcher[]): { Catch?: readonly Catcher[] } => {
    const all = [...specific, ...(options.isolate ? [isolatingCatch()] : [])];
    return all.length === 0 ? {} : { Catch: all };
  };
  const verifyCatch: Catcher = {
    ErrorEquals: ['VerificationFailed'],
    ResultPath: '$.mismatch',
    Next: n(s.recopiedAlready),
  };
  const verifyTask = (comment: string): Omit<TaskState, 'Next' | 'End'> => ({
    Type: 'Task',
    Comment: comment,
    Resource: placeholder('VerifyCopyFunctionArn'),
    TimeoutSeconds: TASK_TIMEOUT_SECONDS.verify,
    Retry: TASK_RETRY,
    ...catches(verifyCatch),
  });

  const states: Record<string, AslState> = {
    [n(s.copy)]: {
      Type: 'Task',
      Comment:
        'Copy the pinned source to the target (or find it already there); a large copy returns "copying" to be called again.',
      Resource: placeholder('CopyObjectFunctionArn'),
      ResultPath: '$.copy',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.copy,
      Retry: TASK_RETRY,
      ...catches(),
      Next: n(s.copyFinished),
    },
    [n(s.copyFinished)]: {
      Type: 'Choice',
      Comment:
        'Loop while a multipart copy is in progress; skip what a newer build replaced; deploy only where asked.',
      Choices: [
        { Variable: '$.copy.status', StringEquals: 'copying', Next: n(s.copy) },
        {
          Or: [
            { Variable: '$.copy.status', StringEquals: 'superseded' },
            { Variable: '$.copy.status', StringEquals: 'source-gone' },
          ],
          Next: n(s.skipped),
        },
        options.waves
          ? {
              And: [
                { Variable: '$.target.deploy', IsPresent: true },
                {
                  Or: [
                    { Not: { Variable: '$.target.deploy.wave', IsPresent: true } },
                    { Variable: '$.target.deploy.wave', NumericEquals: 1 },
                  ],
                },
              ],
              Next: n(s.verifyBeforeDeploy),
            }
          : { Variable: '$.target.deploy', IsPresent: true, Next: n(s.verifyBeforeDeploy) },
      ],
      Default: n(s.verify),
    },
    [n(s.verify)]: {
      ...verifyTask(
        "Prove the replica identical — size, then the strongest valid evidence (checksum, ETag or streamed hash) — and return the target's result.",
      ),
      End: true,
    },
    [n(s.verifyBeforeDeploy)]: {
      ...verifyTask(
        'Prove the replica identical before it is deployed; the result is kept for the deployment.',
      ),
      ResultPath: '$.verify',
      Next: n(s.startDeployment),
    },
    [n(s.recopiedAlready)]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.recopy', IsPresent: true, Next: n(s.verificationFailed) }],
      Default: n(s.recopy),
    },
    [n(s.recopy)]: {
      Type: 'Pass',
      Comment: 'Copy once more, skipping the in-sync shortcut.',
      Result: true,
      ResultPath: '$.recopy',
      Next: n(s.copy),
    },
    [n(s.verificationFailed)]: options.isolate
      ? {
          Type: 'Pass',
          Comment: 'The replica still differs from the source after a re-copy: the target failed.',
          Parameters: {
            ...RESULT_HEAD,
            status: 'failed',
            error: 'VerificationFailed',
            'cause.$': '$.mismatch.Cause',
          },
          End: true,
        }
      : {
          Type: 'Fail',
          Comment: 'The replica still differs from the source after a re-copy.',
          Error: 'VerificationFailed',
          CausePath: '$.mismatch.Cause',
        },
    ...deploymentStates(n, options.deploymentPollSeconds, 'after-verify', catches),
    [n(s.skipped)]: {
      Type: 'Pass',
      Comment: 'Superseded by a newer replica, or the source is gone: nothing to verify or deploy.',
      Parameters: {
        ...RESULT_HEAD,
        'status.$': '$.copy.status',
        'bytes.$': '$.copy.bytes',
        'destination.$': '$.copy.destination',
      },
      End: true,
    },
    ...(options.isolate ? isolationStates() : {}),
  };
  return { StartAt: n(s.copy), States: states };
}
