/**
 * Reads the small XML bodies of configuration and control requests (DeleteObjects, tagging,
 * CompleteMultipartUpload …) into memory, with a size cap, `aws-chunked` decoding, and the same Content-MD5
 * and flexible-checksum validation as object bodies.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedError, createAwsChunkedDecoder, isAwsChunked } from './aws-chunked.ts';
import { checksumMismatch, checksumValue, declaredChecksum } from './checksum-headers.ts';
import { checksumHeaderName, checksumOf } from './checksums.ts';
import { header, type S3Request } from './context.ts';
import { S3Error, S3Errors } from './errors.ts';
import { type ParsedElement, parseXmlBody } from './xml.ts';

/** The largest control body accepted (a CompleteMultipartUpload of 10,000 parts is about 1.5 MB). */
export const MAX_SMALL_BODY = 20 * 1024 * 1024;

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  size = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.max) {
      callback(S3Errors.maxMessageLengthExceeded());
      return;
    }
    this.chunks.push(chunk);
    callback();
  }
}

/**
 * The request body, validated against Content-MD5 / `x-amz-checksum-*` when sent.
 * @throws S3Error MaxMessageLengthExceeded, InvalidDigest, BadDigest, InvalidRequest, IncompleteBody.
 */
export async function readSmallBody(
  request: S3Request,
  options: { readonly max?: number; readonly checksumHeaders?: boolean } = {},
): Promise<Buffer> {
  const max = options.max ?? MAX_SMALL_BODY;
  const md5Header = header(request, 'content-md5')?.trim();
  // CompleteMultipartUpload's x-amz-checksum-* headers describe the object, not the request body.
  const declared = options.checksumHeaders === false ? undefined : declaredChecksum(request);
  const decoder = isAwsChunked(request.req.headers) ? createAwsChunkedDecoder() : undefined;
  const collector = new Collector(max);
  try {
    if (decoder) await pipeline(request.req, decoder, collector);
    else await pipeline(request.req, collector);
  } catch (err) {
    if (err instanceof S3Error) throw err;
    if (err instanceof AwsChunkedError) throw new S3Error(err.code, err.message, err.statusCode);
    throw S3Errors.incompleteBody();
  }
  const body = Buffer.concat(collector.chunks);
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
