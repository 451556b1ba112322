import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { z } from 'zod';
import { targetSchema } from '../../../core/config/schema.ts';
import {
  type CopyResult,
  copyResultSchema,
  type DeploymentState,
  deploymentStateSchema,
  type ExecutionOutput,
  executionOutputSchema,
  type RelaySettings,
  type ResolveTargetsOutput,
  resolveTargetsOutputSchema,
  type SourceObject,
  type TaskInput,
  taskInputSchema,
  type VerifyResult,
  verifyResultSchema,
} from '../../../core/workflow.ts';
import type { AslDefinition } from '../../../state-machine/asl.ts';
import { type BuildOptions, buildDefinition } from '../../../state-machine/build.ts';
import {
  renderDefinition,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
  type TaskRole,
} from '../../../state-machine/placeholders.ts';
import { listStateNames, taskStateNamesByRole } from '../../../state-machine/task-states.ts';

/** A fake Lambda ARN for each placeholder. */
export const FAKE_ARNS = Object.fromEntries(
  Object.entries(TASK_PLACEHOLDERS).map(([name, role]) => [
    name,
    `arn:aws:lambda:us-east-1:123456789012:function:relay-${role}`,
  ]),
) as Record<TaskPlaceholder, string>;

/** The default definition with fake ARNs. */
export function renderedDefinition(options: BuildOptions = {}): AslDefinition {
  return renderDefinition(buildDefinition(options), FAKE_ARNS);
}

/** An error as a task Lambda reports it: Step Functions matches `ErrorEquals` on `name`. */
export function lambdaError(name: string, message = `${name} (fake)`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** What a fake task handler is told about the call. */
export interface CallContext {
  /** The Task state's name (e.g. `Copy (retry)`). */
  readonly state: string;
  /** 1 for the first call of this task for this target, 2 for the next, … */
  readonly attempt: number;
}

/** One recorded task call. */
export interface TaskCall {
  readonly role: TaskRole;
  readonly state: string;
  /** The target bucket, or '' for ResolveTargets. */
  readonly target: string;
  readonly input: unknown;
}

type Fake<Result> = (input: TaskInput, context: CallContext) => Result | Promise<Result>;

/** Fake task handlers; each defaults to a successful answer. */
export interface FakeTasks {
  readonly resolveTargets?: (event: unknown) => ResolveTargetsOutput;
  readonly copy?: Fake<CopyResult>;
  readonly verify?: Fake<VerifyResult>;
  readonly startDeployment?: Fake<DeploymentState>;
  readonly checkDeployment?: Fake<DeploymentState>;
}

/** The outcome of one local execution. */
export interface RunOutcome {
  /** The execution output when it succeeded (checked against `executionOutputSchema`). */
  readonly output?: ExecutionOutput;
  /** The error that failed the execution. */
  readonly error?: Error;
  readonly calls: readonly TaskCall[];
}

/** A source object for the tests. */
export const SOURCE: SourceObject = {
  bucket: 'build-artifacts-oregon',
  key: 'build_artifacts/web 1.2.3.zip',
  region: 'us-west-2',
  versionId: 'v1',
  etag: '9b2cf535f27731c974343645a3985328',
  size: 4096,
  sequencer: '0055AED6DCD90281E5',
  checksum: { algorithm: 'CRC64NVME', value: 'AAAAAAAAAAA=', type: 'FULL_OBJECT' },
};

/** Settings for the tests. */
export const SETTINGS: RelaySettings = {
  verify: 'auto',
  multipartThresholdBytes: 5 * 1024 * 1024 * 1024,
  partSizeBytes: 64 * 1024 * 1024,
  copyTimeBudgetSeconds: 600,
};

/** A configured target (defaults applied) in `region`, deploying when `deploy` is true. */
export function target(bucket: string, region: string, deploy = false): z.output<typeof targetSchema> {
  return targetSchema.parse({
    bucket,
    region,
    ...(deploy ? { deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip' } } : {}),
  });
}

/** A ResolveTargets fake returning these targets. */
export function resolvesTo(
  targets: readonly z.output<typeof targetSchema>[],
): (event: unknown) => ResolveTargetsOutput {
  return () => ({ source: SOURCE, targets: [...targets], settings: SETTINGS });
}

/** The Copy result of a completed copy to the task's target. */
export function copied(input: TaskInput, status: 'copied' | 'in-sync' = 'copied'): CopyResult {
  return {
    status,
    bytes: input.source.size,
    destination: {
      bucket: input.target.bucket,
      key: input.source.key,
      versionId: 'r1',
      etag: input.source.etag,
    },
  };
}

/** The execution id the context object carries in these runs. */
export const FAKE_EXECUTION_ARN =
  'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:fake-execution';

const defaultFakes: Required<FakeTasks> = {
  resolveTargets: resolvesTo([target('artifacts-seoul', 'ap-northeast-2')]),
  copy: (input) => copied(input),
  verify: (input) => ({ verifiedBy: 'checksum:CRC64NVME', bytes: input.source.size }),
  startDeployment: () => ({ id: 'd-FAKE0001', status: 'Created', done: false }),
  checkDeployment: (input) => ({
    id: input.deployment !== undefined && 'id' in input.deployment ? input.deployment.id : 'd-missing',
    status: 'Succeeded',
    done: true,
  }),
};

/**
 * Runs the relay definition with aws-local-stepfunctions, the task Lambdas replaced by fakes.
 * Every task input is parsed with `taskInputSchema` and every result with its schema, so a run
 * also proves the definition and the contract in core/workflow.ts agree. Waits and retry pauses
 * are overridden to 0 ms.
 */
export async function runRelay(
  event: unknown,
  fakes: FakeTasks = {},
  options: BuildOptions = {},
): Promise<RunOutcome> {
  const unrendered = buildDefinition(options);
  const namesByRole = taskStateNamesByRole(unrendered);
  const all = { ...defaultFakes, ...fakes };
  const calls: TaskCall[] = [];

  const perTask = <Result>(role: TaskRole, fake: Fake<Result>, schema: z.ZodType<Result>) => {
    return async (state: string, raw: unknown): Promise<Result> => {
      const input = taskInputSchema.parse(raw);
      const attempt =
        calls.filter((call) => call.role === role && call.target === input.target.bucket).length + 1;
      calls.push({ role, state, target: input.target.bucket, input: raw });
      return schema.parse(await fake(input, { state, attempt }));
    };
  };
  const handlers: Record<TaskRole, (state: string, raw: unknown) => Promise<unknown>> = {
    'resolve-targets': async (state, raw) => {
      calls.push({ role: 'resolve-targets', state, target: '', input: raw });
      return resolveTargetsOutputSchema.parse(all.resolveTargets(raw));
    },
    'copy-object': perTask('copy-object', all.copy, copyResultSchema),
    'verify-copy': perTask('verify-copy', all.verify, verifyResultSchema),
    'start-deployment': perTask('start-deployment', all.startDeployment, deploymentStateSchema),
    'check-deployment': perTask('check-deployment', all.checkDeployment, deploymentStateSchema),
  };

  const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<never>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [role, names] of Object.entries(namesByRole) as [TaskRole, string[]][]) {
    for (const name of names) {
      // The engine types inputs and results as its own JSON type; ours are checked by zod above.
      taskResourceLocalHandlers[name] = (input) => handlers[role](name, input) as Promise<never>;
      retryIntervalOverrides[name] = 0;
    }
  }
  const waitTimeOverrides: Record<string, number> = {};
  for (const name of listStateNames(unrendered)) waitTimeOverrides[name] = 0; // read for Wait states only

  // asl-validator (run by the constructor) adds fields to the definition it is given: pass a copy.
  const definition = JSON.parse(
    JSON.stringify(renderDefinition(unrendered, FAKE_ARNS)),
  ) as StateMachineDefinition;
  const machine = new StateMachine(definition);
  const execution = machine.run(event as Parameters<StateMachine['run']>[0], {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: { Execution: { Id: FAKE_EXECUTION_ARN, Name: 'fake-execution', RedriveCount: 0 } },
  });
  try {
    const output: unknown = await execution.result;
    // Checked, but returned as produced (parsing would drop unexpected keys the tests must see).
    executionOutputSchema.parse(output);
    return { output: output as ExecutionOutput, calls };
  } catch (error) {
    if (error instanceof ExecutionError && error.cause instanceof Error) return { error: error.cause, calls };
    throw error;
  }
}

/** The calls of one task role to one target. */
export function callsOf(outcome: RunOutcome, role: TaskRole, bucket: string): TaskCall[] {
  return outcome.calls.filter((call) => call.role === role && call.target === bucket);
}
