/**
 * Decoding of `Content-Encoding: aws-chunked` request bodies (S3 API reference, "Signature Calculations
 * for the Authorization Header: Transferring Payload in Multiple Chunks" and "… Including Trailing
 * Headers"), which current SDKs send by default for streamed uploads:
 *
 * ```
 * <hex size>[;chunk-signature=<sig>]\r\n<size bytes>\r\n      (repeated)
 * 0[;chunk-signature=<sig>]\r\n                                 (the final, empty chunk)
 * x-amz-checksum-crc32:<base64>\r\n                              (optional trailer lines …)
 * x-amz-trailer-signature:<sig>\r\n                              (… signed trailers only)
 * \r\n
 * ```
 *
 * Signatures are not verified (the local stack accepts any credentials). The decoder streams: it never
 * holds more than one header or trailer line, whatever the body size.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';

/** The S3 error code a malformed aws-chunked body is answered with. */
export type AwsChunkedErrorCode = 'IncompleteBody' | 'InvalidRequest';

/** A malformed or truncated aws-chunked body; `code` is the S3 error code to answer with. */
export class AwsChunkedError extends Error {
  override readonly name = 'AwsChunkedError';
  /** S3 answers both codes with 400 Bad Request. */
  readonly statusCode = 400;
  constructor(
    readonly code: AwsChunkedErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The `x-amz-content-sha256` values that announce an aws-chunked body. */
export const STREAMING_PAYLOAD_HASHES: readonly string[] = [
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
];

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function encodings(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

/**
 * Whether the request body is aws-chunked: `Content-Encoding` lists `aws-chunked`, or
 * `x-amz-content-sha256` is one of the `STREAMING-…` values (some clients omit the encoding).
 */
export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  if (encodings(headerValue(headers, 'content-encoding')).some((e) => e.toLowerCase() === 'aws-chunked')) {
    return true;
  }
  const sha = headerValue(headers, 'x-amz-content-sha256');
  return sha !== undefined && STREAMING_PAYLOAD_HASHES.includes(sha);
}

/**
 * The payload length from `x-amz-decoded-content-length`; `undefined` when absent. A value that is not a
 * non-negative decimal integer is an InvalidRequest.
 */
export function decodedContentLength(headers: IncomingHttpHeaders): number | undefined {
  const v = headerValue(headers, 'x-amz-decoded-content-length');
  if (v === undefined) return undefined;
  const n = /^\d{1,16}$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new AwsChunkedError('InvalidRequest', `x-amz-decoded-content-length is not a byte count: ${v}`);
  }
  return n;
}

/** The trailing header names announced by `x-amz-trailer`, lower-cased. */
export function declaredTrailers(headers: IncomingHttpHeaders): string[] {
  return encodings(headerValue(headers, 'x-amz-trailer')).map((n) => n.toLowerCase());
}

/**
 * The `Content-Encoding` to store with the object: S3 drops `aws-chunked` and keeps the rest;
 * `undefined` when nothing remains.
 */
export function contentEncodingWithoutAwsChunked(value: string | undefined): string | undefined {
  const rest = encodings(value).filter((e) => e.toLowerCase() !== 'aws-chunked');
  return rest.length === 0 ? undefined : rest.join(',');
}

/** Options of {@link createAwsChunkedDecoder}. */
export interface AwsChunkedDecoderOptions {
  /** The payload length the client declared (`x-amz-decoded-content-length`); checked when given. */
  readonly expectedLength?: number;
}

/** Longest chunk-header or trailer line accepted (a SigV4a chunk header is under 200 bytes). */
const MAX_LINE = 4096;
/** Most trailer lines accepted. */
const MAX_TRAILERS = 32;
const CR = 0x0d;
const LF = 0x0a;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,13})((?:;[^;=\s]+(?:=[^;\s]*)?)*)$/;
const TRAILER = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

type State = 'chunk-header' | 'chunk-data' | 'chunk-end' | 'trailer' | 'done';

/**
 * A Transform from an aws-chunked body to its payload bytes. After it has finished (its `'end'` or
 * `'finish'` event, or a completed pipeline) {@link AwsChunkedDecoder.trailers} holds the trailing
 * headers. Malformed framing, a truncated body, or a payload length other than `expectedLength` errors
 * the stream with an {@link AwsChunkedError}.
 */
export class AwsChunkedDecoder extends Transform {
  private state: State = 'chunk-header';
  private readonly line = Buffer.allocUnsafe(MAX_LINE);
  private lineLength = 0;
  /** Bytes of the current chunk's data still to come. */
  private remaining = 0;
  /** How many of the CRLF after a chunk's data have been seen. */
  private endSeen = 0;
  private decoded = 0;
  private readonly trailerMap = new Map<string, string>();
  private complete = false;
  private readonly expectedLength: number | undefined;

  constructor(opts: AwsChunkedDecoderOptions = {}) {
    super();
    this.expectedLength = opts.expectedLength;
  }

  /** Payload bytes decoded so far. */
  get decodedLength(): number {
    return this.decoded;
  }

  /** The trailing headers (lower-cased names), once the whole body has been decoded. */
  trailers(): Record<string, string> {
    if (!this.complete) throw new Error('AwsChunkedDecoder.trailers() called before the body was decoded');
    return Object.fromEntries(this.trailerMap);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== 'done') {
      callback(new AwsChunkedError('IncompleteBody', this.truncationMessage()));
      return;
    }
    this.complete = true;
    callback();
  }

  private consume(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case 'chunk-header':
        case 'trailer':
          pos = this.readLine(chunk, pos);
          break;
        case 'chunk-data': {
          const n = Math.min(this.remaining, chunk.length - pos);
          this.decoded += n;
          if (this.expectedLength !== undefined && this.decoded > this.expectedLength) {
            throw new AwsChunkedError(
              'InvalidRequest',
              `the chunks carry more than the ${this.expectedLength} bytes x-amz-decoded-content-length declares`,
            );
          }
          this.push(chunk.subarray(pos, pos + n));
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) {
            this.state = 'chunk-end';
            this.endSeen = 0;
          }
          break;
        }
        case 'chunk-end': {
          if (chunk[pos] !== (this.endSeen === 0 ? CR : LF)) {
            throw new AwsChunkedError(
              'InvalidRequest',
              'chunk data is not followed by CRLF (wrong chunk size?)',
            );
          }
          pos++;
          if (++this.endSeen === 2) this.state = 'chunk-header';
          break;
        }
        case 'done':
          throw new AwsChunkedError('InvalidRequest', 'data follows the end of the aws-chunked body');
      }
    }
  }

  /** Accumulates one CRLF-terminated line from `chunk` at `pos`; handles it when complete. */
  private readLine(chunk: Buffer, pos: number): number {
    const lf = chunk.indexOf(LF, pos);
    const end = lf === -1 ? chunk.length : lf;
    if (this.lineLength + (end - pos) > MAX_LINE) {
      throw new AwsChunkedError(
        'InvalidRequest',
        `an aws-chunked ${this.lineKind()} line exceeds ${MAX_LINE} bytes`,
      );
    }
    chunk.copy(this.line, this.lineLength, pos, end);
    this.lineLength += end - pos;
    if (lf === -1) return chunk.length;
    if (this.lineLength === 0 || this.line[this.lineLength - 1] !== CR) {
      throw new AwsChunkedError(
        'InvalidRequest',
        `an aws-chunked ${this.lineKind()} line does not end in CRLF`,
      );
    }
    const text = this.line.toString('latin1', 0, this.lineLength - 1);
    this.lineLength = 0;
    if (this.state === 'chunk-header') this.onChunkHeader(text);
    else this.onTrailer(text);
    return lf + 1;
  }

  private lineKind(): string {
    return this.state === 'trailer' ? 'trailer' : 'chunk header';
  }

  private onChunkHeader(text: string): void {
    const m = CHUNK_SIZE.exec(text);
    if (!m) {
      throw new AwsChunkedError(
        'InvalidRequest',
        `malformed aws-chunked chunk header: ${JSON.stringify(text)}`,
      );
    }
    const size = Number.parseInt(m[1]!, 16);
    if (size > 0) {
      this.remaining = size;
      this.state = 'chunk-data';
      return;
    }
    if (this.expectedLength !== undefined && this.decoded !== this.expectedLength) {
      throw new AwsChunkedError(
        'IncompleteBody',
        `the chunks carry ${this.decoded} bytes but x-amz-decoded-content-length declares ${this.expectedLength}`,
      );
    }
    this.state = 'trailer';
  }

  private onTrailer(text: string): void {
    if (text === '') {
      this.state = 'done';
      return;
    }
    const m = TRAILER.exec(text);
    if (!m)
      throw new AwsChunkedError('InvalidRequest', `malformed aws-chunked trailer: ${JSON.stringify(text)}`);
    const name = m[1]!.toLowerCase();
    if (this.trailerMap.has(name)) {
      throw new AwsChunkedError('InvalidRequest', `the aws-chunked trailer ${name} appears twice`);
    }
    if (this.trailerMap.size >= MAX_TRAILERS) {
      throw new AwsChunkedError('InvalidRequest', `more than ${MAX_TRAILERS} aws-chunked trailers`);
    }
    this.trailerMap.set(name, m[2]!);
  }

  private truncationMessage(): string {
    switch (this.state) {
      case 'chunk-data':
        return `the body ended ${this.remaining} bytes short of the end of a chunk`;
      case 'trailer':
        return 'the body ended inside the trailing headers (no final empty line)';
      default:
        return 'the body ended before the final zero-length chunk';
    }
  }
}

/** A decoder for one aws-chunked request body (see {@link AwsChunkedDecoder}). */
export function createAwsChunkedDecoder(opts?: AwsChunkedDecoderOptions): AwsChunkedDecoder {
  return new AwsChunkedDecoder(opts);
}
