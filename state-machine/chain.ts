import type { AslState, SubMachine } from './asl.ts';
import { placeholder } from './placeholders.ts';
import { START_DEPLOYMENT_RETRY, TASK_RETRY } from './retry-policies.ts';
import { CHAIN_STATES } from './state-names.ts';

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
} as const;

/** Options of {@link buildTargetChain}. */
export interface TargetChainOptions {
  /** Appended to every state name ('' in the first pass, ' (retry)' in the second). */
  readonly suffix: string;
  /** Seconds between two CheckDeployment calls. */
  readonly deploymentPollSeconds: number;
}

/**
 * The chain that relays one target: Copy (looping while a multipart copy is in progress) →
 * Verify (one re-copy after a mismatch) → optionally StartDeployment and the polling loop → one
 * result. Its input is `{ source, settings, target }` (extra keys are carried along); its output
 * is the target's result.
 *
 * Every Pass reads only paths that exist on its route, and no Choice uses a filter expression.
 */
export function buildTargetChain(options: TargetChainOptions): SubMachine {
  const n = (base: string): string => base + options.suffix;
  const s = CHAIN_STATES;

  const states: Record<string, AslState> = {
    [n(s.copy)]: {
      Type: 'Task',
      Comment:
        'Copy the pinned source to the target (or find it already there); a large copy returns "copying" to be called again.',
      Resource: placeholder('CopyObjectFunctionArn'),
      ResultPath: '$.copy',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.copy,
      Retry: TASK_RETRY,
      Next: n(s.copyFinished),
    },
    [n(s.copyFinished)]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.copy.status', StringEquals: 'copying', Next: n(s.copy) },
        {
          Or: [
            { Variable: '$.copy.status', StringEquals: 'superseded' },
            { Variable: '$.copy.status', StringEquals: 'source-gone' },
          ],
          Next: n(s.skipped),
        },
      ],
      Default: n(s.verify),
    },
    [n(s.verify)]: {
      Type: 'Task',
      Comment:
        'Prove the replica identical: size, then the strongest valid evidence (checksum, ETag or streamed hash).',
      Resource: placeholder('VerifyCopyFunctionArn'),
      ResultPath: '$.verify',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.verify,
      Retry: TASK_RETRY,
      Catch: [{ ErrorEquals: ['VerificationFailed'], ResultPath: '$.mismatch', Next: n(s.recopiedAlready) }],
      Next: n(s.deploy),
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
    [n(s.verificationFailed)]: {
      Type: 'Fail',
      Comment: 'The replica still differs from the source after a re-copy.',
      Error: 'VerificationFailed',
      CausePath: '$.mismatch.Cause',
    },
    [n(s.deploy)]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.target.deploy', IsPresent: true, Next: n(s.startDeployment) }],
      Default: n(s.copied),
    },
    [n(s.startDeployment)]: {
      Type: 'Task',
      Comment:
        "Deploy the replica with CodeDeploy in the target's region: exactly once per revision (the group's ledger), never after a newer build.",
      Resource: placeholder('StartDeploymentFunctionArn'),
      Parameters: {
        'source.$': '$.source',
        'settings.$': '$.settings',
        'target.$': '$.target',
        'copy.$': '$.copy',
        execution: { 'id.$': '$$.Execution.Id', 'redriveCount.$': '$$.Execution.RedriveCount' },
      },
      ResultPath: '$.deployment',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.startDeployment,
      Retry: START_DEPLOYMENT_RETRY,
      Next: n(s.deploymentFinished),
    },
    [n(s.waitForDeployment)]: {
      Type: 'Wait',
      Seconds: options.deploymentPollSeconds,
      Next: n(s.checkDeployment),
    },
    [n(s.checkDeployment)]: {
      Type: 'Task',
      Comment: "Read the deployment's status; Failed, Stopped or past the target's wait timeout is an error.",
      Resource: placeholder('CheckDeploymentFunctionArn'),
      ResultPath: '$.deployment',
      TimeoutSeconds: TASK_TIMEOUT_SECONDS.checkDeployment,
      Retry: TASK_RETRY,
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
      Parameters: {
        'target.$': '$.target',
        status: 'superseded',
        'bytes.$': '$.verify.bytes',
        'verifiedBy.$': '$.verify.verifiedBy',
        'destination.$': '$.copy.destination',
        'deployment.$': '$.deployment',
      },
      End: true,
    },
    [n(s.copied)]: {
      Type: 'Pass',
      Parameters: {
        'target.$': '$.target',
        'status.$': '$.copy.status',
        'bytes.$': '$.verify.bytes',
        'verifiedBy.$': '$.verify.verifiedBy',
        'destination.$': '$.copy.destination',
      },
      End: true,
    },
    [n(s.deployed)]: {
      Type: 'Pass',
      Parameters: {
        'target.$': '$.target',
        'status.$': '$.copy.status',
        'bytes.$': '$.verify.bytes',
        'verifiedBy.$': '$.verify.verifiedBy',
        'destination.$': '$.copy.destination',
        deployment: { 'id.$': '$.deployment.id', 'status.$': '$.deployment.status' },
      },
      End: true,
    },
    [n(s.skipped)]: {
      Type: 'Pass',
      Comment: 'Superseded by a newer replica, or the source is gone: nothing to verify or deploy.',
      Parameters: {
        'target.$': '$.target',
        'status.$': '$.copy.status',
        'bytes.$': '$.copy.bytes',
        'destination.$': '$.copy.destination',
      },
      End: true,
    },
  };

  return { StartAt: n(s.copy), States: states };
}
