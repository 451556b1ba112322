/**
 * Plain `node:http` requests a hostile client would send, for the local stack's input guards: a large body
 * streamed until the server answers, and `Expect: 100-continue` requests that send their body only when
 * invited — and an agent that resolves every name to 127.0.0.1, as DNS rebinding does. Requests are
 * signed with Signature Version 4 and the test key pair (the stack refuses unsigned ones).
 */
import { createHash } from 'node:crypto';
import { Agent, type AgentOptions, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { signHeaders } from './sigv4-sign.ts';

export interface StreamedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Body bytes the client had handed to the socket when the answer arrived. */
  readonly sentBytes: number;
}

/** SHA-256 (hex) of `totalBytes` of `byte`, computed in pieces. */
function repeatedSha256(byte: number, totalBytes: number): string {
  const hash = createHash('sha256');
  const piece = Buffer.alloc(1024 * 1024, byte);
  for (let done = 0; done < totalBytes; done += piece.length) {
    hash.update(piece.subarray(0, Math.min(piece.length, totalBytes - done)));
  }
  return hash.digest('hex');
}

/**
 * Streams `totalBytes` of body (with a Content-Length, or chunked when `declareLength` is false) and
 * stops sending as soon as the answer arrives. S3 requests sign `UNSIGNED-PAYLOAD`; JSON-protocol ones
 * (an `x-amz-target` header) the body's hash.
 */
export async function streamLargeBody(
  endpoint: string,
  options: {
    readonly method: string;
    readonly path: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly totalBytes: number;
    readonly declareLength: boolean;
    /** The region the request is signed for. @default 'us-east-1' */
    readonly region?: string;
  },
): Promise<StreamedResponse> {
  const url = new URL(endpoint);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const given = { host: url.host, ...options.headers };
  const json = Object.keys(given).some((name) => name.toLowerCase() === 'x-amz-target');
  const headers = await signHeaders({
    method: options.method,
    path: options.path,
    headers: given,
    payloadHash: json ? repeatedSha256(0x20, options.totalBytes) : 'UNSIGNED-PAYLOAD',
    ...(options.region !== undefined ? { region: options.region } : {}),
  });
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        agent: false,
        headers: {
          ...(options.declareLength ? { 'content-length': String(options.totalBytes) } : {}),
          ...headers,
        },
      },
      (res) => {
        answered = true;
        const sentBytes = sent;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            sentBytes,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      // Once answered, the server closing the connection under the rest of the body is expected.
      if (!answered) reject(err);
    });
    const pump = (): void => {
      while (!answered && sent < options.totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.totalBytes - sent));
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

export interface ContinueResponse {
  readonly status: number;
  readonly body: string;
  /** Whether the server invited the body with `100 Continue`. */
  readonly invited: boolean;
}

/** A signed request with `Expect: 100-continue` that sends `body` only if the server answers 100 Continue. */
export async function requestWithContinue(
  endpoint: string,
  options: {
    readonly method: string;
    readonly path: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: Buffer;
    /** The region the request is signed for. @default 'us-east-1' */
    readonly region?: string;
  },
): Promise<ContinueResponse> {
  const url = new URL(endpoint);
  const headers = await signHeaders({
    method: options.method,
    path: options.path,
    headers: { host: url.host, ...options.headers },
    body: options.body,
    ...(options.region !== undefined ? { region: options.region } : {}),
  });
  return new Promise((resolve, reject) => {
    let invited = false;
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        agent: false,
        headers: {
          ...headers,
          expect: '100-continue',
          'content-length': String(options.body.length),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), invited });
        });
        res.on('error', reject);
      },
    );
    req.on('continue', () => {
      invited = true;
      req.end(options.body);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

/** An agent that sends every host name to 127.0.0.1: what a rebound DNS name does to a browser. */
export function loopbackAgent(): Agent {
  const lookup: AgentOptions['lookup'] = (_host, options, callback) => {
    const cb = callback as (err: Error | null, address: unknown, family?: number) => void;
    if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  };
  return new Agent({ lookup });
}
