/**
 * Streams data into a file while computing its size, MD5 and checksums — a request body (PutObject,
 * UploadPart), decoding `aws-chunked` framing and validating what the client declared (Content-MD5, an
 * `x-amz-checksum-*` header or trailer, a hex `x-amz-content-sha256`), or a stream read from another
 * object (copies, digested on a hashing thread: ./hash/pool.ts). Memory use does not depend on the size of
 * the data.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { type Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AwsChunkedError,
  createAwsChunkedDecoder,
  decodedContentLength,
  isAwsChunked,
} from './aws-chunked.ts';
import { checksumMismatch, checksumValue, declaredChecksum } from './checksum-headers.ts';
import { type ChecksumAlgorithm, checksumHeaderName } from './checksums.ts';
import { header, type S3Request } from './context.ts';
import { createDigestStream } from './digest-stream.ts';
import { S3Error, S3Errors } from './errors.ts';
import { HashWorkerUnavailableError, sharedHashPool } from './hash/pool.ts';
import { type FileSlice, READ_CHUNK, slicesBehind } from './store/files.ts';

/** What was written. */
export interface WriteResult {
  readonly size: number;
  readonly md5: Buffer;
  readonly checksums: Partial<Record<ChecksumAlgorithm, Buffer>>;
}

/** What was received; `declared` is the algorithm of the checksum the client sent (validated). */
export interface IngestResult extends WriteResult {
  readonly declared?: ChecksumAlgorithm;
}

function unique(algorithms: ReadonlyArray<ChecksumAlgorithm | undefined>): ChecksumAlgorithm[] {
  return [...new Set(algorithms.filter((a): a is ChecksumAlgorithm => a !== undefined))];
}

/**
 * Data smaller than this is digested on the event loop, as it arrives: a few milliseconds of hashing, less
 * than handing it to a thread costs (and the first hand-over starts the threads).
 */
export const OFF_THREAD_MIN_BYTES = 4 * 1024 * 1024;

/** Bytes the slices cover (an open-ended slice counts as large: it is a whole file). */
function slicedBytes(slices: readonly FileSlice[]): number {
  return slices.reduce(
    (sum, slice) => sum + (slice.end === undefined ? Number.POSITIVE_INFINITY : slice.end - slice.start + 1),
    0,
  );
}

/**
 * Digests (and copies into `target`) the file slices on a hashing thread; `undefined` when they are too few
 * bytes to be worth it or the threads are unavailable, so the caller digests on this thread.
 */
async function digestOffThread(
  slices: readonly FileSlice[],
  algorithms: readonly ChecksumAlgorithm[],
  target?: string,
): Promise<WriteResult | undefined> {
  if (slicedBytes(slices) < OFF_THREAD_MIN_BYTES) return undefined;
  try {
    return await sharedHashPool().run({ slices, algorithms, ...(target !== undefined ? { target } : {}) });
  } catch (err) {
    if (err instanceof HashWorkerUnavailableError) return undefined;
    throw err;
  }
}

/**
 * Pipes `source` through `transforms`, then a digest, into `file`. A stream of stored object data that
 * nothing transforms (a copy) of at least {@link OFF_THREAD_MIN_BYTES} is copied and digested on a hashing
 * thread (./hash/pool.ts) instead: the same bytes and digests, without holding up the event loop.
 * @returns the size, MD5 and the checksums of `algorithms` of the bytes written.
 */
export async function writeDigested(
  source: Readable,
  file: string,
  algorithms: readonly ChecksumAlgorithm[],
  transforms: readonly Transform[] = [],
): Promise<WriteResult> {
  const slices = transforms.length === 0 ? slicesBehind(source) : undefined;
  if (slices !== undefined) {
    const result = await digestOffThread(slices, unique(algorithms), file).catch((err: unknown) => {
      source.destroy();
      throw err;
    });
    if (result !== undefined) {
      source.destroy();
      return result;
    }
  }
  const digest = createDigestStream(unique(algorithms));
  const streams: Array<NodeJS.ReadableStream | NodeJS.WritableStream> = [
    source,
    ...transforms,
    digest,
    createWriteStream(file, { highWaterMark: READ_CHUNK }),
  ];
  await pipeline(streams);
  return digest.result();
}

/** The size, MD5 and checksums of a file's bytes (on a hashing thread when it is large). */
export async function digestFile(
  path: string,
  algorithms: readonly ChecksumAlgorithm[],
): Promise<WriteResult> {
  const { size } = await stat(path);
  const offThread = await digestOffThread([{ path, start: 0, end: size - 1 }], unique(algorithms));
  if (offThread !== undefined) return offThread;
  const digest = createDigestStream(unique(algorithms));
  const sink = new Writable({
    write(_chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
      callback();
    },
  });
  await pipeline(createReadStream(path, { highWaterMark: READ_CHUNK }), digest, sink);
  return digest.result();
}

function contentMd5(request: S3Request): Buffer | undefined {
  const value = header(request, 'content-md5');
  if (value === undefined) return undefined;
  const raw = Buffer.from(value.trim(), 'base64');
  if (raw.length !== 16 || raw.toString('base64') !== value.trim()) throw S3Errors.invalidDigest();
  return raw;
}

function bodyLength(request: S3Request, chunked: boolean): number {
  const raw = chunked ? decodedContentLength(request.req.headers) : undefined;
  if (chunked) {
    if (raw === undefined) throw S3Errors.missingContentLength();
    return raw;
  }
  const value = header(request, 'content-length');
  if (value === undefined || !/^\d+$/.test(value.trim())) throw S3Errors.missingContentLength();
  return Number(value.trim());
}

function toS3Error(err: unknown, request: S3Request): unknown {
  if (err instanceof AwsChunkedError) return new S3Error(err.code, err.message, err.statusCode);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (request.req.readableAborted || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return S3Errors.incompleteBody();
  }
  return err;
}

function contentSha256(request: S3Request): string | undefined {
  const value = header(request, 'x-amz-content-sha256')?.toLowerCase();
  return value !== undefined && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}

/**
 * Receives a request body into `file`, computing MD5, `algorithms` and whatever the client declared,
 * then validates the declarations.
 * @throws S3Error MissingContentLength, EntityTooLarge, IncompleteBody, InvalidDigest, BadDigest,
 *   InvalidRequest, XAmzContentSHA256Mismatch. The caller removes `file` on failure.
 */
export async function ingestBody(
  request: S3Request,
  file: string,
  options: { readonly algorithms: readonly ChecksumAlgorithm[]; readonly maxBytes: number },
): Promise<IngestResult> {
  const md5 = contentMd5(request);
  const declared = declaredChecksum(request);
  let chunked: boolean;
  let length: number;
  try {
    chunked = isAwsChunked(request.req.headers);
    length = bodyLength(request, chunked);
  } catch (err) {
    throw toS3Error(err, request);
  }
  if (length > options.maxBytes) throw S3Errors.entityTooLarge(length, options.maxBytes);
  if (declared?.trailer && !chunked) {
    throw S3Errors.invalidRequest('x-amz-trailer is only supported with aws-chunked request bodies.');
  }
  const sha256 = chunked ? undefined : contentSha256(request);
  const decoder = chunked ? createAwsChunkedDecoder({ expectedLength: length }) : undefined;
  let result: WriteResult;
  try {
    result = await writeDigested(
      request.req,
      file,
      [declared?.algorithm, ...options.algorithms, sha256 ? 'SHA256' : undefined].filter(
        (a): a is ChecksumAlgorithm => a !== undefined,
      ),
      decoder ? [decoder] : [],
    );
  } catch (err) {
    throw toS3Error(err, request);
  }
  if (result.size !== length) throw S3Errors.incompleteBody();
  if (md5 && !md5.equals(result.md5)) {
    throw S3Errors.badDigest('The Content-MD5 you specified did not match what we received.');
  }
  if (sha256) {
    const computed = result.checksums.SHA256?.toString('hex') ?? '';
    if (computed !== sha256) throw S3Errors.xAmzContentSha256Mismatch(sha256, computed);
  }
  if (declared) {
    let value = declared.value;
    if (declared.trailer) {
      value = decoder?.trailers()[checksumHeaderName(declared.algorithm)];
      if (value === undefined) {
        throw S3Errors.invalidRequest(
          `The x-amz-trailer header named ${checksumHeaderName(declared.algorithm)}, but the body has no such trailer.`,
        );
      }
    }
    const expected = checksumValue(declared.algorithm, value ?? '');
    if (!expected.equals(result.checksums[declared.algorithm] ?? Buffer.alloc(0))) {
      throw checksumMismatch(declared.algorithm);
    }
  }
  return declared ? { ...result, declared: declared.algorithm } : result;
}
