/**
 * The object-describing headers of the REST protocol: what a write stores (Content-Type, Cache-Control,
 * Content-Disposition, Content-Encoding, Content-Language, Expires, `x-amz-meta-*`, storage class, canned
 * ACL) and what GET/HEAD return; plus key-length validation, HTTP dates and ETag matching.
 */
import { contentEncodingWithoutAwsChunked } from './aws-chunked.ts';
import { header, type S3Request } from './context.ts';
import { S3Errors } from './errors.ts';
import type { ContentHeaders, ObjectVersion } from './store/records.ts';

/** S3's limit on a key: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
/** S3's limit on user metadata (names and values, UTF-8). */
export const MAX_METADATA_BYTES = 2048;
/** The Content-Type S3 stores when a write names none. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

const STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'OUTPOSTS',
  'GLACIER_IR',
  'SNOW',
  'EXPRESS_ONEZONE',
  'FSX_OPENZFS',
]);

/** Storage classes whose objects must be restored before they can be read. */
export const ARCHIVE_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

const CANNED_ACLS = new Set([
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
]);

/** @throws S3Error KeyTooLongError when `key` is over 1,024 UTF-8 bytes. */
export function checkKey(key: string): void {
  const size = Buffer.byteLength(key, 'utf8');
  if (size > MAX_KEY_BYTES) throw S3Errors.keyTooLong(size);
}

/** The representation headers a write stores. */
export function contentHeaders(request: S3Request): ContentHeaders {
  const encoding = contentEncodingWithoutAwsChunked(header(request, 'content-encoding'));
  const entries: Array<[keyof ContentHeaders, string | undefined]> = [
    ['contentType', header(request, 'content-type') ?? DEFAULT_CONTENT_TYPE],
    ['cacheControl', header(request, 'cache-control')],
    ['contentDisposition', header(request, 'content-disposition')],
    ['contentEncoding', encoding],
    ['contentLanguage', header(request, 'content-language')],
    ['expires', header(request, 'expires')],
    ['websiteRedirectLocation', header(request, 'x-amz-website-redirect-location')],
  ];
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as ContentHeaders;
}

/**
 * The `x-amz-meta-*` headers, by lower-cased name without the prefix.
 * @throws S3Error MetadataTooLarge over 2 KB.
 */
export function userMetadata(request: S3Request): Record<string, string> {
  const out: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(request.req.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const text = Array.isArray(value) ? value.join(',') : value;
    out[key] = text;
    size += Buffer.byteLength(key) + Buffer.byteLength(text);
  }
  if (size > MAX_METADATA_BYTES) throw S3Errors.metadataTooLarge(size);
  return out;
}

/** `x-amz-storage-class`, defaulting to STANDARD. @throws S3Error InvalidStorageClass. */
export function storageClass(request: S3Request): string {
  const value = header(request, 'x-amz-storage-class');
  if (value === undefined || value === '') return 'STANDARD';
  if (!STORAGE_CLASSES.has(value)) throw S3Errors.invalidStorageClass(value);
  return value;
}

/** `x-amz-acl`, when sent. @throws S3Error InvalidArgument for an unknown canned ACL. */
export function cannedAcl(request: S3Request): string | undefined {
  const value = header(request, 'x-amz-acl');
  if (value === undefined) return undefined;
  if (!CANNED_ACLS.has(value)) throw S3Errors.invalidArgument('', 'x-amz-acl', value);
  return value;
}

/** An ISO timestamp as an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`). */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/** Milliseconds since the epoch of an HTTP date header; `undefined` when absent or unparsable (S3 ignores it). */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An object's Last-Modified, at the one-second precision of HTTP dates. */
export function lastModifiedSeconds(version: ObjectVersion): number {
  return Math.floor(Date.parse(version.lastModified) / 1000) * 1000;
}

function unquote(etag: string): string {
  return etag
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
}

/** Whether an If-Match / If-None-Match list (`"a", "b"` or `*`) matches an ETag. */
export function etagMatches(condition: string, etag: string): boolean {
  const target = unquote(etag);
  return condition.split(',').some((item) => item.trim() === '*' || unquote(item) === target);
}

/** The response headers describing a stored version (content headers, metadata, storage class). */
export function describeHeaders(version: ObjectVersion): Record<string, string> {
  const h = version.headers;
  const out: Record<string, string> = {
    'last-modified': httpDate(version.lastModified),
    etag: version.etag,
  };
  if (h.contentType !== undefined) out['content-type'] = h.contentType;
  if (h.cacheControl !== undefined) out['cache-control'] = h.cacheControl;
  if (h.contentDisposition !== undefined) out['content-disposition'] = h.contentDisposition;
  if (h.contentEncoding !== undefined) out['content-encoding'] = h.contentEncoding;
  if (h.contentLanguage !== undefined) out['content-language'] = h.contentLanguage;
  if (h.expires !== undefined) out.expires = h.expires;
  if (h.websiteRedirectLocation !== undefined)
    out['x-amz-website-redirect-location'] = h.websiteRedirectLocation;
  for (const [name, value] of Object.entries(version.metadata)) out[`x-amz-meta-${name}`] = value;
  if (version.storageClass !== 'STANDARD') out['x-amz-storage-class'] = version.storageClass;
  return out;
}
