/**
 * Test-side helpers: checksums computed independently of the local S3 (node:crypto, @aws-sdk/crc64-nvme,
 * @aws-crypto/crc32c, @aws-crypto/crc32), raw (signed) HTTP requests with any Host header, and error capture.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { AwsCrc32 } from '@aws-crypto/crc32';
import { AwsCrc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { signHeaders } from '../../../helpers/sigv4-sign.ts';

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

export function md5Raw(data: Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}

export function sha256B64(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}

export async function crc64nvmeB64(data: Uint8Array): Promise<string> {
  const c = new Crc64Nvme();
  c.update(data);
  return Buffer.from(await c.digest()).toString('base64');
}

export async function crc32cRaw(data: Uint8Array): Promise<Buffer> {
  const c = new AwsCrc32c();
  c.update(data);
  return Buffer.from(await c.digest());
}

export async function crc32Raw(data: Uint8Array): Promise<Buffer> {
  const c = new AwsCrc32();
  c.update(data);
  return Buffer.from(await c.digest());
}

/** Deterministic pseudo-random bytes (so a failure reproduces). */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * A raw HTTP request to the endpoint, with full control of the Host header and path; signed with
 * Signature Version 4 for `region` with the test key pair (`x-amz-content-sha256` is the body's hash unless
 * the headers carry one), or, with `sign: false`, sent with exactly the headers given.
 */
export async function raw(
  endpoint: string,
  options: {
    readonly method?: string;
    readonly path: string;
    readonly host?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string | Buffer;
    readonly region?: string;
    readonly sign?: boolean;
  },
): Promise<RawResponse> {
  const url = new URL(endpoint);
  const method = options.method ?? 'GET';
  const given = { ...(options.host ? { host: options.host } : {}), ...options.headers };
  const headers =
    options.sign === false
      ? given
      : await signHeaders({
          method,
          path: options.path,
          headers: { host: url.host, ...given },
          ...(options.body !== undefined ? { body: options.body } : {}),
          ...(options.region !== undefined ? { region: options.region } : {}),
        });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: options.path,
        headers: {
          ...(options.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(options.body)) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The HTTP status of an SDK error. */
export function statusOf(err: Record<string, unknown>): number | undefined {
  return (err.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
}
