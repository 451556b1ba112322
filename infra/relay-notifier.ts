import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENDED_EXECUTION_STATUSES, EXECUTION_STATUS_CHANGE } from '../core/relay-events.ts';
import type { FunctionSettings } from './function-settings.ts';
import { acknowledgeWildcardResources } from './nag.ts';
import type { FunctionLogLevel } from './props.ts';
import { executionsArnOf, relayFunction } from './relay-function.ts';

/** The notifier function's settings. */
export const NOTIFIER_FUNCTION_SETTINGS: FunctionSettings = {
  id: 'Notifier',
  description:
    "artifact-relay: publish the relay's own events (target failed, superseded, held; deployment finished)",
  memoryMb: 256,
  timeoutSeconds: 60,
};

/** Properties of {@link RelayNotifier}. */
export interface RelayNotifierProps {
  readonly stateMachine: StateMachine;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The relay's own events (core/relay-events.ts): a rule on the state machine's "Step Functions Execution
 * Status Change" events for ended executions invokes the notifier (functions/notify), whose role may read
 * the relay's executions (DescribeExecution, GetExecutionHistory) and put events on the default bus —
 * nothing else (plus its log group and X-Ray, as every relay function).
 */
export class RelayNotifier extends Construct {
  /** The notifier function. */
  readonly function: NodejsFunction;
  /** Its execution role. */
  readonly role: Role;
  /** The rule that invokes it. */
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: RelayNotifierProps) {
    super(scope, id);
    const executionsArn = executionsArnOf(this, props.stateMachine);
    const made = relayFunction(this, {
      ...props,
      handlerFolder: 'notify',
      settings: NOTIFIER_FUNCTION_SETTINGS,
      roleDescription:
        "artifact-relay notifier: read the relay's ended executions, publish the relay's events",
      statements: [
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
          resources: [executionsArn],
        }),
        new PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [
            Stack.of(this).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' }),
          ],
        }),
      ],
    });
    this.function = made.fn;
    this.role = made.role;
    acknowledgeWildcardResources(
      this,
      [executionsArn],
      "The notifier reads any execution of the relay's own state machine: execution names are not known in advance.",
    );
    this.rule = new Rule(this, 'ExecutionEnded', {
      description: "artifact-relay: an execution of the relay ended — publish the relay's events",
      eventPattern: {
        source: [EXECUTION_STATUS_CHANGE.source],
        detailType: [EXECUTION_STATUS_CHANGE.detailType],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: [...ENDED_EXECUTION_STATUSES],
        },
      },
      targets: [new LambdaFunction(this.function)],
    });
  }
}
