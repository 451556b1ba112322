import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import type { AlarmNotifications } from './alarm-notifications.ts';
import type { RelayConfigSource } from './config-input.ts';

/** The Powertools log levels of the task functions. */
export type FunctionLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/** Properties of {@link ArtifactRelay}. */
export interface ArtifactRelayProps {
  /**
   * The relay configuration: an object (as in `relay.config.json`), or the path of a JSON or YAML
   * file. Validated with the schema the Lambdas use at run time; an invalid configuration fails
   * synth listing every problem.
   */
  readonly config: RelayConfigSource;

  /**
   * What the state machine logs to CloudWatch Logs (execution data is never included).
   *
   * @default LogLevel.ERROR
   */
  readonly logLevel?: LogLevel;

  /**
   * The task functions' Powertools log level (`POWERTOOLS_LOG_LEVEL`).
   *
   * @default 'INFO'
   */
  readonly functionLogLevel?: FunctionLogLevel;

  /**
   * How long an execution may run before it times out.
   *
   * @default 24 hours, or twice the longest deployment wait plus one hour per pass when that is longer
   */
  readonly executionTimeout?: Duration;

  /**
   * An SNS topic the alarms notify (on ALARM and on OK); takes precedence over
   * `alarmNotifications` and the configuration's `alarms`.
   *
   * @default - the topic `alarmNotifications` or the configuration's `alarms` names
   */
  readonly alarmTopic?: ITopic;

  /**
   * Who the alarms notify when no `alarmTopic` is given: an existing topic's ARN (imported), or an
   * e-mail address (a topic is created with an e-mail subscription). Overrides the configuration's
   * `alarms`; the ready app passes `-c alarmTopicArn=…` / `-c alarmEmail=…` here.
   *
   * @default - the configuration's `alarms`; without them the alarms notify nobody and synth warns
   */
  readonly alarmNotifications?: AlarmNotifications;

  /**
   * The Powertools service name (`POWERTOOLS_SERVICE_NAME`): the `service` of every log line and
   * the `service` dimension of the task metrics.
   *
   * @default 'artifact-relay'
   */
  readonly serviceName?: string;

  /**
   * The CloudWatch namespace of the relay's own metrics (`POWERTOOLS_METRICS_NAMESPACE`); give
   * each relay of an account and region its own.
   *
   * @default 'ArtifactRelay'
   */
  readonly metricsNamespace?: string;

  /**
   * How long the state machine's and the functions' logs are kept.
   *
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;

  /**
   * What happens to the log groups and the dead-letter queue when the relay is removed.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * The state machine's name.
   *
   * @default - a name CloudFormation generates
   */
  readonly stateMachineName?: string;

  /**
   * How many errors of one task function within five minutes raise its alarm.
   *
   * @default 1
   */
  readonly functionErrorsThreshold?: number;

  /**
   * Whether the stack gets outputs for the state machine ARN, its console URL, the dead-letter
   * queue URL and the roles cross-account targets must allow (copy and verify) — and, with the
   * backfill, the backfill state machine's ARN and its results bucket.
   *
   * @default true
   */
  readonly outputs?: boolean;

  /**
   * Whether the backfill workflow is deployed with the relay: a second state machine that relays
   * the existing objects of a source prefix on Step Functions' Distributed Map (a new region added,
   * a bucket migrated, a recovery), its work-list builder Lambda and its results bucket
   * (`relay replay --distributed`, {@link ArtifactRelay.grantBackfill}). It costs nothing while
   * unused; `false` leaves all of it out.
   *
   * @default true
   */
  readonly backfill?: boolean;

  /**
   * How long the backfill's work lists and map-run results stay in its results bucket (whole days).
   *
   * @default Duration.days(30)
   */
  readonly backfillResultsExpiration?: Duration;

  /**
   * The backfill state machine's name.
   *
   * @default - the relay state machine's name with `-backfill` appended when it has one, else a
   *   name CloudFormation generates
   */
  readonly backfillStateMachineName?: string;
}
