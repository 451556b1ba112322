/**
 * Multipart uploads: CreateMultipartUpload (checksum algorithm and type), UploadPart, AbortMultipartUpload,
 * ListParts and ListMultipartUploads. Parts are stored as files; every part gets the upload's checksum
 * algorithm (CRC64NVME when the upload named none, for the object's default full-object checksum).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { requireBucket } from '../bucket-access.ts';
import { bucketOwner, callerAccount } from '../bucket-owner.ts';
import { algorithmHeader, checksumTypeHeader, declaredChecksum } from '../checksum-headers.ts';
import {
  type ChecksumAlgorithm,
  type ChecksumType,
  checksumHeaderName,
  checksumXmlName,
  supportedChecksumTypes,
} from '../checksums.ts';
import { s3Timestamp } from '../clock.ts';
import { objectKey, type S3Deps, type S3Handler, type S3Request } from '../context.ts';
import { encryptionHeaders } from '../encryption.ts';
import { MAX_PUT_BYTES, S3Errors } from '../errors.ts';
import { ingestBody } from '../ingest.ts';
import { uploadKeyUse, useKmsKeys } from '../kms-authorization.ts';
import { encodeKey, maxParam, paginate, urlEncoding } from '../listing.ts';
import { checkKey } from '../object-headers.ts';
import { ownerXml } from '../owner.ts';
import { compareKeys } from '../store/key-order.ts';
import type { PartRecord, UploadRecord } from '../store/records.ts';
import type { BucketState, UploadState } from '../store/store.ts';
import { singlePartEtag, writeAttributes } from '../write-attributes.ts';
import { toXml, type XmlNode } from '../xml.ts';
import { DEFAULT_ALGORITHM } from './put-object.ts';

/** The algorithm every part of an upload is checksummed with. */
export function partAlgorithm(upload: UploadRecord): ChecksumAlgorithm {
  return upload.checksumAlgorithm ?? DEFAULT_ALGORITHM;
}

/**
 * The upload named by `?uploadId=` for the request's bucket and key.
 * @throws S3Error NoSuchBucket, NoSuchUpload.
 */
export function requireUpload(deps: S3Deps, request: S3Request): { state: BucketState; upload: UploadState } {
  const state = requireBucket(deps, request);
  const key = objectKey(request);
  checkKey(key);
  const uploadId = request.query.get('uploadId') ?? '';
  const upload = state.uploads.get(uploadId);
  if (!upload || upload.record.key !== key) throw S3Errors.noSuchUpload(uploadId);
  return { state, upload };
}

/** `?partNumber=` of UploadPart / UploadPartCopy. @throws S3Error InvalidArgument. */
export function partNumberOf(request: S3Request): number {
  const value = request.query.get('partNumber') ?? '';
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    throw S3Errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      value,
    );
  }
  return n;
}

function checksumTypeFor(algorithm: ChecksumAlgorithm, requested: ChecksumType | undefined): ChecksumType {
  const type = requested ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (!supportedChecksumTypes(algorithm).includes(type)) {
    throw S3Errors.invalidRequest(
      `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  return type;
}

/** CreateMultipartUpload. */
export const createMultipartUpload: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const key = objectKey(request);
  checkKey(key);
  const attributes = writeAttributes(request, state.record, {
    caller: callerAccount(deps, request),
    owner: bucketOwner(deps, state.record),
  });
  await useKmsKeys(deps, request, [
    {
      role: 'object',
      bucket: state.record.name,
      region: state.record.region,
      key,
      encryption: attributes.encryption,
    },
  ]);
  const algorithm = algorithmHeader(request, 'x-amz-checksum-algorithm');
  const requestedType = checksumTypeHeader(request);
  if (requestedType !== undefined && algorithm === undefined) {
    throw S3Errors.invalidRequest(
      'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    );
  }
  const type = algorithm !== undefined ? checksumTypeFor(algorithm, requestedType) : undefined;
  const uploadId = randomBytes(48).toString('base64url');
  await deps.store.createUpload({
    uploadId,
    bucket: state.record.name,
    key,
    initiated: s3Timestamp(),
    ...(algorithm !== undefined ? { checksumAlgorithm: algorithm } : {}),
    ...(type !== undefined ? { checksumType: type } : {}),
    ...attributes,
  });
  return {
    status: 200,
    headers: {
      ...encryptionHeaders(attributes.encryption),
      ...(algorithm !== undefined ? { 'x-amz-checksum-algorithm': algorithm } : {}),
      ...(type !== undefined ? { 'x-amz-checksum-type': type } : {}),
    },
    body: toXml('InitiateMultipartUploadResult', { Bucket: state.record.name, Key: key, UploadId: uploadId }),
  };
};

/** The checksum a part shows in responses: the upload's algorithm, or the one the client sent. */
export function shownPartChecksum(
  upload: UploadRecord,
  part: PartRecord,
  declared?: ChecksumAlgorithm,
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const algorithm = upload.checksumAlgorithm ?? declared;
  if (algorithm === undefined) return undefined;
  const value = part.checksums[algorithm];
  return value === undefined ? undefined : { algorithm, value };
}

/** UploadPart. */
export const uploadPart: S3Handler = async (deps, request) => {
  const { state, upload } = requireUpload(deps, request);
  const partNumber = partNumberOf(request);
  await useKmsKeys(deps, request, [uploadKeyUse(state.record, upload.record)]);
  const declared = declaredChecksum(request);
  const expected = upload.record.checksumAlgorithm;
  if (declared && expected && declared.algorithm !== expected) {
    throw S3Errors.invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${declared.algorithm.toLowerCase()}`,
    );
  }
  const staging = await deps.store.stage();
  try {
    const file = join(staging.dir, 'part');
    const result = await ingestBody(request, file, {
      algorithms: [partAlgorithm(upload.record)],
      maxBytes: MAX_PUT_BYTES,
    });
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const [alg, value] of Object.entries(result.checksums) as Array<[ChecksumAlgorithm, Buffer]>) {
      checksums[alg] = value.toString('base64');
    }
    const etag = singlePartEtag(result.md5, upload.record.encryption);
    const part = await deps.store.putPart(state.record.name, upload.record.uploadId, file, {
      partNumber,
      size: result.size,
      etag,
      md5: result.md5.toString('hex'),
      lastModified: s3Timestamp(),
      checksums,
    });
    if (!part) throw S3Errors.noSuchUpload(upload.record.uploadId);
    const shown = shownPartChecksum(upload.record, part, result.declared);
    return {
      status: 200,
      headers: {
        etag,
        ...encryptionHeaders(upload.record.encryption),
        ...(shown ? { [checksumHeaderName(shown.algorithm)]: shown.value } : {}),
      },
    };
  } finally {
    await deps.store.discard(staging);
  }
};

/** AbortMultipartUpload. */
export const abortMultipartUpload: S3Handler = async (deps, request) => {
  const { state, upload } = requireUpload(deps, request);
  const removed = await deps.store.abortUpload(state.record.name, upload.record.uploadId);
  if (!removed) throw S3Errors.noSuchUpload(upload.record.uploadId);
  return { status: 204 };
};

function partNumberMarker(query: URLSearchParams): number {
  const value = query.get('part-number-marker');
  if (value === null || value === '') return 0;
  if (!/^\d+$/.test(value)) {
    throw S3Errors.invalidArgument(
      'Provided part-number-marker not an integer or within integer range',
      'part-number-marker',
      value,
    );
  }
  return Number(value);
}

/** ListParts, with max-parts and part-number-marker. */
export const listParts: S3Handler = async (deps, request) => {
  const { state, upload } = requireUpload(deps, request);
  const { record } = upload;
  const max = maxParam(request.query, 'max-parts');
  const marker = partNumberMarker(request.query);
  const all = [...upload.parts.values()]
    .filter((p) => p.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  const owner = ownerXml(bucketOwner(deps, state.record));
  return {
    status: 200,
    body: toXml('ListPartsResult', {
      Bucket: state.record.name,
      Key: record.key,
      UploadId: record.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length > 0 ? page[page.length - 1]?.partNumber : undefined,
      MaxParts: max,
      IsTruncated: truncated,
      Part: page.map((p) => {
        const shown = shownPartChecksum(record, p);
        return {
          PartNumber: p.partNumber,
          LastModified: p.lastModified,
          ETag: p.etag,
          Size: p.size,
          ...(shown ? { [checksumXmlName(shown.algorithm)]: shown.value } : {}),
        };
      }),
      Initiator: owner,
      Owner: owner,
      StorageClass: record.storageClass,
      ChecksumAlgorithm: record.checksumAlgorithm,
      ChecksumType: record.checksumType,
    }),
  };
};

interface UploadEntry {
  readonly key: string;
  readonly upload: UploadRecord;
}

/** ListMultipartUploads, with prefix, delimiter, key-marker / upload-id-marker, max-uploads. */
export const listMultipartUploads: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const { query } = request;
  const encode = urlEncoding(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const max = maxParam(query, 'max-uploads');
  const keyMarker = query.get('key-marker') || undefined;
  const uploadIdMarker = query.get('upload-id-marker') || undefined;
  const sorted = [...state.uploads.values()]
    .map((u) => u.record)
    .sort(
      (a, b) =>
        compareKeys(a.key, b.key) ||
        a.initiated.localeCompare(b.initiated) ||
        a.uploadId.localeCompare(b.uploadId),
    );
  let entries: UploadEntry[] = sorted.map((upload) => ({ key: upload.key, upload }));
  if (keyMarker !== undefined) {
    const markerIndex = uploadIdMarker
      ? entries.findIndex((e) => e.key === keyMarker && e.upload.uploadId === uploadIdMarker)
      : -1;
    entries =
      markerIndex >= 0
        ? entries.slice(markerIndex + 1)
        : entries.filter((e) => compareKeys(e.key, keyMarker) > 0);
  }
  const page = await paginate(entries, {
    prefix,
    max,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(keyMarker !== undefined ? { marker: keyMarker } : {}),
  });
  const owner = ownerXml(bucketOwner(deps, state.record));
  const last = page.truncated ? page.last : undefined;
  const uploads: XmlNode[] = page.entries.map(({ upload }) => ({
    Key: encodeKey(upload.key, encode),
    UploadId: upload.uploadId,
    Initiator: owner,
    Owner: owner,
    StorageClass: upload.storageClass,
    Initiated: upload.initiated,
    ChecksumAlgorithm: upload.checksumAlgorithm,
    ChecksumType: upload.checksumType,
  }));
  return {
    status: 200,
    body: toXml('ListMultipartUploadsResult', {
      Bucket: state.record.name,
      KeyMarker: encodeKey(keyMarker ?? '', encode),
      UploadIdMarker: uploadIdMarker ?? '',
      NextKeyMarker: encodeKey(last?.key, encode),
      NextUploadIdMarker: last?.entry?.upload.uploadId,
      Prefix: encodeKey(prefix, encode),
      Delimiter: encodeKey(delimiter, encode),
      MaxUploads: max,
      EncodingType: encode ? 'url' : undefined,
      IsTruncated: page.truncated,
      Upload: uploads,
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: encodeKey(p, encode) })),
    }),
  };
};
