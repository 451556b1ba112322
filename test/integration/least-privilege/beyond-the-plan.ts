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
