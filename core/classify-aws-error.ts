import { parseKmsKeyArn } from './aws-names.ts';
import {
  AccessDenied,
  type AccessDeniedOptions,
  BucketRegionMismatch,
  CopyTooLarge,
  DeploymentGroupBusy,
  DeploymentRejected,
  KmsKeyUnusable,
  MultipartUploadGone,
  NoSuchTargetBucket,
  RelayError,
  type RelayErrorOptions,
  SourceArchived,
  SourceChanged,
  SourceGone,
  TransientAwsError,
  UnexpectedAwsError,
  UnsupportedTargetSetting,
} from './errors.ts';
import { s3ViaService } from './permissions/arns.ts';

/** What the failed call was doing; used for the message and to pick source/target meanings. */
export interface AwsErrorContext {
  /** The operation, such as `s3:CopyObject` or `codedeploy:CreateDeployment`. */
  readonly operation: string;
  /** Whether the call addressed the source object or the target (decides e.g. what `NoSuchBucket` means). */
  readonly side?: 'source' | 'target';
  readonly bucket?: string;
  readonly key?: string;
  /** The target's id, for messages. */
  readonly target?: string;
  /** The KMS key the call encrypts or decrypts with (SSE-KMS), for messages. */
  readonly kmsKeyArn?: string;
  /**
   * The SSE-KMS key of the source object the call reads (a copy request reads the source while
   * writing the target), for the advice on a denial.
   */
  readonly sourceKmsKeyArn?: string;
  /** The object version the call named, if any (a denied HEAD then needs s3:GetObjectVersion). */
  readonly versionId?: string;
}

/** Throttling and transient service errors, by AWS error code. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'TransactionInProgressException',
  'EC2ThrottledException',
  'RequestTimeout',
  'RequestTimeoutException',
  'RequestTimeTooSkewed',
  'OperationAborted',
  // S3: two conditional writes (If-None-Match / If-Match) to one key at once; retry the write.
  'ConditionalRequestConflict',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'ServiceException',
  'KeyUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'TimeoutError',
  'AbortError',
]);

/** Node.js socket error codes that mean the connection, not the request, failed. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const ACCESS_CODES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AllAccessDisabled',
  'AccountProblem',
  'InvalidAccessKeyId',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'UnrecognizedClientException',
  'IAMRoleMissingException',
]);

/** KMS codes (S3 prefixes them with `KMS.`) meaning the key itself cannot be used. */
const KMS_UNUSABLE_CODES: ReadonlySet<string> = new Set([
  'DisabledException',
  'KMSInvalidStateException',
  'NotFoundException',
  'InvalidKeyUsageException',
  'IncorrectKeyException',
  'InvalidArnException',
]);

const REGION_CODES: ReadonlySet<string> = new Set([
  'PermanentRedirect',
  'AuthorizationHeaderMalformed',
  'IllegalLocationConstraintException',
]);

const DEPLOYMENT_REJECTED_CODES: ReadonlySet<string> = new Set([
  'ApplicationDoesNotExistException',
  'DeploymentGroupDoesNotExistException',
  'DeploymentConfigDoesNotExistException',
  'InvalidApplicationNameException',
  'InvalidDeploymentGroupNameException',
  'InvalidDeploymentConfigNameException',
  'InvalidRevisionException',
  'RevisionDoesNotExistException',
  'InvalidFileExistsBehaviorException',
  'InvalidRoleException',
  'DeploymentGroupNameRequiredException',
  'ApplicationNameRequiredException',
]);

const SOURCE_MISSING_CODES: ReadonlySet<string> = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

/** 404 answers about something other than the object: its bucket, or a multipart upload. */
const NOT_OBJECT_CODES: ReadonlySet<string> = new Set(['NoSuchBucket', 'NoSuchUpload']);

/** The HTTP status of a failed AWS response, if the error came from one. */
export function httpStatusOf(err: unknown): number | undefined {
  return readFacts(err).status;
}

/** The AWS error code (`Code`, else the SDK error's `name`). */
export function errorCodeOf(err: unknown): string | undefined {
  return readFacts(err).code;
}

/**
 * Whether the object (or the version) asked for does not exist: 404, or 405 — S3's answer when the
 * version asked for is a delete marker (HEAD answers carry no body, so the status decides).
 */
export function isMissingObject(err: unknown): boolean {
  const { status, code } = readFacts(err);
  if (status === 404 || status === 405) return !NOT_OBJECT_CODES.has(code ?? '');
  return code !== undefined && SOURCE_MISSING_CODES.has(code);
}

/** Whether a conditional request failed (`If-Match` / `x-amz-copy-source-if-match`): 412. */
export function isPreconditionFailed(err: unknown): boolean {
  const { status, code } = readFacts(err);
  return status === 412 || code === 'PreconditionFailed';
}

/**
 * The Node.js socket error code that says the connection, not the request, failed — on the error, its
 * cause, or the errors it aggregates (the SDK wraps them) — if there is one.
 */
export function networkErrorCode(err: unknown, depth = 0): string | undefined {
  if (typeof err !== 'object' || err === null || depth > 4) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  const nested = [(err as { cause?: unknown }).cause, ...((err as { errors?: unknown[] }).errors ?? [])];
  for (const inner of nested) {
    const found = networkErrorCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

interface AwsErrorFacts {
  readonly code: string | undefined;
  readonly status: number | undefined;
  readonly sdkRetryable: boolean;
  readonly networkCode: string | undefined;
}

function readFacts(err: unknown): AwsErrorFacts {
  if (typeof err !== 'object' || err === null) {
    return { code: undefined, status: undefined, sdkRetryable: false, networkCode: undefined };
  }
  const record = err as Record<string, unknown>;
  const metadata = record.$metadata as Record<string, unknown> | undefined;
  const status =
    typeof metadata?.httpStatusCode === 'number'
      ? metadata.httpStatusCode
      : typeof record.statusCode === 'number'
        ? record.statusCode
        : undefined;
  const rawCode =
    typeof record.Code === 'string' ? record.Code : typeof record.name === 'string' ? record.name : undefined;
  const code = rawCode === 'Error' ? undefined : rawCode;
  const nodeCode = typeof record.code === 'string' ? record.code : undefined;
  const causeCode =
    typeof record.cause === 'object' && record.cause !== null
      ? (record.cause as Record<string, unknown>).code
      : undefined;
  const networkCode = [nodeCode, typeof causeCode === 'string' ? causeCode : undefined].find(
    (c): c is string => c !== undefined && NETWORK_CODES.has(c),
  );
  return { code, status, sdkRetryable: Boolean(record.$retryable), networkCode };
}

function describeWhere(context: AwsErrorContext): string {
  const object =
    context.bucket === undefined
      ? undefined
      : context.key === undefined
        ? `s3://${context.bucket}`
        : `s3://${context.bucket}/${context.key}`;
  const parts = [object, context.target === undefined ? undefined : `target ${context.target}`].filter(
    (p): p is string => p !== undefined,
  );
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** The S3 requests that decrypt what they read (S3 calls kms:Decrypt for an SSE-KMS object). */
const DECRYPTING_OPERATIONS: ReadonlySet<string> = new Set([
  's3:CopyObject',
  's3:UploadPartCopy',
  's3:GetObject',
]);

/**
 * What an unusable KMS key means and how to fix it: which key (the context's, else the one S3's own
 * message names), in which region, and what to do for that KMS code.
 */
function kmsKeyAdvice(bare: string, context: AwsErrorContext): string {
  const arn = context.kmsKeyArn;
  const region = arn === undefined ? undefined : parseKmsKeyArn(arn)?.region;
  const whose = context.side === 'source' ? "the source object's KMS key" : "the target's KMS key";
  // A copy request uses both keys, and only S3's message (never read) says which one failed.
  const alsoSource =
    context.side === 'target' &&
    context.sourceKmsKeyArn !== undefined &&
    DECRYPTING_OPERATIONS.has(context.operation)
      ? ` (or the source object's key ${context.sourceKmsKeyArn})`
      : '';
  const key = `${arn === undefined ? whose : `${whose} ${arn}`}${alsoSource}`;
  const where = region === undefined ? '' : ` in ${region}`;
  const cli = arn === undefined ? '<key-arn>' : arn;
  const inRegion = region === undefined ? '' : ` --region ${region}`;
  switch (bare) {
    case 'DisabledException':
      return `${key}${where} is disabled — enable it (aws kms enable-key --key-id ${cli}${inRegion}) or configure an enabled key`;
    case 'KMSInvalidStateException':
      return `${key}${where} is pending deletion or otherwise not usable — cancel the deletion and enable it (aws kms cancel-key-deletion, then aws kms enable-key --key-id ${cli}${inRegion}) or configure another key`;
    case 'NotFoundException':
    case 'InvalidArnException':
      return `${key} does not exist${where === '' ? " in the bucket's region" : where} — KMS keys are regional: create the key in the ${context.side === 'source' ? "source bucket's" : "target's"} region (aws kms create-key${inRegion}) and set its ARN as kmsKeyArn in relay.config.json`;
    default:
      return `${key}${where} cannot be used — configure a symmetric encryption key (SYMMETRIC_DEFAULT) in the target's region`;
  }
}

/**
 * What a 403 on HeadObject most likely lacks. S3 answers a HEAD without a body, so the denial never
 * names its action: the caller needs `s3:GetObject` (`s3:GetObjectVersion` for a version) on the
 * object, and — when the object may be missing — `s3:ListBucket` on the bucket, without which S3
 * answers a missing object with 403 instead of 404 (HeadObject API reference, "Permissions").
 */
function deniedHeadAdvice(context: AwsErrorContext): string {
  const read = context.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
  const object =
    context.bucket === undefined ? 'on the object' : `on s3://${context.bucket}/${context.key ?? '<key>'}`;
  const bucket = context.bucket === undefined ? 'on its bucket' : `on the bucket ${context.bucket}`;
  return `access denied to a HEAD (S3 sends no error body, so the denied action is not named) — the likely missing grants are ${read} ${object} and s3:ListBucket ${bucket} (without s3:ListBucket, S3 answers 403 rather than 404 for an object that does not exist); also check the bucket policy and ExpectedBucketOwner`;
}

/**
 * What a denial of a request that reads an SSE-KMS source may lack: `kms:Decrypt` on the source key
 * through S3. The relay's roles grant it themselves (limited to S3 in the source region); the key
 * policy must allow it too — for a key of another account always, for one of the relay's account by
 * allowing the account root so that IAM policies decide (AWS KMS Developer Guide, "Key policies";
 * "Allowing users in other accounts to use a KMS key").
 */
function sourceKeyAdvice(context: AwsErrorContext): string | undefined {
  const arn = context.sourceKmsKeyArn;
  if (arn === undefined || !DECRYPTING_OPERATIONS.has(context.operation)) return undefined;
  const parsed = parseKmsKeyArn(arn);
  const account = parsed === undefined ? '' : ` (account ${parsed.account})`;
  const via = parsed === undefined ? '' : ` (kms:ViaService ${s3ViaService(parsed.region)})`;
  return `the source object is encrypted with the KMS key ${arn}, and reading it needs kms:Decrypt on that key through S3${via}: the relay's roles allow it in their own policies, so the key policy${account} must allow the relay's copy-object and verify-copy roles kms:Decrypt (in the key's own account, the default key policy's account-root statement lets those IAM policies decide)`;
}

/** The general advice on a denied request, naming the KMS keys the request involves. */
function deniedAdvice(context: AwsErrorContext): string {
  const target =
    context.kmsKeyArn === undefined
      ? 'and kms:Decrypt/kms:GenerateDataKey on the KMS keys involved'
      : `and kms:GenerateDataKey/kms:Decrypt on the target's KMS key ${context.kmsKeyArn}`;
  const general = `grant the relay's role this action on the bucket (${target}), and check the bucket policy and ExpectedBucketOwner`;
  const source = sourceKeyAdvice(context);
  return source === undefined ? general : `${source}; otherwise ${general}`;
}

function deniedOptions(
  context: AwsErrorContext,
  options: RelayErrorOptions,
  label: string,
): AccessDeniedOptions {
  return {
    ...options,
    request: label,
    ...(context.side === undefined ? {} : { side: context.side }),
    ...(context.bucket === undefined ? {} : { bucket: context.bucket }),
  };
}

function originalMessage(err: unknown): string {
  return err instanceof Error && err.message !== '' ? `: ${err.message}` : '';
}

/**
 * Maps an AWS SDK (or network) error to the relay error that says what it means, by error
 * name/code, HTTP status and the SDK's `$retryable` flag — never by message text. A relay error
 * is returned unchanged. The original error is kept as `cause`.
 */
export function classifyAwsError(err: unknown, context: AwsErrorContext): RelayError {
  if (err instanceof RelayError) return err;
  const facts = readFacts(err);
  const options: RelayErrorOptions = {
    cause: err,
    operation: context.operation,
    ...(facts.code === undefined ? {} : { awsCode: facts.code }),
    ...(facts.status === undefined ? {} : { httpStatus: facts.status }),
  };
  const where = describeWhere(context);
  const label = `${context.operation}${where} failed with ${facts.code ?? facts.networkCode ?? 'an unknown error'}${
    facts.status === undefined ? '' : ` (HTTP ${facts.status})`
  }`;
  const code = facts.code ?? '';
  const isKms = code.startsWith('KMS.');
  const bare = isKms ? code.slice('KMS.'.length) : code;

  if (bare === 'DeploymentLimitExceededException') {
    return new DeploymentGroupBusy(
      `${label}: the deployment group already has a deployment in progress; the relay waits and retries`,
      options,
    );
  }
  if (DEPLOYMENT_REJECTED_CODES.has(bare)) {
    return new DeploymentRejected(
      `${label}: check the target's deploy settings (application, deploymentGroup, deploymentConfigName, bundleType) against CodeDeploy in the target's region${originalMessage(err)}`,
      options,
    );
  }
  if (TRANSIENT_CODES.has(bare) || facts.networkCode !== undefined) {
    return new TransientAwsError(`${label}: transient, will be retried`, options);
  }
  if (KMS_UNUSABLE_CODES.has(bare) && (isKms || bare !== 'NotFoundException')) {
    return new KmsKeyUnusable(`${label}: ${kmsKeyAdvice(bare, context)}${originalMessage(err)}`, options);
  }
  if (ACCESS_CODES.has(bare) || (isKms && bare.includes('AccessDenied'))) {
    return new AccessDenied(`${label}: ${deniedAdvice(context)}`, deniedOptions(context, options, label));
  }
  if (REGION_CODES.has(bare) || facts.status === 301) {
    return new BucketRegionMismatch(
      `${label}: the bucket is in another region than the configuration says — fix the region in relay.config.json`,
      options,
    );
  }
  if (bare === 'NoSuchBucket') {
    return context.side === 'target'
      ? new NoSuchTargetBucket(
          `${label}: the target bucket does not exist — create it in the target's region or fix the bucket name`,
          options,
        )
      : new SourceGone(`${label}: the source bucket no longer exists`, options);
  }
  if (context.side !== 'target' && SOURCE_MISSING_CODES.has(bare)) {
    return new SourceGone(`${label}: the source object (or the pinned version) no longer exists`, options);
  }
  if (context.side !== 'target' && bare === 'PreconditionFailed') {
    return new SourceChanged(
      `${label}: the source object changed since the event; a newer event will relay it`,
      options,
    );
  }
  if (bare === 'InvalidObjectState') {
    return new SourceArchived(`${label}: the object is archived; restore it before relaying`, options);
  }
  if (bare === 'AccessControlListNotSupported') {
    return new UnsupportedTargetSetting(
      `${label}: the target bucket enforces bucket-owner object ownership (ACLs disabled) — remove "acl" from the target`,
      options,
    );
  }
  if (bare === 'InvalidStorageClass') {
    return new UnsupportedTargetSetting(
      `${label}: the target bucket does not accept the configured storageClass`,
      options,
    );
  }
  if (bare === 'EntityTooLarge') {
    return new CopyTooLarge(`${label}: the object is too large for this request`, options);
  }
  if (bare === 'NoSuchUpload') {
    return new MultipartUploadGone(
      `${label}: the multipart upload no longer exists (aborted or expired); the copy must start again`,
      options,
    );
  }
  if (facts.status === 403 && context.operation === 's3:HeadObject') {
    return new AccessDenied(`${label}: ${deniedHeadAdvice(context)}`, deniedOptions(context, options, label));
  }
  if (facts.status === 403) {
    const source = sourceKeyAdvice(context);
    return new AccessDenied(
      `${label}: access denied — ${source === undefined ? '' : `${source}; otherwise `}check the relay role's policy and the bucket policy`,
      deniedOptions(context, options, label),
    );
  }
  if (facts.sdkRetryable || facts.status === 429 || (facts.status !== undefined && facts.status >= 500)) {
    return new TransientAwsError(`${label}: transient, will be retried`, options);
  }
  return new UnexpectedAwsError(`${label}${originalMessage(err)}`, options);
}
