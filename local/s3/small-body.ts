/**
 * Reads the small XML bodies of configuration and control requests (DeleteObjects, tagging,
 * CompleteMultipartUpload …) into memory, with a per-operation size cap enforced before and while
 * reading (local/protocol/body.ts), `aws-chunked` decoding, and the same Content-MD5 and
 * flexible-checksum validation as object bodies.
 */
import { createHash } from 'node:crypto';
import { contentLength, PrematureCloseError, readCappedBody } from '../protocol/body.ts';
import {
  type AwsChunkedDecoder,
  AwsChunkedError,
  createAwsChunkedDecoder,
  decodedContentLength,
  isAwsChunked,
} from './aws-chunked.ts';
import { checksumMismatch, checksumValue, declaredChecksum } from './checksum-headers.ts';
import { checksumHeaderName, checksumOf } from './checksums.ts';
import { header, type S3Request } from './context.ts';
import { S3Error, S3Errors } from './errors.ts';
import type { S3Operation } from './router.ts';
import { type ParsedElement, parseXmlBody } from './xml.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * The largest body of the operations whose documents are lists. S3 documents element counts, not bytes:
 * CompleteMultipartUpload names up to 10,000 parts (ETag, part number and up to five checksums each:
 * about 4 MB pretty-printed); DeleteObjects up to 1,000 keys of up to 1,024 bytes, XML-escaped, with
 * version ids (at most about 6 MB).
 */
const LIST_BODY_LIMITS: Readonly<Partial<Record<S3Operation, number>>> = {
  CompleteMultipartUpload: 8 * MIB,
  DeleteObjects: 8 * MIB,
};

/**
 * The largest configuration body (CreateBucket, tagging — at most 50 tags of 128 + 256 characters —,
 * versioning, encryption).
 */
const CONFIG_BODY_LIMIT = 256 * KIB;

/** The largest body `operation` accepts in memory. */
export function smallBodyLimit(operation: S3Operation): number {
  return LIST_BODY_LIMITS[operation] ?? CONFIG_BODY_LIMIT;
}

/** The (decoded) length the request declares, or `undefined` when it declares none. */
function declaredLength(request: S3Request, chunked: boolean): number | undefined {
  if (chunked) {
    try {
      return decodedContentLength(request.req.headers) ?? contentLength(request.req.headers);
    } catch (err) {
      if (err instanceof AwsChunkedError) throw new S3Error(err.code, err.message, err.statusCode);
      throw err;
    }
  }
  return contentLength(request.req.headers);
}

/** Reads the body (decoding `aws-chunked`) up to `max` bytes, leaving the request usable for an answer. */
async function receive(
  request: S3Request,
  max: number,
  chunked: boolean,
): Promise<{ body: Buffer; decoder: AwsChunkedDecoder | undefined }> {
  const decoder = chunked ? createAwsChunkedDecoder() : undefined;
  const { req } = request;
  if (decoder) {
    req.on('error', (err) => decoder.destroy(err));
    req.on('close', () => {
      if (!req.complete) decoder.destroy(new PrematureCloseError('the request body ended early'));
    });
    req.pipe(decoder);
  }
  try {
    const body = await readCappedBody(decoder ?? req, max, () => S3Errors.maxMessageLengthExceeded());
    return { body, decoder };
  } catch (err) {
    if (decoder) req.unpipe(decoder);
    if (err instanceof S3Error) throw err;
    if (err instanceof AwsChunkedError) throw new S3Error(err.code, err.message, err.statusCode);
    throw S3Errors.incompleteBody();
  }
}

/**
 * The request body, validated against Content-MD5 / `x-amz-checksum-*` when sent. A body larger than
 * the operation accepts ({@link smallBodyLimit}) is refused from its declared length before anything is
 * read, or as soon as the bytes read pass the limit.
 * @throws S3Error MaxMessageLengthExceeded, InvalidDigest, BadDigest, InvalidRequest, IncompleteBody.
 */
export async function readSmallBody(
  request: S3Request,
  options: { readonly checksumHeaders?: boolean } = {},
): Promise<Buffer> {
  const max = smallBodyLimit(request.operation);
  const md5Header = header(request, 'content-md5')?.trim();
  // CompleteMultipartUpload's x-amz-checksum-* headers describe the object, not the request body.
  const declared = options.checksumHeaders === false ? undefined : declaredChecksum(request);
  const chunked = isAwsChunked(request.req.headers);
  const length = declaredLength(request, chunked);
  if (length !== undefined && length > max) throw S3Errors.maxMessageLengthExceeded();
  const { body, decoder } = await receive(request, max, chunked);
  if (md5Header !== undefined) {
    const raw = Buffer.from(md5Header, 'base64');
    if (raw.length !== 16 || raw.toString('base64') !== md5Header) throw S3Errors.invalidDigest();
    if (!raw.equals(createHash('md5').update(body).digest())) {
      throw S3Errors.badDigest('The Content-MD5 you specified did not match what we received.');
    }
  }
  if (declared) {
    const value = declared.trailer
      ? decoder?.trailers()[checksumHeaderName(declared.algorithm)]
      : declared.value;
    const expected = checksumValue(declared.algorithm, value ?? '');
    if (!expected.equals(checksumOf(declared.algorithm, body))) throw checksumMismatch(declared.algorithm);
  }
  return body;
}

/** The body parsed as an XML document whose root is `root`. @throws S3Error MalformedXML. */
export async function readXml(
  request: S3Request,
  root: string,
  options: { readonly checksumHeaders?: boolean } = {},
): Promise<ParsedElement | string> {
  const body = await readSmallBody(request, options);
  return parseXmlBody(body.toString('utf8'), root);
}

/** Whether the request carries an integrity header (DeleteObjects requires one). */
export function hasIntegrityHeader(request: S3Request): boolean {
  if (header(request, 'content-md5') !== undefined) return true;
  if (header(request, 'x-amz-trailer') !== undefined) return true;
  return Object.keys(request.req.headers).some(
    (h) => h.startsWith('x-amz-checksum-') && h !== 'x-amz-checksum-type',
  );
}
