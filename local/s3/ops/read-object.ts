/**
 * GetObject and HeadObject: a version (current or `?versionId=`), a byte range (`Range`) or one part of a
 * multipart object (`?partNumber=`), conditional requests, response header overrides, and the checksum
 * headers only when asked for with `x-amz-checksum-mode: ENABLED` (never for a range, the part's own
 * checksum for a part), and `x-amz-tagging-count` when the object has tags (GET and HEAD alike: S3 sends it
 * on HEAD too, though the HeadObject model has no member for it). Encryption request headers are refused on
 * an SSE-S3/SSE-KMS object, as S3 does (see {@link refuseEncryptionHeaders}).
 */
import { requireBucket } from '../bucket-access.ts';
import { checksumHeaders } from '../checksum-headers.ts';
import { header, objectKey, type S3Deps, type S3Handler, type S3Request } from '../context.ts';
import { encryptionHeaders } from '../encryption.ts';
import { S3Errors } from '../errors.ts';
import { useKmsKeys } from '../kms-authorization.ts';
import {
  ARCHIVE_CLASSES,
  checkKey,
  describeHeaders,
  etagMatches,
  httpDate,
  lastModifiedSeconds,
  parseHttpDate,
} from '../object-headers.ts';
import { type ByteRange, parseRange } from '../range.ts';
import type { ObjectChecksum, ObjectVersion } from '../store/records.ts';
import { readableVersion, versionIdHeader } from '../version-lookup.ts';

const OVERRIDES: ReadonlyArray<[string, string]> = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];

/** Applies If-Match / If-Unmodified-Since (412) and If-None-Match / If-Modified-Since (304). */
function checkConditions(request: S3Request, version: ObjectVersion): void {
  const modified = lastModifiedSeconds(version);
  const ifMatch = header(request, 'if-match');
  const ifUnmodifiedSince = parseHttpDate(header(request, 'if-unmodified-since'));
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, version.etag)) throw S3Errors.preconditionFailed('If-Match');
  } else if (ifUnmodifiedSince !== undefined && modified > ifUnmodifiedSince) {
    throw S3Errors.preconditionFailed('If-Unmodified-Since');
  }
  const notModified = {
    etag: version.etag,
    'last-modified': httpDate(version.lastModified),
  };
  const ifNoneMatch = header(request, 'if-none-match');
  const ifModifiedSince = parseHttpDate(header(request, 'if-modified-since'));
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, version.etag)) throw S3Errors.notModified(notModified);
  } else if (ifModifiedSince !== undefined && modified <= ifModifiedSince) {
    throw S3Errors.notModified(notModified);
  }
}

/** `?partNumber=` as a number 1–10,000, or `undefined`. @throws S3Error InvalidArgument. */
export function partNumberParam(request: S3Request): number | undefined {
  const value = request.query.get('partNumber');
  if (value === null) return undefined;
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

/** Write-side encryption headers a read must not carry. */
const WRITE_ENCRYPTION_HEADERS = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
] as const;

/**
 * GetObject/HeadObject of an object under SSE-S3 or SSE-KMS with `x-amz-server-side-encryption` (or a KMS
 * key id): "Encryption request headers, like x-amz-server-side-encryption, should not be sent for the
 * GetObject requests, if your object uses server-side encryption with AWS KMS keys (SSE-KMS) … or
 * server-side encryption with Amazon S3 managed encryption keys (SSE-S3). If you include the header in your
 * GetObject requests for the object that uses these types of keys, you'll get an HTTP 400 Bad Request
 * error" (S3 API reference, GetObject; HeadObject says the same). S3's answer is `InvalidArgument`,
 * "x-amz-server-side-encryption header is not supported for this operation." Every local object is under
 * one of the two (SSE-C is not implemented), so the check applies to all.
 * @throws S3Error InvalidArgument.
 */
function refuseEncryptionHeaders(request: S3Request): void {
  for (const name of WRITE_ENCRYPTION_HEADERS) {
    const value = header(request, name);
    if (value !== undefined) {
      throw S3Errors.invalidArgument(`${name} header is not supported for this operation.`, name, value);
    }
  }
}

interface Selection {
  readonly range?: ByteRange;
  readonly partsCount?: number;
  readonly checksum?: ObjectChecksum;
}

/** The bytes a request selects and the checksum that describes them. */
function select(request: S3Request, version: ObjectVersion): Selection {
  const rangeHeader = header(request, 'range');
  const partNumber = partNumberParam(request);
  if (partNumber !== undefined && rangeHeader !== undefined) {
    throw S3Errors.invalidRequest('Cannot specify both Range header and partNumber query parameter');
  }
  if (partNumber !== undefined) {
    const parts = version.parts;
    if (!parts) {
      if (partNumber !== 1) throw S3Errors.invalidPartNumber();
      return version.checksum ? { checksum: version.checksum } : {};
    }
    const index = parts.findIndex((p) => p.partNumber === partNumber);
    const part = parts[index];
    if (!part) throw S3Errors.invalidPartNumber();
    const start = parts.slice(0, index).reduce((sum, p) => sum + p.size, 0);
    // A part checksum of another algorithm than the object's (parts sent with checksums the upload did not
    // name) is not the object's per-part checksum: a part read then reports none.
    const partChecksum =
      version.checksum && part.checksum !== undefined && part.checksumAlgorithm === undefined
        ? { algorithm: version.checksum.algorithm, type: version.checksum.type, value: part.checksum }
        : undefined;
    return {
      range: { start, end: start + part.size - 1 },
      partsCount: parts.length,
      ...(partChecksum ? { checksum: partChecksum } : {}),
    };
  }
  const range = parseRange(rangeHeader, version.size);
  if (range) return { range };
  return version.checksum ? { checksum: version.checksum } : {};
}

async function serve(deps: S3Deps, request: S3Request, withBody: boolean) {
  const state = requireBucket(deps, request);
  const key = objectKey(request);
  checkKey(key);
  const version = await readableVersion(state, key, request.query.get('versionId'));
  refuseEncryptionHeaders(request);
  if (withBody && ARCHIVE_CLASSES.has(version.storageClass))
    throw S3Errors.invalidObjectState(version.storageClass);
  checkConditions(request, version);
  const selection = select(request, version);
  // S3 decrypts with KMS to serve the bytes; HEAD reads metadata only and needs no key.
  if (withBody) {
    await useKmsKeys(deps, request, [
      {
        role: 'object',
        bucket: state.record.name,
        region: state.record.region,
        key,
        encryption: version.encryption,
      },
    ]);
  }
  const checksumMode = header(request, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
  const { range } = selection;
  const length = range ? range.end - range.start + 1 : version.size;
  const headers: Record<string, string | number> = {
    ...describeHeaders(version),
    'accept-ranges': 'bytes',
    'content-length': length,
    ...versionIdHeader(state.record, version.versionId),
    ...encryptionHeaders(version.encryption),
    ...(checksumMode ? checksumHeaders(selection.checksum) : {}),
  };
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${version.size}`;
  if (selection.partsCount !== undefined) headers['x-amz-mp-parts-count'] = selection.partsCount;
  if (version.tags.length > 0) headers['x-amz-tagging-count'] = version.tags.length;
  if (withBody) {
    for (const [param, name] of OVERRIDES) {
      const value = request.query.get(param);
      if (value !== null) headers[name] = value;
    }
  }
  const status = range ? 206 : 200;
  if (!withBody || length === 0) return { status, headers };
  const start = range?.start ?? 0;
  const end = range?.end ?? version.size - 1;
  return { status, headers, body: deps.store.read(state.record.name, version, start, end) };
}

/** GetObject. */
export const getObject: S3Handler = (deps, request) => serve(deps, request, true);

/** HeadObject. */
export const headObject: S3Handler = (deps, request) => serve(deps, request, false);
