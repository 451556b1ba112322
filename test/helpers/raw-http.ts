/**
 * Plain `node:http` requests a hostile client would send, for the local stack's input guards: a large body
 * streamed until the server answers, and `Expect: 100-continue` requests that send their body only when
 * invited — and an agent that resolves every name to 127.0.0.1, as DNS rebinding does. Requests are
 * signed with Signature Version 4 and the test key pair (the stack refuses unsigned ones).
 */
import { createHash } from 'node:crypto';
import { Agent, type AgentOptions, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
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
  const head = [
    `${options.method} ${options.path} HTTP/1.1`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    options.declareLength ? `content-length: ${options.totalBytes}` : 'transfer-encoding: chunked',
    'connection: close',
    '',
    '',
  ].join('\r\n');
  // A raw socket rather than node:http: when the server answers and closes while the body still streams,
  // node:http reports the write's EPIPE and drops the answer it had already received.
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const received: Buffer[] = [];
    let sent = 0;
    let answeredAt: number | undefined;
    let settled = false;
    const finish = (): boolean => {
      const parsed = parseHttpResponse(Buffer.concat(received));
      if (parsed === undefined || settled) return false;
      settled = true;
      socket.destroy();
      resolve({ ...parsed, sentBytes: answeredAt ?? sent });
      return true;
    };
    socket.on('data', (data: Buffer) => {
      received.push(data);
      answeredAt ??= sent;
      finish();
    });
    // The server closing the connection under the rest of the body is expected once it answered.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!finish() && !settled) {
        settled = true;
        reject(new Error(`no complete HTTP answer after ${sent} body bytes`));
      }
    });
    const pump = (): void => {
      while (answeredAt === undefined && !socket.destroyed && sent < options.totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.totalBytes - sent));
        sent += piece.length;
        const framed = options.declareLength
          ? piece
          : Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]);
        if (!socket.write(framed)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (answeredAt === undefined && !socket.destroyed && !options.declareLength) socket.write('0\r\n\r\n');
    };
    socket.write(head);
    pump();
  });
}

/** A complete HTTP/1.1 answer in `bytes` (Content-Length or chunked body), or undefined while incomplete. */
function parseHttpResponse(
  bytes: Buffer,
): { status: number; headers: IncomingHttpHeaders; body: string } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1] ?? 0);
  const rest = bytes.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) return { status, headers, body: Buffer.concat(parts).toString('utf8') };
      if (rest.length < lineEnd + 2 + size) return undefined;
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (rest.length < length) return undefined;
  return { status, headers, body: rest.subarray(0, length).toString('utf8') };
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
