import type { PlannedStatement } from './plan.ts';

/**
 * IAM policy documents as JSON — the form AWS stores and evaluates, and the one form the relay's
 * planned IAM takes outside core: `infra/` turns each statement into a CDK `PolicyStatement`
 * (`PolicyStatement.fromJson`) and the local stack evaluates the documents as they are
 * (`local/iam/`). Bucket policies and KMS key policies use the same grammar.
 */

/** The policy language version whose `${…}` policy variables IAM substitutes. */
export const POLICY_VERSION = '2012-10-17';

/** One value or a list of values (IAM accepts either wherever a list is allowed). */
export type OneOrMany<T> = T | readonly T[];

/** A condition value as JSON gives it (`Bool` and the numeric operators accept literals too). */
export type ConditionValue = string | number | boolean;

/** `Condition`: operator → condition key → value(s). */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, OneOrMany<ConditionValue>>>>>;

/** `Principal` of a resource policy: `"*"` or principal type (`AWS`, `Service` …) → values. */
export type PrincipalBlock = '*' | Readonly<Record<string, OneOrMany<string>>>;

/** One statement of a policy document. */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PrincipalBlock;
  readonly NotPrincipal?: PrincipalBlock;
  readonly Action?: OneOrMany<string>;
  readonly NotAction?: OneOrMany<string>;
  readonly Resource?: OneOrMany<string>;
  readonly NotResource?: OneOrMany<string>;
  readonly Condition?: ConditionBlock;
}

/** A policy document: identity policy, bucket policy or key policy. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: OneOrMany<PolicyStatementJson>;
}

/** A planned statement as the IAM JSON statement it grants. */
export function policyStatementOf(planned: PlannedStatement): PolicyStatementJson {
  return {
    Effect: 'Allow',
    Action: [...planned.actions],
    Resource: [...planned.resources],
    ...(planned.conditions === undefined ? {} : { Condition: planned.conditions }),
  };
}

/** A role's planned statements as one identity policy document. */
export function policyDocumentOf(statements: readonly PlannedStatement[]): PolicyDocument {
  return { Version: POLICY_VERSION, Statement: statements.map(policyStatementOf) };
}
