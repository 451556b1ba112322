/**
 * Bucket configuration: tagging, versioning and default encryption (Put/Get/Delete).
 */
import { requireBucket } from '../bucket-access.ts';
import type { S3Handler } from '../context.ts';
import { bucketDefaultEncryption } from '../encryption.ts';
import { S3Errors } from '../errors.ts';
import { readXml } from '../small-body.ts';
import type { Encryption } from '../store/records.ts';
import { parseTaggingXml, taggingDocument } from '../tagging.ts';
import { child, children, childText, element, toXml } from '../xml.ts';

/** PutBucketTagging: replaces the bucket's tag set. */
export const putBucketTagging: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const tags = parseTaggingXml(await readXml(request, 'Tagging'), 'bucket');
  await deps.store.updateBucket(state.record.name, (r) => ({ ...r, tags }));
  return { status: 204 };
};

/** GetBucketTagging: NoSuchTagSet when the bucket has none. */
export const getBucketTagging: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const tags = state.record.tags;
  if (!tags || tags.length === 0) throw S3Errors.noSuchTagSet(state.record.name);
  return { status: 200, body: taggingDocument(tags) };
};

/** DeleteBucketTagging. */
export const deleteBucketTagging: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  await deps.store.updateBucket(state.record.name, ({ tags: _tags, ...rest }) => rest);
  return { status: 204 };
};

/** PutBucketVersioning: Enabled or Suspended (a versioned bucket never returns to unversioned). */
export const putBucketVersioning: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const root = await readXml(request, 'VersioningConfiguration');
  const status = childText(root, 'Status');
  const mfaDelete = childText(root, 'MfaDelete');
  if (status !== undefined && status !== 'Enabled' && status !== 'Suspended') throw S3Errors.malformedXml();
  if (mfaDelete !== undefined && mfaDelete !== 'Enabled' && mfaDelete !== 'Disabled')
    throw S3Errors.malformedXml();
  await deps.store.updateBucket(state.record.name, (r) => ({
    ...r,
    ...(status !== undefined ? { versioning: status } : {}),
    ...(mfaDelete !== undefined ? { mfaDelete } : {}),
  }));
  return { status: 200 };
};

/** GetBucketVersioning: empty for a bucket that was never versioned. */
export const getBucketVersioning: S3Handler = async (deps, request) => {
  const { record } = requireBucket(deps, request);
  return {
    status: 200,
    body: toXml('VersioningConfiguration', {
      Status: record.versioning,
      MfaDelete: record.versioning !== undefined ? record.mfaDelete : undefined,
    }),
  };
};

const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);

/** PutBucketEncryption: the default encryption of new objects. */
export const putBucketEncryption: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const root = await readXml(request, 'ServerSideEncryptionConfiguration');
  const rules = children(root, 'Rule');
  if (rules.length !== 1) throw S3Errors.malformedXml();
  const rule = element(rules[0]);
  const byDefault = element(child(rule, 'ApplyServerSideEncryptionByDefault'));
  const algorithm = childText(byDefault, 'SSEAlgorithm');
  const keyId = childText(byDefault, 'KMSMasterKeyID');
  const bucketKey = childText(rule, 'BucketKeyEnabled');
  if (algorithm === undefined || !SSE_ALGORITHMS.has(algorithm)) throw S3Errors.malformedXml();
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') throw S3Errors.malformedXml();
  if (keyId !== undefined && keyId !== '' && algorithm === 'AES256') {
    throw S3Errors.invalidArgument(
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      'ApplyServerSideEncryptionByDefault',
    );
  }
  const encryption: Encryption = {
    algorithm: algorithm as Encryption['algorithm'],
    ...(keyId !== undefined && keyId !== '' ? { kmsKeyId: keyId } : {}),
    bucketKeyEnabled: bucketKey === 'true',
  };
  await deps.store.updateBucket(state.record.name, (r) => ({ ...r, encryption }));
  return { status: 200 };
};

/** GetBucketEncryption: every bucket has one (SSE-S3 unless configured otherwise). */
export const getBucketEncryption: S3Handler = async (deps, request) => {
  const { record } = requireBucket(deps, request);
  const encryption = bucketDefaultEncryption(record);
  return {
    status: 200,
    body: toXml('ServerSideEncryptionConfiguration', {
      Rule: {
        ApplyServerSideEncryptionByDefault: {
          SSEAlgorithm: encryption.algorithm,
          KMSMasterKeyID: encryption.kmsKeyId,
        },
        BucketKeyEnabled: encryption.bucketKeyEnabled ?? false,
      },
    }),
  };
};

/** DeleteBucketEncryption: back to S3's default (SSE-S3). */
export const deleteBucketEncryption: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  await deps.store.updateBucket(state.record.name, ({ encryption: _encryption, ...rest }) => rest);
  return { status: 204 };
};
