import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements. cdk-nag 3 reads CDK's own `Validations.of(scope).acknowledge()`;
 * every finding of a rule that reports several (IAM5) is acknowledged one by one as
 * `RuleId[Finding]`, and every acknowledgement carries the reason it is acceptable.
 */

/** Acknowledges a cdk-nag rule (or one finding, `Rule[Finding]`) on `scope` and its children. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length === 0) throw new Error(`acknowledge(${id}): a reason is required`);
  Validations.of(scope).acknowledge({ id, reason });
}

type Resolved = string | number | boolean | null | readonly Resolved[] | { readonly [key: string]: Resolved };

/** The flat text cdk-nag makes of a resolved CloudFormation value (its finding ids use it). */
function flatten(value: Resolved): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as { readonly [key: string]: Resolved };
    const join = object['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, readonly Resolved[]];
      return items.map(flatten).join(delimiter);
    }
    const ref = object.Ref;
    if (ref !== undefined) return `<${flatten(ref)}>`;
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${flatten(getAtt[0] as Resolved)}.${flatten(getAtt[1] as Resolved)}>`;
    const sub = object['Fn::Sub'];
    if (sub !== undefined) return flatten(sub);
  }
  return JSON.stringify(value);
}

/** The IAM5 finding id for a wildcard `resource` in a policy of `scope`'s stack. */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource) as Resolved)}]`;
}

/** The IAM4 finding id for the AWS managed policy `arn` attached to a role in `scope`'s stack. */
export function managedPolicyFinding(scope: IConstruct, arn: string): string {
  return `AwsSolutions-IAM4[Policy::${flatten(Stack.of(scope).resolve(arn) as Resolved)}]`;
}

/** Acknowledges the IAM5 finding of each resource of `resources` that holds a wildcard. */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  for (const resource of resources) {
    const finding = wildcardResourceFinding(scope, resource);
    if (finding.includes('*')) acknowledge(scope, finding, reason);
  }
}

/** Reasons shared by several constructs. */
export const NAG_REASONS = {
  xray: 'AWS X-Ray PutTraceSegments/PutTelemetryRecords (and the sampling calls) support no resource-level permissions; AWS offers nothing narrower than Resource "*".',
  logDelivery:
    'CloudWatch Logs vended log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) supports no resource-level permissions; Step Functions needs it to write execution logs.',
  runtime:
    'The relay targets the Node.js 22 Lambda runtime (the version its handlers are built and tested for, with the AWS SDK bundled at pinned versions); moving to a newer runtime is a deliberate, tested change.',
  sfnLogLevel:
    'Execution logging is on at the configured level (default ERROR, execution data off): ALL logs every state transition of every target, which multiplies CloudWatch Logs cost and can write artifact metadata to logs; raise the level through the logLevel prop when investigating.',
  dlqIsDlq:
    'This queue is itself the dead-letter queue of the EventBridge rule targets; a dead-letter queue of a dead-letter queue would only move the same messages again.',
  notificationsHandlerPolicy:
    'CDK-provided handler of the Custom::S3BucketNotifications resource (merges EventBridge into the existing bucket notification configuration); AWSLambdaBasicExecutionRole only lets it write its own logs. Its S3 permissions are scoped to the source buckets.',
  notificationsHandlerRuntime: 'CDK-provided notifications handler: aws-cdk-lib chooses its Python runtime.',
} as const;
