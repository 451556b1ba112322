import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { ManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import type { SourceConfig } from '../core/config/schema.ts';
import { buildEventPattern } from '../core/event-pattern.ts';
import { acknowledge, managedPolicyFinding, NAG_REASONS } from './nag.ts';

/** How long EventBridge keeps retrying to start an execution for one event. */
export const EVENT_MAX_AGE = Duration.hours(24);

/** EventBridge's retry attempts (its maximum) within {@link EVENT_MAX_AGE}. */
export const EVENT_RETRY_ATTEMPTS = 185;

/** The construct id aws-cdk-lib gives the (stack-wide) S3 notifications handler. */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/** Properties of {@link SourceTriggers}. */
export interface SourceTriggersProps {
  readonly sources: readonly SourceConfig[];
  readonly stateMachine: IStateMachine;
  readonly removalPolicy: RemovalPolicy;
}

/** The EventBridge `eventPattern` of a CDK rule for one source, from `core/event-pattern.ts`. */
export function rulePattern(source: SourceConfig) {
  const pattern = buildEventPattern(source);
  return {
    source: [...pattern.source],
    detailType: [...pattern['detail-type']],
    detail: JSON.parse(JSON.stringify(pattern.detail)) as Record<string, unknown>,
  };
}

/**
 * What starts the workflow: each configured source bucket, imported by name, gets EventBridge
 * notifications switched on (merged into its existing notification configuration, never
 * replacing it) and one rule for its `Object Created` events; the rule starts the state machine,
 * retrying for 24 hours, and sends what it cannot deliver to an encrypted dead-letter queue.
 */
export class SourceTriggers extends Construct {
  readonly deadLetterQueue: Queue;
  /** The rules, in configuration order. */
  readonly rules: readonly Rule[];
  /** The imported source buckets, in configuration order. */
  readonly buckets: readonly IBucket[];

  constructor(scope: Construct, id: string, props: SourceTriggersProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    acknowledge(this.deadLetterQueue, 'AwsSolutions-SQS3', NAG_REASONS.dlqIsDlq);

    const target = new SfnStateMachine(props.stateMachine, {
      deadLetterQueue: this.deadLetterQueue,
      maxEventAge: EVENT_MAX_AGE,
      retryAttempts: EVENT_RETRY_ATTEMPTS,
    });
    const buckets: IBucket[] = [];
    const rules: Rule[] = [];
    for (const source of props.sources) {
      const scopeOfSource = new Construct(this, source.bucket);
      const bucket = Bucket.fromBucketAttributes(scopeOfSource, 'Bucket', {
        bucketName: source.bucket,
        region: source.region,
        ...(source.account === undefined ? {} : { account: source.account }),
      });
      bucket.enableEventBridgeNotification();
      buckets.push(bucket);
      rules.push(
        new Rule(scopeOfSource, 'Rule', {
          description: `artifact-relay: new objects of ${source.bucket} that a rule matches`,
          eventPattern: rulePattern(source),
          targets: [target],
        }),
      );
    }
    this.buckets = buckets;
    this.rules = rules;
    acknowledgeNotificationsHandler(Stack.of(this));
  }
}

function acknowledgeNotificationsHandler(stack: Stack): void {
  const handler: IConstruct | undefined = stack.node.tryFindChild(NOTIFICATIONS_HANDLER_ID);
  if (handler === undefined) return;
  const basicExecution = ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole');
  acknowledge(
    handler,
    managedPolicyFinding(stack, basicExecution.managedPolicyArn),
    NAG_REASONS.notificationsHandlerPolicy,
  );
}
