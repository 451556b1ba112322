import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TaskRole } from '../state-machine/placeholders.ts';
import { FUNCTION_SETTINGS } from './function-settings.ts';

/** The period every relay alarm evaluates. */
export const ALARM_PERIOD = Duration.minutes(5);

/** Properties of {@link RelayAlarms}. */
export interface RelayAlarmsProps {
  readonly stateMachine: IStateMachine;
  readonly deadLetterQueue: IQueue;
  readonly functions: Readonly<Record<TaskRole, IFunction>>;
  readonly functionErrorsThreshold: number;
  readonly topic?: ITopic | undefined;
}

/**
 * The relay's alarms: an execution failed (a target failed both passes — redrive it), an
 * execution timed out, an event could not start an execution (it waits in the dead-letter
 * queue), and each task function's errors. Missing data is not breaching: no traffic is fine.
 */
export class RelayAlarms extends Construct {
  /** Every alarm, in the order above. */
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RelayAlarmsProps) {
    super(scope, id);
    const alarm = (alarmId: string, metric: IMetric, description: string, threshold = 1): Alarm => {
      const created = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      if (props.topic !== undefined) {
        created.addAlarmAction(new SnsAction(props.topic));
        created.addOkAction(new SnsAction(props.topic));
      }
      return created;
    };
    const machine = props.stateMachine;
    this.alarms = [
      alarm(
        'ExecutionsFailed',
        machine.metricFailed({ period: ALARM_PERIOD, statistic: 'Sum' }),
        'artifact-relay: an execution failed — a target failed both passes. Fix the cause named in its result, then redrive the execution.',
      ),
      alarm(
        'ExecutionsTimedOut',
        machine.metricTimedOut({ period: ALARM_PERIOD, statistic: 'Sum' }),
        'artifact-relay: an execution ran past its timeout (a very long copy or deployment).',
      ),
      alarm(
        'DeadLetterQueueMessages',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: ALARM_PERIOD,
          statistic: 'Maximum',
        }),
        'artifact-relay: EventBridge could not start an execution for an S3 event for 24 hours; the event waits in the dead-letter queue (replay it with `relay replay`).',
      ),
      ...Object.entries(props.functions).map(([role, fn]) =>
        alarm(
          `${FUNCTION_SETTINGS[role as TaskRole].id}Errors`,
          fn.metricErrors({ period: ALARM_PERIOD, statistic: 'Sum' }),
          `artifact-relay: the ${role} function failed (the state machine retries transient errors; see its logs).`,
          props.functionErrorsThreshold,
        ),
      ),
    ];
  }
}
