import { type Duration, Names, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { WaveApproval } from '../core/waves.ts';
import type { AslDefinition } from '../state-machine/asl.ts';
import { buildDefinition } from '../state-machine/build.ts';
import {
  type DefinitionSubstitutions,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
  type TaskRole,
} from '../state-machine/placeholders.ts';
import { acknowledge, NAG_REASONS } from './nag.ts';

/** Properties of {@link RelayStateMachine}. */
export interface RelayStateMachineProps {
  readonly functions: Readonly<Record<TaskRole, IFunction>>;
  /** Both Map states' MaxConcurrency (the configuration's `defaults.maxConcurrency`). */
  readonly maxConcurrency: number;
  /** The configuration's highest deployment wave (core/waves.ts); 1 adds no wave Map states. @default 1 */
  readonly deploymentWaves?: number;
  /** The waves that wait for an approval (core/waves.ts `approvalWaves`). @default none */
  readonly approvals?: readonly WaveApproval[];
  readonly timeout: Duration;
  readonly logLevel: LogLevel;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly stateMachineName?: string | undefined;
}

/**
 * The definition the state machine gets: the relay workflow of `state-machine/` (the committed
 * `relay.asl.json` for the default concurrency) with the execution timeout as its top-level
 * `TimeoutSeconds` — CDK applies its `timeout` prop to chainable definitions only.
 */
export function relayDefinition(
  maxConcurrency: number,
  timeoutSeconds: number,
  deploymentWaves = 1,
  approvals: readonly WaveApproval[] = [],
): AslDefinition {
  return {
    ...buildDefinition({ maxConcurrency, deploymentWaves, approvals }),
    TimeoutSeconds: timeoutSeconds,
  };
}

/**
 * The `definitionSubstitutions`: each `${…FunctionArn}` placeholder to its function's ARN, and `${Partition}`
 * (of the approvals' service integration) to the stack's partition.
 */
export function definitionSubstitutions(
  scope: Construct,
  functions: Readonly<Record<TaskRole, IFunction>>,
): Required<DefinitionSubstitutions> {
  const entries = Object.entries(TASK_PLACEHOLDERS).map(
    ([name, role]) => [name, functions[role].functionArn] as const,
  );
  return {
    ...(Object.fromEntries(entries) as Record<TaskPlaceholder, string>),
    Partition: Stack.of(scope).partition,
  };
}

/**
 * The Standard state machine of the relay, with its log group (under `/aws/vendedlogs/states/`,
 * which keeps CloudWatch Logs' resource policy small), execution data kept out of the logs,
 * X-Ray tracing, and permission to invoke exactly the five task functions.
 */
export class RelayStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: RelayStateMachineProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const definition = relayDefinition(
      props.maxConcurrency,
      props.timeout.toSeconds(),
      props.deploymentWaves,
      props.approvals,
    );
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      ...(props.stateMachineName === undefined ? {} : { stateMachineName: props.stateMachineName }),
      definitionBody: DefinitionBody.fromString(JSON.stringify(definition)),
      definitionSubstitutions: definitionSubstitutions(this, props.functions),
      logs: { destination: this.logGroup, level: props.logLevel, includeExecutionData: false },
      tracingEnabled: true,
    });
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(props.functions).map((fn) => fn.functionArn),
      }),
    );
    if ((props.approvals ?? []).length > 0) {
      // An approval is a `.waitForTaskToken` PutEvents Task (docs/waves.md): the state machine itself puts
      // the "Approval Pending" event, on the default bus only.
      const stack = Stack.of(this);
      this.stateMachine.addToRolePolicy(
        new PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
        }),
      );
    }
    acknowledge(this, 'AwsSolutions-IAM5[Resource::*]', `${NAG_REASONS.xray} ${NAG_REASONS.logDelivery}`);
    if (props.logLevel !== LogLevel.ALL) acknowledge(this, 'AwsSolutions-SF1', NAG_REASONS.sfnLogLevel);
  }
}
