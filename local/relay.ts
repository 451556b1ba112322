/**
 * Deploys the relay onto the local stack the way the CDK app deploys it to AWS: the state machine from
 * the same definition (core/state-machine), task handlers registered under function ARNs, and one
 * EventBridge rule per source bucket using the same event pattern (core/event-pattern.ts).
 */

import { createHash } from 'node:crypto';
import type { RelayConfig } from '../core/config/schema.ts';
import { buildEventPattern } from '../core/event-pattern.ts';
import { executionEndedPattern } from '../core/relay-events.ts';
import { approvalWaves, deploymentWaveCount } from '../core/waves.ts';
import {
  buildDefinition,
  renderDefinition,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
  type TaskRole,
} from '../state-machine/index.ts';
import type { BusEvent } from './eventbridge/bridge.ts';
import { parseEventPattern } from './eventbridge/pattern.ts';
import type { LocalStack } from './index.ts';
import { AwsJsonError } from './protocol/json.ts';
import type { TaskHandler } from './types.ts';

/** The state machine's name unless told otherwise. */
export const DEFAULT_STATE_MACHINE_NAME = 'artifact-relay';

export interface DeployRelayOptions {
  readonly config: RelayConfig;
  /** One handler per task function. */
  readonly handlers: Readonly<Record<TaskRole, TaskHandler>>;
  /** @default 'artifact-relay' */
  readonly name?: string;
  /** The region the state machine lives in. @default the first source's region */
  readonly region?: string;
  /**
   * The notifier (local/relay-handlers.ts `createLocalNotifyHandler`): a bridge rule sends it the state
   * machine's "Execution Status Change" events for ended executions, and it publishes the relay's own
   * events (core/relay-events.ts) on the bridge. @default none — no relay events are published
   */
  readonly notify?: TaskHandler;
}

export interface DeployedRelay {
  readonly stateMachineArn: string;
  readonly region: string;
  readonly functionArns: Readonly<Record<TaskRole, string>>;
  /** Names of the EventBridge rules, one per source bucket (and the notifier's, when there is one). */
  readonly rules: readonly string[];
}

/** EventBridge rule names are at most this long. */
const MAX_RULE_NAME_LENGTH = 64;

/**
 * The name of the EventBridge rule that starts `stateMachineName` for `bucket`: `<name>-<bucket>`,
 * or — when that is longer than EventBridge allows — its first characters and a hash of the whole,
 * so that two buckets whose names differ only near their end still get two rules (a rule of the same
 * name replaces the other).
 */
export function relayRuleName(stateMachineName: string, bucket: string): string {
  const name = `${stateMachineName}-${bucket}`;
  if (name.length <= MAX_RULE_NAME_LENGTH) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, MAX_RULE_NAME_LENGTH - hash.length - 1)}-${hash}`;
}

/** The ARN a task function would have in AWS; locally it names the in-process handler. */
export function localFunctionArn(
  region: string,
  accountId: string,
  stateMachineName: string,
  role: TaskRole,
): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${stateMachineName}-${role}`;
}

/**
 * Creates the state machine `name` in `region` with `definition` — or, when a data directory kept from an
 * earlier run already holds it, brings its definition up to date. Its ARN.
 */
export async function createOrUpdateStateMachine(
  stack: Pick<LocalStack, 'stepFunctions' | 'accountId'>,
  name: string,
  region: string,
  definition: unknown,
): Promise<string> {
  const ctx = { region, accountId: stack.accountId, requestId: `deploy-${name}` };
  const stateMachineArn = `arn:aws:states:${region}:${stack.accountId}:stateMachine:${name}`;
  try {
    await stack.stepFunctions.handle(
      'CreateStateMachine',
      {
        name,
        definition: JSON.stringify(definition),
        roleArn: `arn:aws:iam::${stack.accountId}:role/${name}`,
      },
      ctx,
    );
  } catch (err) {
    if (!(err instanceof AwsJsonError && err.code === 'StateMachineAlreadyExists')) throw err;
    await stack.stepFunctions.handle(
      'UpdateStateMachine',
      { stateMachineArn, definition: JSON.stringify(definition) },
      ctx,
    );
  }
  return stateMachineArn;
}

export async function deployRelay(stack: LocalStack, options: DeployRelayOptions): Promise<DeployedRelay> {
  const name = options.name ?? DEFAULT_STATE_MACHINE_NAME;
  const region = options.region ?? options.config.sources[0]?.region ?? 'us-east-1';
  const substitutions = {} as Record<TaskPlaceholder, string>;
  const functionArns = {} as Record<TaskRole, string>;
  for (const [placeholder, role] of Object.entries(TASK_PLACEHOLDERS) as Array<[TaskPlaceholder, TaskRole]>) {
    const arn = localFunctionArn(region, stack.accountId, name, role);
    substitutions[placeholder] = arn;
    functionArns[role] = arn;
    stack.stepFunctions.registerTaskHandler(arn, options.handlers[role]);
  }
  const definition = renderDefinition(
    buildDefinition({
      maxConcurrency: options.config.defaults.maxConcurrency,
      deploymentWaves: deploymentWaveCount(options.config),
      approvals: approvalWaves(options.config),
    }),
    substitutions,
  );
  const stateMachineArn = await createOrUpdateStateMachine(stack, name, region, definition);

  const rules: string[] = [];
  for (const source of options.config.sources) {
    const ruleName = relayRuleName(name, source.bucket);
    stack.events.addRule({
      name: ruleName,
      // Validated by the bridge's own parser: the CDK rule gets this very object.
      eventPattern: parseEventPattern(buildEventPattern(source)),
      target: async (event) => {
        await stack.stepFunctions.startExecution({ stateMachineArn, input: JSON.stringify(event) });
      },
    });
    rules.push(ruleName);
  }
  const notify = options.notify;
  if (notify !== undefined) {
    const ruleName = relayRuleName(name, 'notify');
    stack.events.addRule<BusEvent>({
      name: ruleName,
      eventPattern: parseEventPattern(executionEndedPattern(stateMachineArn)),
      target: async (event) => {
        await notify(event, { signal: new AbortController().signal });
      },
    });
    rules.push(ruleName);
  }
  return { stateMachineArn, region, functionArns, rules };
}
