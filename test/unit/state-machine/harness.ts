import type { z } from 'zod';
import { targetSchema } from '../../../core/config/schema.ts';
import { type ExecutionOutput, executionOutputSchema } from '../../../core/execution-output.ts';
import {
  type CopyResult,
  copyResultSchema,
  type DeploymentState,
  deploymentStateSchema,
  type RelaySettings,
  type ResolveTargetsOutput,
  resolveTargetsOutputSchema,
  type SourceObject,
  type TaskInput,
  taskInputSchema,
  type VerifiedTarget,
  verifiedTargetSchema,
} from '../../../core/workflow.ts';
import {
  type DeleteReplicaResult,
  type DeleteTaskInput,
  deleteReplicaTargetResultSchema,
  deleteTaskInputSchema,
  type ResolveDeleteOutput,
  resolveDeleteOutputSchema,
} from '../../../core/workflow-delete.ts';
import { verifiedTarget } from '../../../functions/verify-copy/index.ts';
import type { AslDefinition, AslState, SubMachine } from '../../../state-machine/asl.ts';
import { type BuildOptions, buildDefinition } from '../../../state-machine/build.ts';
import {
  renderDefinition,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
  type TaskRole,
} from '../../../state-machine/placeholders.ts';
import { taskStateNamesByRole } from '../../../state-machine/task-states.ts';
import { startFixture } from '../local/stepfunctions/fixture.ts';

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
  readonly resolveTargets?: (event: unknown) => ResolveTargetsOutput | ResolveDeleteOutput;
  readonly deleteReplica?: (input: DeleteTaskInput) => DeleteReplicaResult | Promise<DeleteReplicaResult>;
  readonly copy?: Fake<CopyResult>;
  /** Verify's proof; the harness wraps it into the target's result as the Verify task does. */
  readonly verify?: Fake<{ verifiedBy: VerifiedTarget['verifiedBy']; bytes: number }>;
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
  /** The execution's ARN (what `$$.Execution.Id` held). */
  readonly executionArn: string;
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

const defaultFakes: Required<FakeTasks> = {
  resolveTargets: resolvesTo([target('artifacts-seoul', 'ap-northeast-2')]),
  copy: (input) => copied(input),
  verify: (input) => ({ verifiedBy: 'checksum:CRC64NVME', bytes: input.source.size }),
  startDeployment: () => ({ id: 'd-FAKE0001', status: 'Created', done: false }),
  deleteReplica: (input) => ({
    status: 'deleted',
    destination: { bucket: input.target.bucket, key: input.source.key },
    detail: 'deleted (fake)',
  }),
  checkDeployment: (input) => ({
    id: input.deployment !== undefined && 'id' in input.deployment ? input.deployment.id : 'd-missing',
    status: 'Succeeded',
    done: true,
  }),
};

/**
 * The message of a Lambda error's Cause: the local engine, like AWS, reports a function's error as the
 * runtime's JSON (`errorType`, `errorMessage`, `trace`); other causes are returned as they are.
 */
export function lambdaMessage(cause: string | undefined): string {
  try {
    const parsed: unknown = JSON.parse(cause ?? '');
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed)
      return String(parsed.errorMessage);
  } catch {
    // not JSON: the cause as given
  }
  return cause ?? '';
}

/** Every Task state of `machine` (nested ones included) with its Resource replaced by `resource(name, arn)`. */
function retarget(machine: SubMachine, resource: (name: string, arn: string) => string): SubMachine {
  const states = Object.fromEntries(
    Object.entries(machine.States).map(([name, state]): [string, AslState] => {
      if (state.Type === 'Task') return [name, { ...state, Resource: resource(name, state.Resource) }];
      if (state.Type === 'Map') {
        return [
          name,
          { ...state, ItemProcessor: { ...state.ItemProcessor, ...retarget(state.ItemProcessor, resource) } },
        ];
      }
      return [name, state];
    }),
  );
  return { ...machine, States: states };
}

/**
 * Runs the relay definition on the local stack's Step Functions engine (local/stepfunctions — the
 * engine `relay local` runs, with its fixes over aws-local-stepfunctions), the task Lambdas replaced
 * by fakes. Every Task state gets its own Lambda ARN (a version qualifier per state) so a fake knows
 * which state called it. Every task input is parsed with `taskInputSchema` and every result with its
 * schema, so a run also proves the definition and the contract in core/workflow.ts agree. Waits and
 * retry pauses are scaled down to a few milliseconds.
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

  const perTask = <Result>(role: TaskRole, fake: Fake<Result>, schema: { parse(value: unknown): Result }) => {
    return async (state: string, raw: unknown): Promise<Result> => {
      const input = taskInputSchema.parse(raw);
      const attempt =
        calls.filter((call) => call.role === role && call.target === input.target.bucket).length + 1;
      calls.push({ role, state, target: input.target.bucket, input: raw });
      return schema.parse(await fake(input, { state, attempt }));
    };
  };
  const verify: Fake<VerifiedTarget> = async (input, context) =>
    verifiedTarget(input, await all.verify(input, context));
  const handlers: Record<TaskRole, (state: string, raw: unknown) => Promise<unknown>> = {
    'resolve-targets': async (state, raw) => {
      calls.push({ role: 'resolve-targets', state, target: '', input: raw });
      const resolved = all.resolveTargets(raw);
      return 'operation' in resolved && resolved.operation === 'delete'
        ? resolveDeleteOutputSchema.parse(resolved)
        : resolveTargetsOutputSchema.parse(resolved);
    },
    'delete-replica': async (state, raw) => {
      const input = deleteTaskInputSchema.parse(raw);
      calls.push({ role: 'delete-replica', state, target: input.target.bucket, input: raw });
      return deleteReplicaTargetResultSchema.parse({
        target: input.target,
        ...(await all.deleteReplica(input)),
      });
    },
    'copy-object': perTask('copy-object', all.copy, copyResultSchema),
    'verify-copy': perTask('verify-copy', verify, verifiedTargetSchema),
    'start-deployment': perTask('start-deployment', all.startDeployment, deploymentStateSchema),
    'check-deployment': perTask('check-deployment', all.checkDeployment, deploymentStateSchema),
  };

  const stateArns = new Map<string, string>();
  let next = 0;
  const definition = retarget(renderDefinition(unrendered, FAKE_ARNS), (name, arn) => {
    next += 1;
    const qualified = `${arn}:${next}`;
    stateArns.set(name, qualified);
    return qualified;
  });
  const fixture = await startFixture(0.0001);
  try {
    for (const [role, names] of Object.entries(namesByRole) as [TaskRole, string[]][]) {
      for (const name of names) {
        const arn = stateArns.get(name);
        if (arn !== undefined) fixture.sfn.registerTaskHandler(arn, (input) => handlers[role](name, input));
      }
    }
    const stateMachineArn = await fixture.createMachine(definition);
    const { executionArn } = await fixture.sfn.startExecution({
      stateMachineArn,
      input: JSON.stringify(event),
    });
    const described = await fixture.sfn.waitForExecution(executionArn);
    if (described.status !== 'SUCCEEDED') {
      return {
        error: lambdaError(described.error ?? described.status, lambdaMessage(described.cause)),
        calls,
        executionArn,
      };
    }
    const output: unknown = JSON.parse(described.output ?? 'null');
    // Checked, but returned as produced (parsing would drop unexpected keys the tests must see).
    executionOutputSchema.parse(output);
    return { output: output as ExecutionOutput, calls, executionArn };
  } finally {
    await fixture.dispose();
  }
}

/** The calls of one task role to one target. */
export function callsOf(outcome: RunOutcome, role: TaskRole, bucket: string): TaskCall[] {
  return outcome.calls.filter((call) => call.role === role && call.target === bucket);
}
