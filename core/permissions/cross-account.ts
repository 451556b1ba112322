import { parseKmsKeyArn } from '../aws-names.ts';
import type { RelayConfig } from '../config/schema.ts';
import { partitionOf } from '../regions.ts';
import { targetId } from '../routing.ts';
import { kmsKeyGrant, s3BucketArn } from './arns.ts';
import { PLANNED_ROLES, type PlannedRole, type PlannedStatement, planPermissions } from './plan.ts';

import { POLICY_VERSION, type PolicyDocument, type PolicyStatementJson } from './policy-document.ts';

/**
 * The resource-side grants a target in another account needs: the statements the target bucket's
 * policy and the target key's key policy must add so that the relay's roles (in the relay's account)
 * may do there what their own identity policies already say. Across accounts AWS requires both the
 * identity policy and the resource's policy to allow a request (IAM User Guide, "Cross-account policy
 * evaluation logic"; AWS KMS Developer Guide, "Allowing users in other accounts to use a KMS key").
 *
 * Derived from the permission plan (`plan.ts`), never a second list: each planned statement of a role
 * that names the target bucket (or objects in it) becomes a bucket policy statement for that role,
 * restricted to those resources; each planned statement on the target key becomes a key policy
 * statement (`"Resource": "*"`, the key itself) keeping the plan's `kms:ViaService` and encryption
 * context conditions. The one home of these grants: `relay iam cross-account`, the AccessDenied
 * advice (`denied-grant.ts`) and docs/cross-account.md all render what this module returns.
 */

/** The relay's role ARN of each task, as far as known. */
export type RelayRoleArns = Readonly<Partial<Record<PlannedRole, string>>>;

/** What the grants are computed from. */
export interface CrossAccountInput {
  readonly config: RelayConfig;
  /**
   * The relay's account (the stack's). Unknown: every target that names an `account` counts as
   * another account's, and keys in that account too.
   */
  readonly relayAccount: string | undefined;
  /** The roles' ARNs; a role without one gets {@link roleArnPlaceholder}. */
  readonly roleArns: RelayRoleArns;
}

/** The statements a cross-account target bucket's policy must add. */
export interface BucketGrant {
  readonly bucket: string;
  readonly region: string;
  /** The account that owns the bucket (the target's `account`). */
  readonly account: string;
  /** The ids of the targets writing into the bucket (`bucket@region[/keyPrefix]`). */
  readonly targets: readonly string[];
  /** The roles the statements allow. */
  readonly roles: readonly PlannedRole[];
  /** A bucket policy of exactly these statements (merge them into an existing policy). */
  readonly policy: PolicyDocument & { readonly Statement: readonly PolicyStatementJson[] };
}

/** The statements the key policy of a target key in another account must add. */
export interface KeyGrant {
  /** The configured key ARN (an alias ARN names the key behind the alias). */
  readonly keyArn: string;
  readonly region: string;
  /** The account that owns the key (from its ARN). */
  readonly account: string;
  readonly targets: readonly string[];
  readonly roles: readonly PlannedRole[];
  readonly statements: readonly PolicyStatementJson[];
}

/** Every resource-side grant of a configuration. */
export interface CrossAccountGrants {
  readonly buckets: readonly BucketGrant[];
  readonly keys: readonly KeyGrant[];
}

/** What stands for a role ARN that is not known (the statement is then a template). */
export function roleArnPlaceholder(role: PlannedRole): string {
  return `<${role} role ARN>`;
}

/** The account of an IAM role ARN (`arn:<partition>:iam::<account>:role/<name>`), if it is one. */
export function accountOfRoleArn(arn: string): string | undefined {
  const match = /^arn:[a-z-]+:iam::(\d{12}):role\/.+$/.exec(arn);
  return match?.[1];
}

/**
 * `copy-object` → `CopyObject`: the role's part of a statement id (letters and digits only), and the
 * task's construct id in the stack (infra/function-settings.ts).
 */
export function rolePascalName(role: PlannedRole): string {
  return role
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The `Sid` of a role's `index`-th (from 1) statement in a resource policy: `ArtifactRelay` + the
 * role + what the policy is for + the index. Stable for one configuration, so re-applying the
 * statements replaces them rather than adding copies.
 */
export function grantSid(role: PlannedRole, kind: 'Bucket' | 'Key', index: number): string {
  return `ArtifactRelay${rolePascalName(role)}${kind}${index}`;
}

function isForeign(account: string, relayAccount: string | undefined, fallback: boolean): boolean {
  return relayAccount === undefined ? fallback : account !== relayAccount;
}

/** Whether `resource` is the bucket or an object pattern in it. */
function onBucket(resource: string, bucketArn: string): boolean {
  return resource === bucketArn || resource.startsWith(`${bucketArn}/`);
}

function principalOf(role: PlannedRole, roleArns: RelayRoleArns): { readonly AWS: string } {
  return { AWS: roleArns[role] ?? roleArnPlaceholder(role) };
}

function bucketStatements(
  plan: Readonly<Record<PlannedRole, readonly PlannedStatement[]>>,
  bucketArn: string,
  roleArns: RelayRoleArns,
): { statements: PolicyStatementJson[]; roles: PlannedRole[] } {
  const statements: PolicyStatementJson[] = [];
  const roles: PlannedRole[] = [];
  for (const role of PLANNED_ROLES) {
    let index = 0;
    for (const planned of plan[role]) {
      const resources = planned.resources.filter((resource) => onBucket(resource, bucketArn));
      if (resources.length === 0) continue;
      index += 1;
      statements.push({
        Sid: grantSid(role, 'Bucket', index),
        Effect: 'Allow',
        Principal: principalOf(role, roleArns),
        Action: [...planned.actions],
        Resource: resources,
        ...(planned.conditions === undefined ? {} : { Condition: planned.conditions }),
      });
    }
    if (index > 0) roles.push(role);
  }
  return { statements, roles };
}

const ALIAS_CONDITION = 'ForAnyValue:StringEquals';

/** Whether a planned statement grants use of the configured key `keyArn`. */
function onKey(planned: PlannedStatement, keyArn: string): boolean {
  const grant = kmsKeyGrant(keyArn);
  if (!planned.resources.includes(grant.resource)) return false;
  const alias = planned.conditions?.[ALIAS_CONDITION]?.['kms:ResourceAliases'];
  return grant.alias === undefined ? alias === undefined : alias === grant.alias;
}

/** The plan's conditions without the alias match, which a key policy (on the key itself) does not need. */
function keyConditions(planned: PlannedStatement): PolicyStatementJson['Condition'] {
  if (planned.conditions === undefined) return undefined;
  const { [ALIAS_CONDITION]: _alias, ...rest } = planned.conditions;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

function keyStatements(
  plan: Readonly<Record<PlannedRole, readonly PlannedStatement[]>>,
  keyArn: string,
  roleArns: RelayRoleArns,
): { statements: PolicyStatementJson[]; roles: PlannedRole[] } {
  const statements: PolicyStatementJson[] = [];
  const roles: PlannedRole[] = [];
  for (const role of PLANNED_ROLES) {
    let index = 0;
    for (const planned of plan[role]) {
      if (!onKey(planned, keyArn)) continue;
      index += 1;
      const condition = keyConditions(planned);
      statements.push({
        Sid: grantSid(role, 'Key', index),
        Effect: 'Allow',
        Principal: principalOf(role, roleArns),
        Action: [...planned.actions],
        Resource: '*',
        ...(condition === undefined ? {} : { Condition: condition }),
      });
    }
    if (index > 0) roles.push(role);
  }
  return { statements, roles };
}

interface Found<T> {
  readonly first: T;
  readonly targets: string[];
}

function collect<T>(map: Map<string, Found<T>>, key: string, value: T, target: string): void {
  const found = map.get(key);
  if (found === undefined) map.set(key, { first: value, targets: [target] });
  else if (!found.targets.includes(target)) found.targets.push(target);
}

/**
 * The bucket policy and key policy statements every target in another account needs, one entry per
 * bucket and per key. A target bucket is another account's when the target names an `account` that
 * is not the relay's; a target key when its ARN's account is not the relay's. Same-account targets
 * need nothing here: the roles' identity policies suffice (the default key policy lets IAM decide).
 */
export function crossAccountGrants(input: CrossAccountInput): CrossAccountGrants {
  const { config, relayAccount, roleArns } = input;
  const plan = planPermissions(config, relayAccount ?? '*');
  const buckets = new Map<string, Found<{ bucket: string; region: string; account: string }>>();
  const keys = new Map<string, Found<{ keyArn: string; region: string; account: string }>>();
  for (const source of config.sources) {
    for (const rule of source.rules) {
      for (const target of rule.targets) {
        const id = targetId(target);
        if (target.account !== undefined && isForeign(target.account, relayAccount, true)) {
          const { bucket, region, account } = target;
          collect(buckets, bucket, { bucket, region, account }, id);
        }
        if (target.encryption.type !== 'aws:kms') continue;
        const keyArn = target.encryption.kmsKeyArn;
        const parsed = parseKmsKeyArn(keyArn);
        if (parsed === undefined) continue;
        if (isForeign(parsed.account, relayAccount, parsed.account === target.account)) {
          collect(keys, keyArn, { keyArn, region: parsed.region, account: parsed.account }, id);
        }
      }
    }
  }
  return {
    buckets: [...buckets.values()].map(({ first, targets }) => {
      const bucketArn = s3BucketArn(partitionOf(first.region), first.bucket);
      const { statements, roles } = bucketStatements(plan, bucketArn, roleArns);
      return { ...first, targets, roles, policy: { Version: POLICY_VERSION, Statement: statements } };
    }),
    keys: [...keys.values()].map(({ first, targets }) => {
      const { statements, roles } = keyStatements(plan, first.keyArn, roleArns);
      return { ...first, targets, roles, statements };
    }),
  };
}
