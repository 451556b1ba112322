import { parseKmsKeyArn } from '../aws-names.ts';
import { partitionOf } from '../regions.ts';

/**
 * ARNs and ARN patterns for the relay's IAM policies, built from the configuration alone (no
 * tokens, except an account that may be the stack's `AWS::AccountId`). The partition of a region
 * has its one home in `core/regions.ts`.
 */

/**
 * Escapes text for use as a literal inside an IAM resource ARN: IAM reads `*` and `?` as
 * wildcards and `${…}` as a policy variable, and offers `${*}`, `${?}` and `${$}` for the
 * characters themselves.
 */
export function escapeIamLiteral(text: string): string {
  return text.replace(/[*?$]/g, (char) => '${' + char + '}');
}

/** `arn:<partition>:s3:::<bucket>` (the bucket may be an allowlist glob). */
export function s3BucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** Exactly one object: `…:::<bucket>/<key>` (IAM wildcards in the key taken literally). */
export function s3ObjectArn(partition: string, bucket: string, key: string): string {
  return `${s3BucketArn(partition, bucket)}/${escapeIamLiteral(key)}`;
}

/** The objects whose key starts with `prefix` and ends with `suffix`: `…:::<bucket>/<prefix>*<suffix>`. */
export function s3ObjectsArn(partition: string, bucket: string, prefix = '', suffix = ''): string {
  return `${s3BucketArn(partition, bucket)}/${escapeIamLiteral(prefix)}*${escapeIamLiteral(suffix)}`;
}

/** What a KMS grant names: the key ARN, or every key of the alias's account and region plus the alias. */
export interface KmsKeyGrant {
  readonly resource: string;
  /** The alias (`alias/name`) a `kms:ResourceAliases` condition must match, when the ARN is an alias. */
  readonly alias?: string;
}

/**
 * The resource of a grant on a configured key. IAM authorizes KMS use against the key ARN, never
 * the alias ARN; an alias is therefore granted as `key/*` of its account and region narrowed by
 * `kms:ResourceAliases`.
 *
 * @throws Error when `arn` is not a KMS key or alias ARN (the schema has rejected those already)
 */
export function kmsKeyGrant(arn: string): KmsKeyGrant {
  const parsed = parseKmsKeyArn(arn);
  if (parsed === undefined) throw new Error(`not a KMS key ARN: ${arn}`);
  if (!parsed.resource.startsWith('alias/')) return { resource: arn };
  return {
    resource: `arn:${parsed.partition}:kms:${parsed.region}:${parsed.account}:key/*`,
    alias: parsed.resource,
  };
}

/** Every KMS key of a region, in any account: `arn:<partition>:kms:<region>:*:key/*`. */
export function kmsKeysOfRegion(region: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:*:key/*`;
}

/**
 * How names enter a CodeDeploy ARN: escaped as IAM literals for a policy's Resource (the default),
 * or as they are (`literal`) for the resource a request names, which IAM matches policies against
 * (local/codedeploy/authorization.ts).
 */
export interface CodeDeployArnOptions {
  readonly literal?: boolean;
}

function codeDeployName(name: string, options: CodeDeployArnOptions): string {
  return options.literal === true ? name : escapeIamLiteral(name);
}

/** The CodeDeploy application ARN. */
export function codeDeployApplicationArn(
  region: string,
  account: string,
  application: string,
  options: CodeDeployArnOptions = {},
): string {
  return `arn:${partitionOf(region)}:codedeploy:${region}:${account}:application:${codeDeployName(application, options)}`;
}

/** The CodeDeploy deployment group ARN: `…:deploymentgroup:<application>/<group>`. */
export function codeDeployGroupArn(
  region: string,
  account: string,
  application: string,
  group: string,
  options: CodeDeployArnOptions = {},
): string {
  return `arn:${partitionOf(region)}:codedeploy:${region}:${account}:deploymentgroup:${codeDeployName(application, options)}/${codeDeployName(group, options)}`;
}

/** The CodeDeploy deployment configuration ARN; `*` for every configuration of the region. */
export function codeDeployConfigArn(
  region: string,
  account: string,
  config: string | undefined,
  options: CodeDeployArnOptions = {},
): string {
  const name = config === undefined ? '*' : codeDeployName(config, options);
  return `arn:${partitionOf(region)}:codedeploy:${region}:${account}:deploymentconfig:${name}`;
}

/** The S3 endpoint KMS sees as `kms:ViaService` for requests S3 makes in `region`. */
export function s3ViaService(region: string): string {
  return region.startsWith('cn-') ? `s3.${region}.amazonaws.com.cn` : `s3.${region}.amazonaws.com`;
}
