/**
 * Renders the grants targets in other accounts need (core/permissions/cross-account.ts) as Markdown:
 * per bucket the bucket policy, per key the key policy statements, each with the AWS CLI commands
 * that apply them. `relay iam cross-account` prints it and docs/cross-account.md is it, for the
 * README's example. PutBucketPolicy and PutKeyPolicy replace the whole policy (S3 API reference,
 * "PutBucketPolicy"; AWS KMS API reference, "PutKeyPolicy"), so the commands read the current
 * policy first and the statements are merged into it.
 */
import type { BucketGrant, CrossAccountGrants, KeyGrant } from '../../core/permissions/cross-account.ts';

/** What the rendering says about where the role ARNs came from. */
export interface RenderFacts {
  /** The configuration file, as shown. */
  readonly configName: string;
  readonly relayAccount: string | undefined;
  /** Roles that appear as placeholders (no ARN was found or given). */
  readonly placeholderRoles: readonly string[];
}

/** The widest line the repository's formatter (biome.json) leaves alone. */
const LINE_WIDTH = 110;

/**
 * JSON as the repository's formatter writes it (so the generated document passes the lint): objects
 * one member a line, arrays of plain values on one line when that line fits.
 */
export function formatJson(value: unknown, indent = '', lead = 0, trailing = 0): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => typeof item !== 'object' || item === null)) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (indent.length + lead + flat.length + trailing <= LINE_WIDTH) return flat;
    }
    const inner = `${indent}  `;
    const items = value.map(
      (item, i) => `${inner}${formatJson(item, inner, 0, i < value.length - 1 ? 1 : 0)}`,
    );
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const inner = `${indent}  `;
    const members = entries.map(([key, v], i) => {
      const name = `${JSON.stringify(key)}: `;
      return `${inner}${name}${formatJson(v, inner, name.length, i < entries.length - 1 ? 1 : 0)}`;
    });
    return `{\n${members.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

function json(value: unknown): string {
  return formatJson(value);
}

/** `artifacts-seoul` → `artifacts-seoul.bucket-policy.json`. */
function bucketFile(grant: BucketGrant): string {
  return `${grant.bucket}.bucket-policy.json`;
}

function keyFile(grant: KeyGrant): string {
  const id =
    grant.keyArn
      .split(':')
      .at(-1)
      ?.replace(/^(key|alias)\//, '') ?? 'key';
  return `key-${id.replace(/[^A-Za-z0-9_-]/g, '-')}.key-policy.json`;
}

/** The key id the KMS key policy APIs accept: the key ARN, or the key behind an alias ARN. */
function keyIdArgument(grant: KeyGrant): string {
  return grant.keyArn.includes(':alias/')
    ? `"$(aws kms describe-key --key-id ${grant.keyArn} --region ${grant.region} --query KeyMetadata.Arn --output text)"`
    : grant.keyArn;
}

function renderBucket(grant: BucketGrant): string[] {
  const file = bucketFile(grant);
  return [
    `## Bucket ${grant.bucket} (${grant.region}, account ${grant.account})`,
    '',
    `Targets: ${grant.targets.join(', ')}. Roles: ${grant.roles.join(', ')}.`,
    '',
    'Bucket policy (merge these statements into the existing policy; a statement with the same `Sid` is replaced):',
    '',
    '```json',
    json(grant.policy),
    '```',
    '',
    `Apply, as account ${grant.account} (put-bucket-policy replaces the whole policy):`,
    '',
    '```sh',
    `# the current policy, if the bucket has one (NoSuchBucketPolicy: start from the policy above)`,
    `aws s3api get-bucket-policy --bucket ${grant.bucket} --region ${grant.region} --query Policy --output text > ${file}`,
    `# add the statements above to its "Statement" list, then`,
    `aws s3api put-bucket-policy --bucket ${grant.bucket} --region ${grant.region} --policy file://${file}`,
    '```',
  ];
}

function renderKey(grant: KeyGrant): string[] {
  const file = keyFile(grant);
  const keyId = keyIdArgument(grant);
  return [
    `## Key ${grant.keyArn}`,
    '',
    `Account ${grant.account}, ${grant.region}. Targets: ${grant.targets.join(', ')}. Roles: ${grant.roles.join(', ')}.`,
    '',
    'Key policy statements (add them to the key policy, keeping its administrators):',
    '',
    '```json',
    json(grant.statements),
    '```',
    '',
    `Apply, as account ${grant.account} (put-key-policy replaces the whole key policy):`,
    '',
    '```sh',
    `aws kms get-key-policy --key-id ${keyId} --policy-name default --region ${grant.region} --query Policy --output text > ${file}`,
    `# add the statements above to its "Statement" list, then`,
    `aws kms put-key-policy --key-id ${keyId} --policy-name default --region ${grant.region} --policy file://${file}`,
    '```',
  ];
}

/** The grants as Markdown (ends with a newline). */
export function renderGrantsMarkdown(grants: CrossAccountGrants, facts: RenderFacts): string {
  const account = facts.relayAccount === undefined ? 'unknown' : facts.relayAccount;
  const lines: string[] = [
    '# Cross-account grants',
    '',
    `For ${facts.configName}; the relay's account: ${account}.`,
  ];
  if (facts.relayAccount === undefined) {
    lines.push(
      '',
      "The relay's account is not known (no role ARN, no stack): every target that names an `account` is shown.",
    );
  }
  if (facts.placeholderRoles.length > 0) {
    lines.push(
      '',
      `Replace ${facts.placeholderRoles.map((role) => `\`<${role} role ARN>\``).join(', ')} with the deployed roles' ARNs (\`relay iam cross-account --stack\` reads them from the stack).`,
    );
  }
  if (grants.buckets.length === 0 && grants.keys.length === 0) {
    lines.push('', "No target is in another account: the relay's own role policies are all it needs.");
  }
  for (const bucket of grants.buckets) lines.push('', ...renderBucket(bucket));
  for (const key of grants.keys) lines.push('', ...renderKey(key));
  return `${lines.join('\n')}\n`;
}
