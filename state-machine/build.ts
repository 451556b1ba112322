import { MAX_APPROVAL_TIMEOUT_SECONDS, MAX_DEPLOYMENT_WAVES } from '../core/config/schema.ts';
import { RELAY_EVENT_SOURCE, RELAY_EVENT_TYPES } from '../core/relay-events.ts';
import {
  approvalNeededState,
  approveWaveState,
  DELETE_STATES,
  deployWaveState,
  RETRY_SUFFIX,
  SECOND_PASS_STATES,
  TOP_STATES,
} from '../core/state-names.ts';
import type { WaveApproval } from '../core/waves.ts';
import type { AslDefinition, AslState, PayloadTemplate, SubMachine } from './asl.ts';
import { buildTargetChain, buildWaveChain, TASK_TIMEOUT_SECONDS } from './chain.ts';
import { PARTITION_PLACEHOLDER, placeholder } from './placeholders.ts';
import { SECOND_PASS_ERROR_NAMES, TASK_RETRY } from './retry-policies.ts';

/** Options of {@link buildDefinition}. */
export interface BuildOptions {
  /** How many targets are relayed at once (both Map states). @default 10 */
  readonly maxConcurrency?: number;
  /** Seconds a failed target waits before its second pass. @default 30 */
  readonly retryPauseSeconds?: number;
  /**
   * Seconds between two CheckDeployment calls. @default 30 (keeps an hour-long deployment of
   * ten targets far below the 25,000-event execution history limit)
   */
  readonly deploymentPollSeconds?: number;
  /**
   * The configuration's highest deployment wave (core/waves.ts `deploymentWaveCount`): each wave after
   * the first adds one Map state after the second pass (docs/waves.md). @default 1 (no waves: the
   * definition is exactly the one without them)
   */
  readonly deploymentWaves?: number;
  /**
   * The waves that wait for a person's approval before they deploy (core/waves.ts `approvalWaves`): each
   * adds a Choice and a task-token Task before its wave's Map. @default [] (none)
   */
  readonly approvals?: readonly WaveApproval[];
}

/** The defaults of {@link BuildOptions}. */
export const DEFAULT_BUILD_OPTIONS: Required<BuildOptions> = {
  maxConcurrency: 10,
  retryPauseSeconds: 30,
  deploymentPollSeconds: 30,
  deploymentWaves: 1,
  approvals: [],
};

/**
 * The resource of an approval: EventBridge PutEvents with a task token — Step Functions puts the
 * "Approval Pending" event (with the token) on the default bus and waits until SendTaskSuccess or
 * SendTaskFailure names the token, or the state's timeout passes.
 */
export const APPROVAL_RESOURCE = `arn:${PARTITION_PLACEHOLDER}:states:::events:putEvents.waitForTaskToken`;

/** Where an approval's decision (SendTaskSuccess's output) goes in the execution's state. */
export function approvalResultPath(wave: number): string {
  return `$.approvals.wave${wave}`;
}

/** The largest MaxConcurrency an inline Map honours. */
export const MAX_INLINE_MAP_CONCURRENCY = 40;

/** The largest Wait `Seconds` Step Functions accepts. */
const MAX_WAIT_SECONDS = 99_999_999;

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`buildDefinition: ${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
  return value;
}

/** Wave → approval timeout, checked: each wave from 2 to `deploymentWaves`, once. */
function checkApprovals(approvals: readonly WaveApproval[], deploymentWaves: number): Map<number, number> {
  const byWave = new Map<number, number>();
  for (const { wave, timeoutSeconds } of approvals) {
    checkInteger('an approval wave', wave, 2, deploymentWaves);
    checkInteger(`wave ${wave}'s approval timeoutSeconds`, timeoutSeconds, 60, MAX_APPROVAL_TIMEOUT_SECONDS);
    if (byWave.has(wave)) throw new RangeError(`buildDefinition: wave ${wave} has two approvals`);
    byWave.set(wave, timeoutSeconds);
  }
  return byWave;
}

/**
 * The second pass's item processor, for the targets that failed in the first pass only: each runs
 * the chain again, without a Catch — after a pause when the failure was transient, at once when it
 * was not. A permanent failure is not cured by a second run; it runs so that the target fails where
 * its cause lies, in a Task, which is what redrive re-runs — and the idempotent steps make that
 * second run harmless: a finished copy is `in-sync`, and StartDeployment finds the failed deployment
 * in the group's ledger and reports it (`DeploymentFailed`, CodeDeploy's code) without deploying the
 * revision again. Only an operator's redrive deploys it once more.
 */
function secondPassProcessor(
  retryPauseSeconds: number,
  deploymentPollSeconds: number,
  waves: boolean,
): SubMachine {
  const p = SECOND_PASS_STATES;
  const chain = buildTargetChain({ suffix: RETRY_SUFFIX, deploymentPollSeconds, isolate: false, waves });
  return {
    StartAt: p.pauseNeeded,
    States: {
      [p.pauseNeeded]: {
        Type: 'Choice',
        Choices: [
          {
            Or: SECOND_PASS_ERROR_NAMES.map((name) => ({ Variable: '$.result.error', StringEquals: name })),
            Next: p.pauseBeforeRetry,
          },
        ],
        Default: chain.StartAt,
      },
      [p.pauseBeforeRetry]: {
        Type: 'Wait',
        Comment:
          'Give a transient cause time to clear; a target that fails again fails the execution, for redrive.',
        Seconds: retryPauseSeconds,
        Next: chain.StartAt,
      },
      ...chain.States,
    },
  };
}

/**
 * The first Map's result: every target's result, and — by a filter expression, which ResultSelector
 * (unlike ItemsPath, a reference path) may use — the failed ones the second pass runs again. Step
 * Functions evaluates an indefinite path such as a filter to a list, empty when nothing matches (the
 * local engine applies a Map's ResultSelector itself to give the same answer: local/stepfunctions).
 */
export const FIRST_PASS_RESULT_SELECTOR: PayloadTemplate = {
  'results.$': '$',
  'failed.$': "$[?(@.status == 'failed')]",
};

/**
 * The Map states of deployment waves 2 … `count` (docs/waves.md), in order: each iterates the wave's
 * items ResolveTargets listed (`$.deployWaves[n-2]`) and deploys them, without a Catch — a failure fails
 * the execution, so the later waves are held until a redrive re-runs what failed and goes on.
 */
function waveStates(
  count: number,
  maxConcurrency: number,
  deploymentPollSeconds: number,
  approvals: ReadonlyMap<number, number>,
): Record<string, AslState> {
  const states: Record<string, AslState> = {};
  for (let wave = 2; wave <= count; wave++) {
    const items = `$.deployWaves[${wave - 2}]`;
    const next = wave < count ? { Next: firstStateOfWave(wave + 1, approvals) } : { End: true as const };
    const timeoutSeconds = approvals.get(wave);
    if (timeoutSeconds !== undefined) {
      Object.assign(states, approvalStates(wave, items, timeoutSeconds));
    }
    states[deployWaveState(wave)] = {
      Type: 'Map',
      Comment: `Deployment wave ${wave}: runs only once every earlier deployment succeeded.`,
      ItemsPath: items,
      ItemSelector: itemSelector({
        'target.$': '$$.Map.Item.Value.target',
        'index.$': '$$.Map.Item.Value.index',
      }),
      MaxConcurrency: maxConcurrency,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...buildWaveChain(wave, deploymentPollSeconds) },
      ResultPath: `$.deployed.wave${wave}`,
      ...next,
    };
  }
  return states;
}

/** The first state of wave `wave`: its approval's Choice when it requires one, else its Map. */
function firstStateOfWave(wave: number, approvals: ReadonlyMap<number, number>): string {
  return approvals.has(wave) ? approvalNeededState(wave) : deployWaveState(wave);
}

/**
 * The approval before wave `wave` (docs/waves.md): a Choice that asks only when this object has targets
 * in the wave, and a Task that puts the "Approval Pending" event — with the task token, the wave's items
 * and the deadline — on the default bus and waits. `relay approve` (or the console) sends the token back
 * with SendTaskSuccess and who decided, when, which becomes `approvals.wave<n>`; `relay reject` sends
 * SendTaskFailure (`Relay.ApprovalRejected`), and the timeout fails the state with `States.Timeout`. Either
 * fails the execution here, so the wave is held, and a redrive asks again. No Retry: a retried
 * `.waitForTaskToken` Task would publish a second request with a new token.
 */
function approvalStates(wave: number, items: string, timeoutSeconds: number): Record<string, AslState> {
  return {
    [approvalNeededState(wave)]: {
      Type: 'Choice',
      Comment: `Ask for an approval only when this object has targets in wave ${wave}.`,
      Choices: [{ Variable: `${items}[0]`, IsPresent: true, Next: approveWaveState(wave) }],
      Default: deployWaveState(wave),
    },
    [approveWaveState(wave)]: {
      Type: 'Task',
      Comment: `Wait until someone approves deployment wave ${wave} (relay approve|reject, or the console); a rejection or the timeout holds the wave.`,
      Resource: APPROVAL_RESOURCE,
      Parameters: {
        Entries: [
          {
            Source: RELAY_EVENT_SOURCE,
            DetailType: RELAY_EVENT_TYPES.approvalPending,
            Detail: {
              'executionArn.$': '$$.Execution.Id',
              wave,
              timeoutSeconds,
              'source.$': '$.source',
              'items.$': items,
              'taskToken.$': '$$.Task.Token',
            },
          },
        ],
      },
      TimeoutSeconds: timeoutSeconds,
      ResultPath: approvalResultPath(wave),
      Next: deployWaveState(wave),
    },
  };
}

/** The Map iteration input: the shared source and settings plus one item. */
function itemSelector(item: PayloadTemplate): PayloadTemplate {
  return { 'source.$': '$.source', 'settings.$': '$.settings', ...item };
}

/**
 * Builds the relay workflow in the Amazon States Language (JSONPath), with `${…}Arn`
 * placeholders as Task resources (see `TASK_PLACEHOLDERS` and `renderDefinition`).
 *
 * ResolveTargets → Any targets? → NothingToRelay | RelayToTargets (inline Map, each target isolated
 * by a Catch on each of its Tasks) → RetryFailedTargets (an inline Map over only the targets that
 * failed, once more without a Catch, so a target still failing fails the execution and redrive
 * re-runs exactly it). The output is ResolveTargets' (source, targets, settings, refused tag
 * entries) plus `firstPass` (`results`, one per target, and `failed`) and `retried` (the second
 * pass's results, by target `index`); `relayOutputSchema` (core/workflow.ts) reads it into one result
 * per target. A relay without failures costs 4 + 3 × targets transitions when nothing deploys.
 *
 * A deleted source (ResolveTargets' `operation: "delete"`, for rules with `propagateDeletes`) goes to
 * PropagateDelete instead: one DeleteReplica task per target, no Catch — a failure fails the execution and
 * redrive re-runs the targets not done (the task is idempotent: a replica already deleted is `absent`).
 *
 * @throws RangeError when an option is out of range.
 */
export function buildDefinition(options: BuildOptions = {}): AslDefinition {
  const maxConcurrency = checkInteger(
    'maxConcurrency',
    options.maxConcurrency ?? DEFAULT_BUILD_OPTIONS.maxConcurrency,
    1,
    MAX_INLINE_MAP_CONCURRENCY,
  );
  const retryPauseSeconds = checkInteger(
    'retryPauseSeconds',
    options.retryPauseSeconds ?? DEFAULT_BUILD_OPTIONS.retryPauseSeconds,
    1,
    MAX_WAIT_SECONDS,
  );
  const deploymentPollSeconds = checkInteger(
    'deploymentPollSeconds',
    options.deploymentPollSeconds ?? DEFAULT_BUILD_OPTIONS.deploymentPollSeconds,
    1,
    MAX_WAIT_SECONDS,
  );
  const deploymentWaves = checkInteger(
    'deploymentWaves',
    options.deploymentWaves ?? DEFAULT_BUILD_OPTIONS.deploymentWaves,
    1,
    MAX_DEPLOYMENT_WAVES,
  );
  const waves = deploymentWaves > 1;
  const approvals = checkApprovals(options.approvals ?? DEFAULT_BUILD_OPTIONS.approvals, deploymentWaves);
  const t = TOP_STATES;

  return {
    Comment:
      'artifact-relay: copy a new build artifact to the buckets of other regions, verify each replica and optionally deploy it with CodeDeploy.',
    StartAt: t.resolveTargets,
    States: {
      [t.resolveTargets]: {
        Type: 'Task',
        Comment: 'Normalise the event, pin the source version and match the configured rules.',
        Resource: placeholder('ResolveTargetsFunctionArn'),
        ResultPath: '$.relay',
        OutputPath: '$.relay',
        TimeoutSeconds: TASK_TIMEOUT_SECONDS.resolveTargets,
        Retry: TASK_RETRY,
        Next: t.anyTargets,
      },
      [t.anyTargets]: {
        Type: 'Choice',
        Choices: [
          {
            And: [
              { Variable: '$.operation', IsPresent: true },
              { Variable: '$.operation', StringEquals: 'delete' },
              { Variable: '$.targets[0]', IsPresent: true },
            ],
            Next: t.propagateDelete,
          },
          { Variable: '$.targets[0]', IsPresent: true, Next: t.relayToTargets },
        ],
        Default: t.nothingToRelay,
      },
      [t.propagateDelete]: {
        Type: 'Map',
        Comment:
          "The source was deleted and a rule propagates deletes: delete each target's replica of it, only the relay's own.",
        ItemsPath: '$.targets',
        ItemSelector: { 'source.$': '$.source', 'target.$': '$$.Map.Item.Value' },
        MaxConcurrency: maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: DELETE_STATES.deleteReplica,
          States: {
            [DELETE_STATES.deleteReplica]: {
              Type: 'Task',
              Comment:
                "Delete the replica if it carries the relay's metadata naming this source and is not newer than the delete (If-Match on the ETag just read); a failure fails the execution, for redrive.",
              Resource: placeholder('DeleteReplicaFunctionArn'),
              TimeoutSeconds: TASK_TIMEOUT_SECONDS.deleteReplica,
              Retry: TASK_RETRY,
              End: true,
            },
          },
        },
        ResultPath: '$.results',
        End: true,
      },
      [t.nothingToRelay]: {
        Type: 'Succeed',
        Comment: 'No rule sends this object anywhere; the output says why.',
      },
      [t.relayToTargets]: {
        Type: 'Map',
        Comment: 'First pass: every target in parallel; a failing target becomes a "failed" result.',
        ItemsPath: '$.targets',
        ItemSelector: itemSelector({ 'target.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' }),
        MaxConcurrency: maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          ...buildTargetChain({ suffix: '', deploymentPollSeconds, isolate: true, waves }),
        },
        ResultSelector: FIRST_PASS_RESULT_SELECTOR,
        ResultPath: '$.firstPass',
        Next: t.retryFailedTargets,
      },
      [t.retryFailedTargets]: {
        Type: 'Map',
        Comment:
          'Second pass: only the targets that failed, once more without a Catch; a target failing again fails the execution.',
        ItemsPath: '$.firstPass.failed',
        ItemSelector: itemSelector({
          'result.$': '$$.Map.Item.Value',
          'target.$': '$$.Map.Item.Value.target',
          'index.$': '$$.Map.Item.Value.index',
        }),
        MaxConcurrency: maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          ...secondPassProcessor(retryPauseSeconds, deploymentPollSeconds, waves),
        },
        ResultPath: '$.retried',
        ...(waves ? { Next: firstStateOfWave(2, approvals) } : { End: true }),
      },
      ...waveStates(deploymentWaves, maxConcurrency, deploymentPollSeconds, approvals),
    },
  };
}
