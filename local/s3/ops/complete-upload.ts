/**
 * CompleteMultipartUpload: checks the listed parts (ascending numbers, existing parts with matching ETags
 * and checksums, every part but the last at least the minimum size), then turns the parts into the object
 * without copying their bytes. The ETag is `md5(part MD5s)-N` (not MD5-based under SSE-KMS); the checksum
 * is the upload's FULL_OBJECT (combined CRC) or COMPOSITE (`…-N`) one, CRC64NVME full-object when the upload
 * named no algorithm. A full-object checksum sent by the client is validated. The part layout is kept for
 * `partNumber` reads and GetObjectAttributes. `If-None-Match: *` / `If-Match` are checked against the key's
 * current version at commit (conditional writes); a failed condition leaves the upload in place.
 *
 * A repeated Complete of an upload that already completed (an SDK retry after a timeout or a lost answer)
 * is answered as S3 answers it: 200 with the completed object's ETag, checksum, location and version —
 * without writing anything or emitting another event, and without checking conditions again — as long as
 * it lists the same parts (numbers and ETags). S3 treats the retry as idempotent (observed against S3 and
 * relied on by SDK retries; AWS's own guidance for CompleteMultipartUpload is that applications "should be
 * prepared to retry"). A repeat listing other parts gets NoSuchUpload, the error the API reference
 * documents for an upload that "might have been aborted or completed". The store remembers a bounded
 * number of completions per bucket, on disk (store.ts).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { requireBucket } from '../bucket-access.ts';
import { checksumMismatch } from '../checksum-headers.ts';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  checksumHeaderName,
  checksumXmlName,
  compositeChecksum,
  createEtagSalt,
  fullObjectChecksum,
  isCrcAlgorithm,
  kmsEtag,
  multipartEtag,
} from '../checksums.ts';
import { header, objectKey, type S3Deps, type S3Handler, type S3Request } from '../context.ts';
import { corruptFile } from '../corrupt.ts';
import { encryptionHeaders, hidesMd5 } from '../encryption.ts';
import { S3Errors } from '../errors.ts';
import { emitObjectCreated } from '../events.ts';
import { digestFile } from '../ingest.ts';
import { uploadKeyUse, useKmsKeys } from '../kms-authorization.ts';
import { checkKey } from '../object-headers.ts';
import { readXml } from '../small-body.ts';
import type {
  CompletedUploadRecord,
  Encryption,
  ObjectAttributes,
  ObjectChecksum,
  PartLayout,
  PartRecord,
  UploadRecord,
} from '../store/records.ts';
import type { Staging, UploadState } from '../store/store.ts';
import { writeVersionIdHeader } from '../version-lookup.ts';
import { children, childText, element, toXml } from '../xml.ts';
import { partAlgorithm } from './multipart.ts';
import { DEFAULT_ALGORITHM, writeConditions } from './put-object.ts';

interface RequestedPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

function parseParts(root: Awaited<ReturnType<typeof readXml>>): RequestedPart[] {
  const parts = children(root, 'Part').map((p) => {
    const el = element(p);
    const number = childText(el, 'PartNumber')?.trim() ?? '';
    const etag = childText(el, 'ETag');
    if (!/^\d+$/.test(number) || etag === undefined) throw S3Errors.malformedXml();
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const alg of CHECKSUM_ALGORITHMS) {
      const value = childText(el, checksumXmlName(alg));
      if (value !== undefined) checksums[alg] = value.trim();
    }
    return { partNumber: Number(number), etag: etag.trim(), checksums };
  });
  if (parts.length === 0) throw S3Errors.malformedXml();
  return parts;
}

function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1');
}

/** Checks the requested parts against the upload (run under the upload's lock). */
function selectParts(
  upload: UploadState,
  requested: readonly RequestedPart[],
  minPartSize: number,
): PartRecord[] {
  const algorithm = upload.record.checksumAlgorithm;
  const selected: PartRecord[] = [];
  let previous = 0;
  for (const want of requested) {
    if (want.partNumber <= previous) throw S3Errors.invalidPartOrder();
    previous = want.partNumber;
    const part = upload.parts.get(want.partNumber);
    if (!part || unquote(part.etag) !== unquote(want.etag))
      throw S3Errors.invalidPart(want.partNumber, want.etag);
    for (const [alg, value] of Object.entries(want.checksums) as Array<[ChecksumAlgorithm, string]>) {
      if (algorithm !== undefined && alg !== algorithm) {
        throw S3Errors.invalidRequest(
          `Checksum Type mismatch occurred, expected checksum Type: ${algorithm.toLowerCase()}, actual checksum Type: ${alg.toLowerCase()}`,
        );
      }
      const stored = part.checksums[alg];
      if (stored !== undefined && stored !== value) throw S3Errors.invalidPart(want.partNumber, want.etag);
    }
    if (
      algorithm !== undefined &&
      upload.record.checksumType === 'COMPOSITE' &&
      want.checksums[algorithm] === undefined
    ) {
      throw S3Errors.invalidRequest(
        `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${want.partNumber} in the request.`,
      );
    }
    selected.push(part);
  }
  for (const part of selected.slice(0, -1)) {
    if (part.size < minPartSize)
      throw S3Errors.entityTooSmall(part.size, minPartSize, part.partNumber, part.etag);
  }
  return selected;
}

/** The object's checksum from its parts. */
function objectChecksum(upload: UploadRecord, parts: readonly PartRecord[]): ObjectChecksum {
  const algorithm = partAlgorithm(upload);
  const type = upload.checksumType ?? 'FULL_OBJECT';
  const raw = parts.map((p) => Buffer.from(p.checksums[algorithm] ?? '', 'base64'));
  if (type === 'COMPOSITE' || !isCrcAlgorithm(algorithm)) {
    return { algorithm, type: 'COMPOSITE', value: compositeChecksum(algorithm, raw) };
  }
  const full = fullObjectChecksum(
    algorithm,
    parts.map((p, i) => ({ checksum: raw[i] ?? Buffer.alloc(0), size: p.size })),
  );
  return { algorithm, type: 'FULL_OBJECT', value: full.toString('base64') };
}

/** Validates an `x-amz-checksum-*` header the client sent for the whole object. */
function checkClaimedChecksum(request: S3Request, checksum: ObjectChecksum): void {
  for (const alg of CHECKSUM_ALGORITHMS) {
    const claimed = header(request, checksumHeaderName(alg))?.trim();
    if (claimed === undefined) continue;
    if (alg !== checksum.algorithm) {
      throw S3Errors.invalidRequest(
        `Checksum Type mismatch occurred, expected checksum Type: ${checksum.algorithm.toLowerCase()}, actual checksum Type: ${alg.toLowerCase()}`,
      );
    }
    if (claimed !== checksum.value && claimed !== checksum.value.replace(/-\d+$/, ''))
      throw checksumMismatch(alg);
  }
}

/** Applies an armed corruption to the first part and re-hashes it, as the bytes now are. */
async function corruptFirstPart(
  staging: Staging,
  parts: PartRecord[],
  algorithm: ChecksumAlgorithm,
): Promise<void> {
  const first = parts[0];
  if (!first || !(await corruptFile(join(staging.dir, 'seg-1')))) return;
  const digest = await digestFile(join(staging.dir, 'seg-1'), [algorithm]);
  parts[0] = {
    ...first,
    md5: digest.md5.toString('hex'),
    etag: `"${digest.md5.toString('hex')}"`,
    checksums: {
      ...first.checksums,
      [algorithm]: (digest.checksums[algorithm] ?? Buffer.alloc(0)).toString('base64'),
    },
  };
}

/**
 * The algorithm every part was sent with when the upload named none (the SDKs send a CRC32 with each
 * UploadPart by default): GetObjectAttributes then lists those per-part checksums. The default CRC64NVME
 * every part gets anyway does not count: it is not a checksum the client sent.
 */
function sentPartAlgorithm(parts: readonly PartRecord[]): ChecksumAlgorithm | undefined {
  return CHECKSUM_ALGORITHMS.find(
    (alg) => alg !== DEFAULT_ALGORITHM && parts.every((p) => p.checksums[alg] !== undefined),
  );
}

/**
 * The part layout the object keeps, with a checksum per part when the parts carried checksums: the upload's
 * algorithm when it named one, else the one every part was sent with (recorded as the part's own algorithm,
 * since the object's checksum is then the default CRC64NVME).
 */
function partLayout(upload: UploadRecord, parts: readonly PartRecord[]): PartLayout[] {
  const named = upload.checksumAlgorithm;
  const sent = named === undefined ? sentPartAlgorithm(parts) : undefined;
  return parts.map((p) => {
    const checksum = named !== undefined ? p.checksums[named] : sent && p.checksums[sent];
    return {
      partNumber: p.partNumber,
      size: p.size,
      ...(checksum !== undefined ? { checksum } : {}),
      ...(sent !== undefined && checksum !== undefined ? { checksumAlgorithm: sent } : {}),
    };
  });
}

function prepare(
  deps: S3Deps,
  request: S3Request,
  upload: UploadRecord,
  selected: () => PartRecord[],
): (staging: Staging) => Promise<ObjectAttributes> {
  return async (staging) => {
    const parts = [...selected()];
    const algorithm = partAlgorithm(upload);
    if (deps.faults?.takeCorruption(upload.bucket, upload.key))
      await corruptFirstPart(staging, parts, algorithm);
    const md5s = parts.map((p) => Buffer.from(p.md5, 'hex'));
    const etag = hidesMd5(upload.encryption)
      ? kmsEtag(createHash('md5').update(Buffer.concat(md5s)).digest(), createEtagSalt(), parts.length)
      : multipartEtag(md5s);
    const checksum = objectChecksum(upload, parts);
    checkClaimedChecksum(request, checksum);
    const layout = partLayout(upload, parts);
    return {
      size: parts.reduce((sum, p) => sum + p.size, 0),
      etag,
      headers: upload.headers,
      metadata: upload.metadata,
      tags: upload.tags,
      storageClass: upload.storageClass,
      ...(upload.acl !== undefined ? { acl: upload.acl } : {}),
      encryption: upload.encryption,
      checksum,
      parts: layout,
    };
  };
}

function location(request: S3Request, bucket: string, key: string): string {
  const host = request.req.headers.host ?? 'localhost';
  const path = key.split('/').map(encodeURIComponent).join('/');
  return request.address.virtualHost ? `http://${host}/${path}` : `http://${host}/${bucket}/${path}`;
}

/** What a successful Complete answers with (the first time, and for a repeat). */
interface CompletedAnswer {
  readonly versionId: string;
  readonly etag: string;
  readonly encryption: Encryption;
  readonly checksum?: ObjectChecksum | undefined;
}

function completedResponse(request: S3Request, bucket: string, key: string, done: CompletedAnswer) {
  const checksum = done.checksum;
  return {
    status: 200,
    headers: {
      ...writeVersionIdHeader(done.versionId),
      ...encryptionHeaders(done.encryption),
    },
    body: toXml('CompleteMultipartUploadResult', {
      Location: location(request, bucket, key),
      Bucket: bucket,
      Key: key,
      ETag: done.etag,
      ...(checksum
        ? { [checksumXmlName(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
        : {}),
    }),
  };
}

/** Whether a repeated Complete lists exactly the parts the completed upload was made of. */
function sameParts(done: CompletedUploadRecord, requested: readonly RequestedPart[]): boolean {
  return (
    done.parts.length === requested.length &&
    done.parts.every((part, i) => {
      const want = requested[i];
      return want?.partNumber === part.partNumber && unquote(want.etag) === unquote(part.etag);
    })
  );
}

/** The answer to a Complete of an upload that already completed. @throws S3Error NoSuchUpload. */
function repeatedComplete(
  request: S3Request,
  bucket: string,
  done: CompletedUploadRecord,
  requested: readonly RequestedPart[],
) {
  if (!sameParts(done, requested)) throw S3Errors.noSuchUpload(done.uploadId);
  return completedResponse(request, bucket, done.key, done);
}

async function requestedParts(request: S3Request): Promise<RequestedPart[]> {
  return parseParts(await readXml(request, 'CompleteMultipartUpload', { checksumHeaders: false }));
}

/** CompleteMultipartUpload. */
export const completeMultipartUpload: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const bucket = state.record.name;
  const key = objectKey(request);
  checkKey(key);
  const uploadId = request.query.get('uploadId') ?? '';
  const upload = state.uploads.get(uploadId);
  if (!upload || upload.record.key !== key) {
    const done = deps.store.completedUpload(bucket, uploadId);
    if (!done || done.key !== key) throw S3Errors.noSuchUpload(uploadId);
    return repeatedComplete(request, bucket, done, await requestedParts(request));
  }
  const record = upload.record;
  // S3 decrypts the parts to complete an SSE-KMS upload that carries an additional checksum.
  if (record.checksumAlgorithm !== undefined) {
    await useKmsKeys(deps, request, [uploadKeyUse(state.record, record)]);
  }
  const requested = await requestedParts(request);
  let selected: PartRecord[] = [];
  const version = await deps.store.completeUpload(
    bucket,
    record.uploadId,
    (current) => {
      selected = selectParts(current, requested, deps.limits.minPartSizeBytes);
      return selected;
    },
    prepare(deps, request, record, () => selected),
    writeConditions(request, record.key),
  );
  if (!version) {
    // Another Complete of the same upload finished while this one waited for the upload's lock.
    const done = deps.store.completedUpload(bucket, record.uploadId);
    if (!done) throw S3Errors.noSuchUpload(record.uploadId);
    return repeatedComplete(request, bucket, done, requested);
  }
  const bucketRecord = deps.store.bucket(bucket)?.record ?? state.record;
  emitObjectCreated(deps, request, bucketRecord, version, 'CompleteMultipartUpload');
  return completedResponse(request, bucket, record.key, version);
};
