/**
 * S3's use of SSE-KMS keys, on the caller's behalf, as AWS documents it ("Protecting data with
 * server-side encryption using KMS keys (SSE-KMS)", S3 User Guide; "Permissions" of each operation
 * in the S3 API reference):
 *
 * - a new object (PutObject, CreateMultipartUpload, CopyObject's destination) → `kms:GenerateDataKey`;
 * - reading an object's bytes (GetObject; the source of CopyObject and UploadPartCopy) → `kms:Decrypt`;
 * - a part of an SSE-KMS upload (UploadPart, UploadPartCopy) → `kms:Decrypt` ("the requester needs
 *   permissions for the kms:Decrypt action on the UploadPart and UploadPartCopy APIs");
 * - CompleteMultipartUpload → `kms:Decrypt` when the upload carries an additional checksum ("If you
 *   provide an additional checksum value … you must have permission to use the kms:Decrypt action");
 * - HeadObject reads metadata only and uses no key.
 *
 * S3 sends KMS the request context AWS documents: `kms:ViaService` = `s3.<bucket region>.amazonaws.com`,
 * the encryption context `aws:s3:arn` = the object ARN, or the bucket ARN when the object uses an S3
 * Bucket Key (`kms:EncryptionContext:aws:s3:arn`, `kms:EncryptionContextKeys`); KMS adds
 * `kms:CallerAccount` and decides (local/kms/key-use.ts). A registered principal's denial answers
 * 403 AccessDenied naming the principal, the KMS action and the key ARN, as S3 passes KMS's message
 * on, and is kept in the authorization log (authorizer.ts) for a body-less answer. Account
 * administrators and unregistered access keys are not evaluated; the key must still be usable
 * (`KMS.NotFoundException`, `KMS.DisabledException`, `KMS.KMSInvalidStateException`, HTTP 400).
 */
import { s3ViaService } from '../../core/permissions/arns.ts';
import type { ContextInput, Decision } from '../iam/evaluate.ts';
import { UnsupportedPolicy } from '../iam/unsupported-policy.ts';
import { bucketArn, bucketPartition, objectArn } from './authorization.ts';
import type { S3Deps, S3Request } from './context.ts';
import { kmsKeyOf } from './encryption.ts';
import { S3Error, S3Errors } from './errors.ts';
import type { S3Operation } from './router.ts';
import type { BucketRecord, Encryption, UploadRecord } from './store/records.ts';

/** The KMS actions S3 calls on a caller's behalf. */
export type KmsAction = 'kms:GenerateDataKey' | 'kms:Decrypt';

/** Which object of an operation a key protects: the one it writes or reads, or a copy's source. */
export type KeyRole = 'object' | 'copy-source';

const OBJECT_ACTIONS: Partial<Record<S3Operation, KmsAction>> = {
  PutObject: 'kms:GenerateDataKey',
  CreateMultipartUpload: 'kms:GenerateDataKey',
  CopyObject: 'kms:GenerateDataKey',
  GetObject: 'kms:Decrypt',
  UploadPart: 'kms:Decrypt',
  UploadPartCopy: 'kms:Decrypt',
  CompleteMultipartUpload: 'kms:Decrypt',
};

const COPY_SOURCE_ACTIONS: Partial<Record<S3Operation, KmsAction>> = {
  CopyObject: 'kms:Decrypt',
  UploadPartCopy: 'kms:Decrypt',
};

/** The KMS action S3 calls for `operation`'s object or copy source under SSE-KMS; none for HEAD. */
export function kmsActionFor(operation: S3Operation, role: KeyRole): KmsAction | undefined {
  return (role === 'object' ? OBJECT_ACTIONS : COPY_SOURCE_ACTIONS)[operation];
}

/** Where an SSE-KMS object lives, as its encryption context names it. */
export interface KeyedObject {
  readonly bucket: string;
  /** The bucket's region: S3 calls KMS there. */
  readonly region: string;
  readonly key: string;
}

/**
 * The request context S3 gives KMS for an object: `kms:ViaService`, and the encryption context
 * `aws:s3:arn` (the object ARN, or the bucket ARN under an S3 Bucket Key) with its key list.
 */
export function s3KmsContext(object: KeyedObject, bucketKeyEnabled: boolean): ContextInput {
  const partition = bucketPartition(object.region);
  const arn = bucketKeyEnabled
    ? bucketArn(object.bucket, partition)
    : objectArn(object.bucket, object.key, partition);
  return {
    'kms:ViaService': s3ViaService(object.region),
    'kms:EncryptionContext:aws:s3:arn': arn,
    'kms:EncryptionContextKeys': ['aws:s3:arn'],
  };
}

/**
 * AWS's message for a KMS action the key policy or identity policies do not allow, as S3 passes it
 * on: `User: <arn> is not authorized to perform: kms:Decrypt on resource: <key ARN> because …`.
 */
export function kmsAccessDeniedMessage(
  principalArn: string,
  action: string,
  keyArn: string,
  decision: Decision,
): string {
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${keyArn} ${decision.reason}`;
}

/** One key use of an operation: the object (or copy source) and the encryption protecting it. */
export interface KeyUse extends KeyedObject {
  readonly role: KeyRole;
  readonly encryption: Encryption | undefined;
}

/** The key use of a part of `upload`, or of its completion: the key of the object it creates. */
export function uploadKeyUse(bucket: BucketRecord, upload: UploadRecord): KeyUse {
  return {
    role: 'object',
    bucket: bucket.name,
    region: bucket.region,
    key: upload.key,
    encryption: upload.encryption,
  };
}

/** The key use of a copy's source version (CopyObject, UploadPartCopy): S3 decrypts it. */
export function copySourceKeyUse(source: {
  readonly bucket: { readonly record: BucketRecord };
  readonly version: { readonly key: string; readonly encryption: KeyUse['encryption'] };
}): KeyUse {
  return {
    role: 'copy-source',
    bucket: source.bucket.record.name,
    region: source.bucket.record.region,
    key: source.version.key,
    encryption: source.version.encryption,
  };
}

/**
 * Has KMS decide every SSE-KMS key use of the request, in order; SSE-S3 uses no key, HEAD none, and
 * without a local KMS (S3 running alone) nothing is checked.
 * @throws S3Error `KMS.<code>` (400) for a key that cannot be used; AccessDenied (403) for a use the
 *   principal is not allowed; NotImplemented (501) for a policy outside the evaluator's grammar.
 */
export async function useKmsKeys(deps: S3Deps, request: S3Request, uses: readonly KeyUse[]): Promise<void> {
  const kms = deps.kms;
  if (kms === undefined) return;
  for (const use of uses) {
    const key = kmsKeyOf(use.encryption);
    const action = kmsActionFor(request.operation, use.role);
    if (key === undefined || action === undefined) continue;
    const caller = request.caller;
    let answer: Awaited<ReturnType<typeof kms.useKey>>;
    try {
      answer = await kms.useKey({
        key,
        region: use.region,
        action,
        context: s3KmsContext(use, use.encryption?.bucketKeyEnabled === true),
        ...(caller !== undefined ? { principal: caller.principal } : {}),
      });
    } catch (cause) {
      if (cause instanceof UnsupportedPolicy) throw new S3Error('NotImplemented', cause.message, 501);
      throw cause;
    }
    if (answer.outcome === 'unusable') throw new S3Error(`KMS.${answer.code}`, answer.message, 400);
    const { decision } = answer;
    if (caller === undefined || decision === undefined) continue;
    caller.remember({
      action,
      resource: answer.keyArn,
      decision: decision.decision,
      reason: decision.reason,
    });
    if (answer.outcome === 'denied') {
      throw S3Errors.accessDenied(
        kmsAccessDeniedMessage(caller.principal.arn, action, answer.keyArn, decision),
      );
    }
  }
}
