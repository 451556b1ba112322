/**
 * The check CreateKey and PutKeyPolicy make of a key policy document: JSON text of an object with
 * `Statement`, in the grammar the local policy evaluator (local/iam/evaluate.ts) decides by. KMS
 * answers a policy it cannot accept with `MalformedPolicyDocumentException` (CreateKey / PutKeyPolicy
 * API reference, "Errors"); the local KMS also answers it for grammar AWS accepts but the evaluator
 * does not model (a `Date…` operator, `NotPrincipal` …), with the evaluator's reason, so a key
 * policy is never stored that S3 could not later evaluate.
 *
 * Not checked, as the task allowed: KMS's lockout safety check (that the new policy still lets the
 * caller call PutKeyPolicy) and whether the principals exist.
 */
import type { ConditionBlock, PolicyDocument } from '../../core/permissions/policy-document.ts';
import { conditionHolds } from '../iam/conditions.ts';
import { evaluateKeyPolicy } from '../iam/evaluate.ts';
import { UnsupportedPolicy } from '../iam/unsupported-policy.ts';
import type { AwsJsonError } from '../protocol/json.ts';
import { KmsErrors } from './errors.ts';

/** A stand-in caller: the evaluator checks every statement's elements whoever asks. */
const PROBE = {
  principal: { account: '000000000000', arn: 'arn:aws:iam::000000000000:role/policy-check' },
  action: 'kms:DescribeKey',
  resource: 'arn:aws:kms:us-east-1:000000000000:key/policy-check',
  keyAccount: '000000000000',
  identityPolicies: [],
} as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The statements of a document, or why it has none KMS would accept. */
function statementsOf(document: Record<string, unknown>): readonly unknown[] | string {
  const statement = document.Statement;
  if (statement === undefined) return 'The key policy has no Statement.';
  const statements = Array.isArray(statement) ? statement : [statement];
  if (statements.length === 0) return 'The key policy has no Statement.';
  if (!statements.every(isObject)) return 'Every statement of the key policy must be a JSON object.';
  return statements;
}

/** Every operator and key of every statement's Condition, one at a time (none is skipped). */
function conditionEntries(statements: readonly unknown[]): ConditionBlock[] {
  return statements.flatMap((statement) => {
    const condition = (statement as { Condition?: unknown }).Condition;
    if (condition === undefined) return [];
    if (!isObject(condition)) throw new UnsupportedPolicy('a Condition that is not a JSON object');
    return Object.entries(condition).flatMap(([operator, keys]) => {
      if (!isObject(keys)) throw new UnsupportedPolicy(`the ${operator} condition that is not a JSON object`);
      return Object.entries(keys).map(
        ([key, values]) => ({ [operator]: { [key]: values } }) as ConditionBlock,
      );
    });
  });
}

/**
 * The policy as a document, when KMS (and the local evaluator) accepts it.
 * @throws AwsJsonError MalformedPolicyDocumentException, saying why
 */
export function validateKeyPolicy(text: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw KmsErrors.malformedPolicy('The key policy is not valid JSON.');
  }
  if (!isObject(parsed)) throw KmsErrors.malformedPolicy('The key policy must be a JSON object.');
  const statements = statementsOf(parsed);
  if (typeof statements === 'string') throw KmsErrors.malformedPolicy(statements);
  const document = parsed as unknown as PolicyDocument;
  try {
    // The evaluator checks the elements of every statement before matching any of them …
    evaluateKeyPolicy({ ...PROBE, keyPolicy: document });
    // … but reads a Condition only when the rest of the statement matched: read each one alone.
    for (const block of conditionEntries(statements)) conditionHolds(block, new Map(), true);
  } catch (cause) {
    if (cause instanceof UnsupportedPolicy) throw malformed(cause);
    // A value of the wrong JSON type where the grammar expects a string or an object.
    if (cause instanceof TypeError)
      throw KmsErrors.malformedPolicy('The key policy is not a policy document.');
    throw cause;
  }
  return document;
}

function malformed(cause: UnsupportedPolicy): AwsJsonError {
  return KmsErrors.malformedPolicy(cause.message);
}
