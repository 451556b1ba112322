/**
 * What CDK gives each task role beyond its planned statements (core/permissions/plan.ts), and why —
 * one home for both the template test (test/infra/iam.test.ts, which proves a role holds exactly its
 * plan plus these) and the least-privilege table, which lists them as not provable locally.
 */
import {
  DISTRIBUTED_MAP_S3_ACTIONS,
  SYNC_EXECUTION_RULE,
  SYNC_EXECUTION_RULE_ACTIONS,
} from '../../../infra/backfill.ts';
import { NAG_REASONS } from '../../../infra/nag.ts';

export interface BeyondThePlan {
  readonly actions: readonly string[];
  /** The resource, in words (its ARN is CloudFormation's to make). */
  readonly resource: string;
  readonly reason: string;
}

export const BEYOND_THE_PLAN = {
  logs: {
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resource: "the function's own log group",
    reason:
      'TaskFunctions lets each function write its own log group, whose ARN CloudFormation makes (the plan, built from the configuration alone, cannot name it); not provable locally: the local stack has no CloudWatch Logs',
  },
  xray: {
    actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    resource: '*',
    reason: `Tracing.ACTIVE makes CDK add X-Ray delivery on Resource "*": ${NAG_REASONS.xray} Not provable locally: the local stack has no X-Ray`,
  },
} as const satisfies Record<string, BeyondThePlan>;

/** A role the stack holds besides the task roles, with what it may do and why it is not proven locally. */
export interface OtherRole {
  readonly role: string;
  readonly actions: readonly string[];
  readonly resource: string;
  readonly reason: string;
}

/** Why the backfill state machine's grants are not proven on the local stack, and where they are asserted. */
const BACKFILL_NOT_LOCAL =
  'not provable locally: the local Step Functions evaluates no IAM (it runs the Distributed Map, its child executions and `.sync` itself); test/infra/backfill.test.ts asserts the synthesized template grants exactly this';

/**
 * The stack's roles besides the task roles, the pipeline action's and the work-list builder's
 * (test/infra/iam.test.ts and test/infra/backfill.test.ts assert their statements). The local stack runs
 * neither Lambda nor CloudFormation, and its Step Functions evaluates no IAM, so none of these can be taken
 * away and watched failing there.
 */
export const OTHER_ROLES: readonly OtherRole[] = [
  {
    role: 'state machine',
    actions: ['lambda:InvokeFunction'],
    resource: 'the task functions',
    reason:
      'not provable locally: the local Step Functions calls the task functions as in-process handlers, there is no Lambda service to refuse the invoke',
  },
  {
    role: 'state machine',
    actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'logs:CreateLogDelivery', '…'],
    resource: '`*`',
    reason:
      'tracing and execution logging, which CDK grants on Resource "*" (the services offer nothing narrower); not provable locally: no X-Ray, no CloudWatch Logs',
  },
  {
    role: 'backfill state machine',
    actions: ['lambda:InvokeFunction'],
    resource: 'the work-list builder',
    reason:
      'not provable locally: the local Step Functions calls the builder as an in-process handler, there is no Lambda service to refuse the invoke',
  },
  {
    role: 'backfill state machine',
    actions: ['states:StartExecution'],
    resource:
      'the relay state machine (one execution per object), and itself (its map run’s child executions)',
    reason: BACKFILL_NOT_LOCAL,
  },
  {
    role: 'backfill state machine',
    actions: ['states:DescribeExecution', 'states:StopExecution'],
    resource: 'the executions of the relay state machine and of itself',
    reason: BACKFILL_NOT_LOCAL,
  },
  {
    role: 'backfill state machine',
    actions: ['states:RedriveExecution'],
    resource: 'the child executions of its own `RelayObjects` map runs',
    reason: BACKFILL_NOT_LOCAL,
  },
  {
    role: 'backfill state machine',
    actions: [...SYNC_EXECUTION_RULE_ACTIONS],
    resource: `the rule \`${SYNC_EXECUTION_RULE}\` Step Functions manages for \`.sync\``,
    reason: BACKFILL_NOT_LOCAL,
  },
  {
    role: 'backfill state machine',
    actions: [...DISTRIBUTED_MAP_S3_ACTIONS],
    resource: 'the objects of the backfill’s results bucket (the work list it reads, the results it writes)',
    reason: BACKFILL_NOT_LOCAL,
  },
  {
    role: 'bucket notifications handler',
    actions: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
    resource: 'the source buckets',
    reason:
      'the CDK custom resource that turns on EventBridge notifications at deploy time; not provable locally: no CloudFormation (`relay local` routes the local S3 events itself)',
  },
];
