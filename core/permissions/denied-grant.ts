import { parseKmsKeyArn } from '../aws-names.ts';
import { type RelayConfig, relayConfigSchema, type TargetConfig } from '../config/schema.ts';
import { AccessDenied } from '../errors.ts';
import { accountOfRoleArn, crossAccountGrants } from './cross-account.ts';
import type { PlannedRole } from './plan.ts';
import type { PolicyStatementJson } from './policy-document.ts';

/**
 * The advice an AccessDenied on a target in another account carries: which resource policy lacks
 * the grant (the target bucket's policy, the target key's key policy), in which account, and the
 * statement to add there — the one `relay iam cross-account` prints (`cross-account.ts`), filled in
 * with the denied role's ARN. Across accounts both the caller's identity policy and the resource's
 * policy must allow a request (IAM User Guide, "Cross-account policy evaluation logic"), and the
 * relay's identity policies are its own (the plan), so a denial there points at the resource side.
 *
 * Which request was denied is read from the error's structured facts (`side`, `bucket`, operation),
 * never from its message text.
 */

/**
 * The environment variable a task function reads its own execution role ARN from (infra sets it on
 * each Lambda; functions/shared/grant-advice.ts reads it).
 */
export const ROLE_ARN_ENV = 'RELAY_ROLE_ARN';

/** The command that prints the whole bucket and key policies. */
export const CROSS_ACCOUNT_COMMAND = 'relay iam cross-account';

/** What is known where the denial happened. */
export interface DeniedTargetFacts {
  /** The task that was denied. */
  readonly role: PlannedRole;
  /** Its role ARN (the relay's account is the role's). */
  readonly roleArn: string;
  /** The target the task worked on (a workflow target may carry more fields; they are ignored). */
  readonly target: TargetConfig & { readonly sourcePrefix?: string | undefined };
  /** The source bucket and region (the plan names the source too). */
  readonly source: { readonly bucket: string; readonly region: string };
  /**
   * The whole configuration, when the task has it: the statements are then exactly the configured
   * ones. Without it they are computed for this target's rule prefix and any suffix.
   */
  readonly config?: RelayConfig | undefined;
}

/** What an S3 operation needs of the target: its IAM actions, and whether S3 uses the key for it. */
interface OperationNeeds {
  readonly actions: readonly string[];
  readonly usesKey: boolean;
}

const WRITE: OperationNeeds = {
  actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:PutObjectAcl'],
  usesKey: true,
};

/** The S3 operations the tasks send to a target (S3 API reference, "Permissions" of each). */
const OPERATION_NEEDS: Readonly<Record<string, OperationNeeds>> = {
  's3:HeadObject': { actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'], usesKey: false },
  's3:GetObject': { actions: ['s3:GetObject', 's3:GetObjectVersion'], usesKey: true },
  's3:PutObject': { actions: ['s3:PutObject'], usesKey: true },
  's3:CopyObject': WRITE,
  's3:CreateMultipartUpload': WRITE,
  's3:UploadPartCopy': { actions: ['s3:PutObject'], usesKey: true },
  's3:CompleteMultipartUpload': { actions: ['s3:PutObject'], usesKey: true },
  's3:AbortMultipartUpload': { actions: ['s3:AbortMultipartUpload'], usesKey: false },
  's3:ListParts': { actions: ['s3:ListMultipartUploadParts'], usesKey: false },
  's3:ListMultipartUploads': { actions: ['s3:ListBucketMultipartUploads'], usesKey: false },
  's3:GetObjectAttributes': { actions: ['s3:GetObjectAttributes'], usesKey: false },
  's3:DeleteObject': { actions: ['s3:DeleteObject'], usesKey: false },
};

function actionsOf(statement: PolicyStatementJson): readonly string[] {
  const action = statement.Action;
  return action === undefined ? [] : typeof action === 'string' ? [action] : action;
}

function principalIs(statement: PolicyStatementJson, roleArn: string): boolean {
  const principal = statement.Principal;
  return typeof principal === 'object' && principal.AWS === roleArn;
}

/** The role's statements, narrowed to those granting what `needs` asks when any do. */
function relevant(
  statements: readonly PolicyStatementJson[],
  roleArn: string,
  needs: OperationNeeds | undefined,
): PolicyStatementJson[] {
  const mine = statements.filter((statement) => principalIs(statement, roleArn));
  if (needs === undefined) return mine;
  const matching = mine.filter((statement) => actionsOf(statement).some((a) => needs.actions.includes(a)));
  return matching.length === 0 ? mine : matching;
}

function compact(statements: readonly PolicyStatementJson[]): string {
  return statements.map((statement) => JSON.stringify(statement)).join(' ');
}

/** A configuration of the one target (its rule's prefix, any suffix), when the whole one is not at hand. */
function singleTargetConfig(facts: DeniedTargetFacts): RelayConfig | undefined {
  const { sourcePrefix, ...target } = facts.target;
  const parsed = relayConfigSchema.safeParse({
    sources: [
      {
        bucket: facts.source.bucket,
        region: facts.source.region,
        rules: [{ name: 'target', ...(sourcePrefix ? { prefix: sourcePrefix } : {}), targets: [target] }],
      },
    ],
  });
  return parsed.success ? parsed.data : undefined;
}

/**
 * `error` with advice on the grant the target's account must add, or `undefined` when the denial is
 * not about a target in another account (the bucket and the key are the relay's own, or the request
 * addressed the source).
 */
export function explainDeniedTarget(error: AccessDenied, facts: DeniedTargetFacts): AccessDenied | undefined {
  if (error.side !== 'target' || error.bucket !== facts.target.bucket) return undefined;
  const relayAccount = accountOfRoleArn(facts.roleArn);
  if (relayAccount === undefined) return undefined;
  const config = facts.config ?? singleTargetConfig(facts);
  if (config === undefined) return undefined;
  const grants = crossAccountGrants({ config, relayAccount, roleArns: { [facts.role]: facts.roleArn } });
  const needs = error.operation === undefined ? undefined : OPERATION_NEEDS[error.operation];
  const bucket = grants.buckets.find((grant) => grant.bucket === facts.target.bucket);
  const encryption = facts.target.encryption;
  const keyArn = encryption.type === 'aws:kms' ? encryption.kmsKeyArn : undefined;
  const key = keyArn === undefined ? undefined : grants.keys.find((grant) => grant.keyArn === keyArn);
  const parts: string[] = [];
  const bucketStatements =
    bucket === undefined ? [] : relevant(bucket.policy.Statement, facts.roleArn, needs);
  if (bucket !== undefined && bucketStatements.length > 0) {
    parts.push(
      `the target bucket ${bucket.bucket} belongs to account ${bucket.account}, not the relay's (${relayAccount}), so its bucket policy must allow the relay's ${facts.role} role too — add to the bucket policy of ${bucket.bucket}: ${compact(bucketStatements)} (a bucket that is not ${bucket.account}'s is refused with 403 too, by ExpectedBucketOwner: check the target's account)`,
    );
  }
  const keyStatements =
    key === undefined || needs?.usesKey === false ? [] : relevant(key.statements, facts.roleArn, undefined);
  if (key !== undefined && keyStatements.length > 0) {
    parts.push(
      `the target key ${key.keyArn} belongs to account ${key.account}, so its key policy must allow the ${facts.role} role to use it through S3 — add to the key policy: ${compact(keyStatements)}`,
    );
  }
  if (parts.length === 0) return undefined;
  const scope =
    facts.config === undefined
      ? ` (computed for this target's keys; ${CROSS_ACCOUNT_COMMAND} prints them for exactly the configured rules)`
      : '';
  const request = error.request ?? `${error.operation ?? 'the request'} failed with AccessDenied`;
  return new AccessDenied(
    `${request}: ${parts.join('; and ')}${scope}. \`${CROSS_ACCOUNT_COMMAND}\` prints the whole policies and the commands that apply them.`,
    {
      cause: error.cause,
      ...(error.awsCode === undefined ? {} : { awsCode: error.awsCode }),
      ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
      ...(error.operation === undefined ? {} : { operation: error.operation }),
      ...(error.side === undefined ? {} : { side: error.side }),
      ...(error.bucket === undefined ? {} : { bucket: error.bucket }),
      request,
    },
  );
}

/** Whether the target's bucket or key belongs to another account than the role's (cheap pre-check). */
export function targetInOtherAccount(target: TargetConfig, roleArn: string): boolean {
  const relayAccount = accountOfRoleArn(roleArn);
  if (relayAccount === undefined) return false;
  const keyAccount =
    target.encryption.type === 'aws:kms' ? parseKmsKeyArn(target.encryption.kmsKeyArn)?.account : undefined;
  return (
    (target.account !== undefined && target.account !== relayAccount) ||
    (keyAccount !== undefined && keyAccount !== relayAccount)
  );
}
