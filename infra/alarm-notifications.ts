import { Annotations, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { type AlarmsConfig, alarmsSchema, parseSnsTopicArn } from '../core/config/alarms.ts';
import { formatPath, problemsFromZod, renderProblem } from '../core/config/problems.ts';
import { ConfigInvalid } from '../core/errors.ts';

/**
 * Where the relay's alarms go: an SNS topic given as a construct, an existing topic imported by
 * ARN, or a topic the stack creates for an e-mail subscription (the recipient confirms it first —
 * Amazon SNS "Email notifications"). CloudWatch publishes an alarm action only to a topic in the
 * alarm's own region, so an ARN of another region fails synth. With none, synth warns: alarms
 * that notify nobody are seen only by someone who looks.
 */

/** Who the alarms notify, as the configuration's `alarms`, a context value or a prop gives it. */
export interface AlarmNotifications {
  /**
   * An existing SNS topic in the relay's region; its access policy must let
   * cloudwatch.amazonaws.com publish.
   *
   * @default - no existing topic
   */
  readonly topicArn?: string;
  /**
   * An e-mail address: the relay creates a topic and subscribes the address.
   *
   * @default - no e-mail subscription
   */
  readonly email?: string;
}

/** The id of the synth warning about alarms that notify nobody. */
export const ALARMS_NOTIFY_NOBODY_WARNING = 'artifact-relay:alarms-notify-nobody';

/**
 * Validates `value` with the configuration's `alarms` schema.
 *
 * @param sourceName what the value came from, for the error (a prop or `-c` context keys)
 * @throws ConfigInvalid listing every problem
 */
export function parseAlarmNotifications(value: AlarmNotifications, sourceName: string): AlarmsConfig {
  const parsed = alarmsSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigInvalid(sourceName, problemsFromZod(parsed.error, alarmsSchema, value).map(renderProblem));
}

/** What {@link alarmTopic} chooses from, first given first. */
export interface AlarmTopicChoice {
  /** A topic construct (the `alarmTopic` prop). */
  readonly topic?: ITopic | undefined;
  /** The `alarmNotifications` prop (already validated) and what it is called in errors. */
  readonly notifications?: { readonly value: AlarmsConfig; readonly sourceName: string } | undefined;
  /** The configuration's `alarms` and the configuration's name. */
  readonly configured?: { readonly value: AlarmsConfig; readonly sourceName: string } | undefined;
}

function regionProblem(scope: Construct, arn: string, sourceName: string, path: string): void {
  const topicRegion = parseSnsTopicArn(arn)?.region;
  const stackRegion = Stack.of(scope).region;
  if (topicRegion === undefined || Token.isUnresolved(stackRegion) || topicRegion === stackRegion) return;
  throw new ConfigInvalid(sourceName, [
    renderProblem({
      path,
      message: `the topic is in ${topicRegion} but the relay and its alarms are in ${stackRegion}; CloudWatch notifies only a topic of the alarm's own region`,
      got: arn,
      allowed: `a topic in ${stackRegion}`,
    }),
  ]);
}

/**
 * A topic for an e-mail subscription. Publishing requires TLS (cdk-nag AwsSolutions-SNS3); it is
 * not KMS-encrypted: it carries only alarm state changes, and CloudWatch could publish to an
 * encrypted topic only with a customer managed key whose policy admits it (not SNS's AWS managed
 * key) — a monthly cost protecting no artifact data.
 */
function emailTopic(scope: Construct, email: string): Topic {
  const topic = new Topic(scope, 'AlarmTopic', {
    displayName: 'artifact-relay alarms',
    enforceSSL: true,
  });
  // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: CloudWatch
  // alarms of this account and region need an explicit allow to publish.
  const stack = Stack.of(scope);
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarms',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  topic.addSubscription(new EmailSubscription(email));
  return topic;
}

/**
 * The topic the alarms notify, or `undefined` (after a synth warning on `scope`) when nobody is
 * named. An e-mail creates the topic under `scope` (id `AlarmTopic`).
 */
export function alarmTopic(scope: Construct, choice: AlarmTopicChoice): ITopic | undefined {
  if (choice.topic !== undefined) return choice.topic;
  const given = choice.notifications ?? choice.configured;
  const path =
    choice.notifications === undefined ? (key: string) => formatPath(['alarms', key]) : (key: string) => key;
  if (given?.value.topicArn !== undefined) {
    regionProblem(scope, given.value.topicArn, given.sourceName, path('topicArn'));
    return Topic.fromTopicArn(scope, 'AlarmTopic', given.value.topicArn);
  }
  if (given?.value.email !== undefined) return emailTopic(scope, given.value.email);
  Annotations.of(scope).addWarningV2(
    ALARMS_NOTIFY_NOBODY_WARNING,
    'The relay\u2019s alarms notify nobody: name who they notify with "alarms": { "email": "…" } or { "topicArn": "…" } in the configuration, -c alarmEmail=… or -c alarmTopicArn=… on the cdk command line, or the alarmTopic / alarmNotifications prop.',
  );
  return undefined;
}
