/**
 * Validation of AWS names the configuration and the inputs carry: S3 bucket names (general
 * purpose bucket naming rules), region codes, account ids and KMS key ARNs.
 */

const RESERVED_BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'] as const;
const RESERVED_BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'] as const;

/** A short statement of the S3 general purpose bucket naming rules, for error messages. */
export const BUCKET_NAME_RULES =
  '3-63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit, no "..", not an IP address, no reserved prefix (xn--, sthree-, amzn-s3-demo-) or suffix (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)';

/** A JSON-schema-friendly pattern covering the character rules of bucket names. */
export const BUCKET_NAME_PATTERN = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';

/**
 * Why `name` is not a valid S3 general purpose bucket name, or `undefined` when it is.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'a bucket name must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name))
    return 'a bucket name may only contain lowercase letters, digits, "." and "-"';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    return 'a bucket name must begin and end with a letter or digit';
  if (name.includes('..')) return 'a bucket name must not contain two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'a bucket name must not be formatted as an IP address';
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined) return `a bucket name must not start with the reserved prefix "${prefix}"`;
  const suffix = RESERVED_BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix !== undefined) return `a bucket name must not end with the reserved suffix "${suffix}"`;
  return undefined;
}

/** Whether `name` is a valid S3 general purpose bucket name. */
export function isBucketName(name: string): boolean {
  return bucketNameProblem(name) === undefined;
}

/**
 * The shape of a region code: `us-west-2`, `ap-northeast-2`, `us-gov-west-1`, `cn-north-1`,
 * `us-isob-east-1`, `eu-isoe-west-1`, `eusc-de-east-1`. Which codes exist is `regions.ts`'s
 * business.
 */
export const REGION_PATTERN = '^([a-z]{2}(-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-[0-9]{1,2}$';

const REGION_REGEX = new RegExp(REGION_PATTERN);

/** Whether `region` looks like an AWS region code. */
export function isRegion(region: string): boolean {
  return REGION_REGEX.test(region);
}

/** A 12-digit AWS account id. */
export const ACCOUNT_PATTERN = '^[0-9]{12}$';

/** Whether `account` is a 12-digit AWS account id. */
export function isAccountId(account: string): boolean {
  return /^[0-9]{12}$/.test(account);
}

/** The parts of a KMS key (or alias) ARN. */
export interface KmsKeyArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** `key/<id>` or `alias/<name>`. */
  readonly resource: string;
}

/** Pattern of a KMS key ARN (`arn:aws:kms:<region>:<account>:key/<id>`) or alias ARN. */
export const KMS_KEY_ARN_PATTERN =
  '^arn:aws[a-z-]*:kms:([a-z]{2}(-gov|-iso[a-z]?)?|eusc-[a-z]{2})-[a-z]+-[0-9]{1,2}:[0-9]{12}:(key/[A-Za-z0-9-]{1,128}|alias/[A-Za-z0-9/_-]{1,250})$';

const KMS_KEY_ARN_REGEX = new RegExp(KMS_KEY_ARN_PATTERN);

/** Splits a KMS key or alias ARN into its parts, or `undefined` when it is not one. */
export function parseKmsKeyArn(arn: string): KmsKeyArn | undefined {
  if (!KMS_KEY_ARN_REGEX.test(arn)) return undefined;
  const [, partition, , region, account, ...resource] = arn.split(':');
  if (partition === undefined || region === undefined || account === undefined) return undefined;
  return { partition, region, account, resource: resource.join(':') };
}
