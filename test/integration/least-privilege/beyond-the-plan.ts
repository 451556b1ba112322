/**
 * What CDK gives each task role beyond its planned statements (core/permissions/plan.ts), and why —
 * one home for both the template test (test/infra/iam.test.ts, which proves a role holds exactly its
 * plan plus these) and the least-privilege table, which lists them as not provable locally.
 */
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

/**
 * The stack's roles besides the task roles and the pipeline action's (test/infra/iam.test.ts asserts
 * their statements). The local stack runs neither Lambda nor CloudFormation, so none of these can be
 * taken away and watched failing there.
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
    role: 'bucket notifications handler',
    actions: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
    resource: 'the source buckets',
    reason:
      'the CDK custom resource that turns on EventBridge notifications at deploy time; not provable locally: no CloudFormation (`relay local` routes the local S3 events itself)',
  },
];
