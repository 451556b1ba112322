import { join } from 'node:path';
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENDED_EXECUTION_STATUSES, EXECUTION_STATUS_CHANGE } from '../core/relay-events.ts';
import { LOG_LEVEL_ENV, METRICS_NAMESPACE_ENV, SERVICE_NAME_ENV } from '../core/runtime-contract.ts';
import type { FunctionSettings } from './function-settings.ts';
import { acknowledge, acknowledgeWildcardResources, NAG_REASONS } from './nag.ts';
import type { FunctionLogLevel } from './props.ts';
import { PROJECT_ROOT, RELAY_BUNDLING } from './task-functions.ts';

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
    const stack = Stack.of(this);
    const settings = NOTIFIER_FUNCTION_SETTINGS;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: "artifact-relay notifier: read the relay's ended executions, publish the relay's events",
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // Executions are named `<state machine>:<execution>`: a token ARN cannot be split, format it.
    const executionsArn = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        resources: [executionsArn],
      }),
    );
    acknowledgeWildcardResources(
      this,
      [executionsArn],
      "The notifier reads any execution of the relay's own state machine: execution names are not known in advance.",
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' })],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'functions', 'notify', 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: settings.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup,
      environment: {
        [SERVICE_NAME_ENV]: props.serviceName,
        [LOG_LEVEL_ENV]: props.logLevel,
        [METRICS_NAMESPACE_ENV]: props.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: RELAY_BUNDLING,
    });
    acknowledge(this, 'AwsSolutions-IAM5[Resource::*]', NAG_REASONS.xray);
    acknowledge(this, 'AwsSolutions-L1', NAG_REASONS.runtime);
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
