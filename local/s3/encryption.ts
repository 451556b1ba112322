/**
 * Server-side encryption as S3 records it: SSE-S3 (`AES256`, the default for every new object since
 * 2023) or SSE-KMS (`aws:kms`, with a key ARN in the bucket's region and an optional bucket key), chosen by
 * the request's headers or else by the bucket's default encryption. Nothing is actually encrypted; the
 * settings are stored, returned on every read, and drive the ETag rule (not the MD5 under SSE-KMS).
 *
 * Under SSE-KMS, S3 asks KMS for a data key on every write and to decrypt it on every read of the bytes
 * (not on HEAD, which reads metadata only). The local S3 asks the local KMS through {@link KeyRegistry}
 * (kms-authorization.ts) whether the key can be used — and, for a registered principal, whether the
 * key policy lets it — and answers as S3 does when it cannot: `KMS.NotFoundException`,
 * `KMS.DisabledException` or `KMS.KMSInvalidStateException` (pending deletion), HTTP 400; or 403
 * AccessDenied.
 */
import type { ContextInput, Decision } from '../iam/evaluate.ts';
import type { Principal } from '../iam/principals.ts';
import { header, type S3Request } from './context.ts';
import { S3Errors } from './errors.ts';
import type { BucketRecord, Encryption } from './store/records.ts';

const KMS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;
const KEY_ID =
  /^(mrk-)?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^mrk-[0-9a-f]{32}$/i;

/** The AWS managed key S3 uses when SSE-KMS names no key. */
export function defaultKmsKey(region: string, accountId: string): string {
  return `arn:aws:kms:${region}:${accountId}:alias/aws/s3`;
}

/**
 * A KMS key reference as a full ARN in the bucket's region: a key or alias ARN (of any account: a
 * key of another account is named by ARN), or a key id or `alias/…`, which resolve in `keyAccount`.
 * @param keyAccount the account a key id or alias without ARN resolves in (see {@link requestedEncryption}).
 * @throws S3Error KMS.NotFoundException for an ARN in another region or an unknown form, as S3 answers.
 */
export function resolveKmsKey(keyId: string, bucketRegion: string, keyAccount: string): string {
  const arn = KMS_ARN.exec(keyId);
  if (arn) {
    if (arn[1] !== bucketRegion) throw S3Errors.kmsNotFound(`Invalid arn ${arn[1]}`);
    return keyId;
  }
  if (keyId.startsWith('arn:')) throw S3Errors.kmsNotFound(`Invalid arn ${keyId}`);
  if (/^alias\/[A-Za-z0-9/_-]+$/.test(keyId)) return `arn:aws:kms:${bucketRegion}:${keyAccount}:${keyId}`;
  if (KEY_ID.test(keyId)) return `arn:aws:kms:${bucketRegion}:${keyAccount}:key/${keyId}`;
  throw S3Errors.kmsNotFound(`Invalid keyId ${keyId}`);
}

function isKms(algorithm: string): algorithm is 'aws:kms' | 'aws:kms:dsse' {
  return algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse';
}

/** A bucket's default encryption (SSE-S3 when none is configured). */
export function bucketDefaultEncryption(bucket: BucketRecord): Encryption {
  return bucket.encryption ?? { algorithm: 'AES256', bucketKeyEnabled: false };
}

/**
 * The encryption a write asks for, or the bucket's default. A key id or alias without ARN in the
 * request resolves in the requester's account (`accounts.caller`), the bucket's default key and the
 * `aws/s3` key in the bucket owner's (`accounts.owner`) — "Specifying server-side encryption with AWS
 * KMS", S3 User Guide: a key of another account must be named by its ARN.
 * @throws S3Error InvalidArgument (unknown algorithm, key id without aws:kms), KMS.NotFoundException,
 *   NotImplemented for SSE-C.
 */
export function requestedEncryption(
  request: S3Request,
  bucket: BucketRecord,
  accounts: { readonly caller: string; readonly owner: string },
): Encryption {
  if (header(request, 'x-amz-server-side-encryption-customer-algorithm') !== undefined) {
    throw S3Errors.notImplemented('server-side encryption with customer-provided keys (SSE-C)');
  }
  const algorithm = header(request, 'x-amz-server-side-encryption');
  const keyId = header(request, 'x-amz-server-side-encryption-aws-kms-key-id');
  const bucketKey = header(request, 'x-amz-server-side-encryption-bucket-key-enabled')?.toLowerCase();
  if (keyId !== undefined && (algorithm === undefined || !isKms(algorithm))) {
    throw S3Errors.invalidArgument(
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      'x-amz-server-side-encryption',
      algorithm ?? 'null',
    );
  }
  const fallback = bucketDefaultEncryption(bucket);
  if (algorithm === undefined) {
    if (!isKms(fallback.algorithm)) return { algorithm: 'AES256' };
    return {
      algorithm: fallback.algorithm,
      kmsKeyId:
        fallback.kmsKeyId !== undefined
          ? resolveKmsKey(fallback.kmsKeyId, bucket.region, accounts.owner)
          : defaultKmsKey(bucket.region, accounts.owner),
      bucketKeyEnabled: bucketKey === undefined ? (fallback.bucketKeyEnabled ?? false) : bucketKey === 'true',
    };
  }
  if (algorithm === 'AES256') return { algorithm: 'AES256' };
  if (!isKms(algorithm)) {
    throw S3Errors.invalidArgument(
      'The encryption method specified is not supported',
      'x-amz-server-side-encryption',
      algorithm,
    );
  }
  const sameAsDefault = isKms(fallback.algorithm) ? fallback.kmsKeyId : undefined;
  return {
    algorithm,
    kmsKeyId:
      keyId !== undefined
        ? resolveKmsKey(keyId, bucket.region, accounts.caller)
        : sameAsDefault !== undefined
          ? resolveKmsKey(sameAsDefault, bucket.region, accounts.owner)
          : defaultKmsKey(bucket.region, accounts.owner),
    bucketKeyEnabled:
      bucketKey === undefined
        ? isKms(fallback.algorithm) && (fallback.bucketKeyEnabled ?? false)
        : bucketKey === 'true',
  };
}

/** `x-amz-server-side-encryption*` response headers. */
export function encryptionHeaders(encryption: Encryption): Record<string, string> {
  const out: Record<string, string> = { 'x-amz-server-side-encryption': encryption.algorithm };
  if (encryption.kmsKeyId !== undefined)
    out['x-amz-server-side-encryption-aws-kms-key-id'] = encryption.kmsKeyId;
  if (encryption.bucketKeyEnabled) out['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  return out;
}

/** Whether objects under this encryption get an ETag that is not their MD5. */
export function hidesMd5(encryption: Encryption): boolean {
  return isKms(encryption.algorithm);
}

/**
 * The local KMS as S3 sees it (local/kms/service.ts implements it): S3's use of a key or alias ARN in a
 * bucket's region, on behalf of a registered principal when there is one. KMS resolves the key (any
 * account; `alias/aws/s3` is created on first use, as KMS does), decides the principal's use against
 * the key policy and its identity policies, and checks the key's state. kms-authorization.ts asks.
 */
export interface KeyRegistry {
  useKey(request: {
    readonly key: string;
    readonly region: string;
    readonly action: string;
    readonly principal?: Principal;
    readonly context?: ContextInput;
  }): Promise<
    | { readonly outcome: 'allowed'; readonly keyArn: string; readonly decision?: Decision }
    | { readonly outcome: 'denied'; readonly keyArn: string; readonly decision: Decision }
    | { readonly outcome: 'unusable'; readonly code: string; readonly message: string }
  >;
}

/** The KMS key an encryption uses, when it is SSE-KMS. */
export function kmsKeyOf(encryption: Encryption | undefined): string | undefined {
  if (!encryption || !isKms(encryption.algorithm)) return undefined;
  return encryption.kmsKeyId;
}
