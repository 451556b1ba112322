/**
 * Signs hand-built requests with Signature Version 4 (`@smithy/signature-v4`, the SDK's own signer), for
 * tests that send raw HTTP to the local stack: the stack refuses unsigned requests, and verifies
 * signatures where the test turned verification on.
 */
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../local/protocol/signature.ts';

/** The key pair the test stacks' clients sign with (TEST_CREDENTIALS of test/helpers/local-stack.ts). */
const DEFAULT_KEY_PAIR = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface RequestToSign {
  readonly method: string;
  /** The request target as it will be sent: the encoded path and query. */
  readonly path: string;
  /** Headers to send and sign; `host` is required. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /**
   * The payload hash to sign instead of the body's SHA-256 (S3: sent as `x-amz-content-sha256`, unless
   * the headers already carry one — that value is signed as it is).
   */
  readonly payloadHash?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** @default 'us-east-1' */
  readonly region?: string;
  /** `s3`, `states`, `codedeploy`, `kms`. @default from `X-Amz-Target`, else 's3' */
  readonly service?: string;
  /** @default now */
  readonly date?: Date;
}

function split(target: string): { path: string; query: Record<string, string | string[]> } {
  const question = target.indexOf('?');
  const path = question === -1 ? target : target.slice(0, question);
  const query: Record<string, string | string[]> = {};
  const search = question === -1 ? '' : target.slice(question + 1);
  for (const piece of search.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decodeURIComponent(eq === -1 ? piece : piece.slice(0, eq));
    const value = eq === -1 ? '' : decodeURIComponent(piece.slice(eq + 1));
    const existing = query[name];
    query[name] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { path, query };
}

/** The signing name of the service a request is for: its `X-Amz-Target` prefix, else S3. */
function serviceOf(request: RequestToSign): string {
  if (request.service !== undefined) return request.service;
  const target = Object.entries(request.headers).find(([name]) => name.toLowerCase() === 'x-amz-target')?.[1];
  if (target?.startsWith('AWSStepFunctions.')) return 'states';
  if (target?.startsWith('CodeDeploy_20141006.')) return 'codedeploy';
  if (target?.startsWith('TrentService.')) return 'kms';
  return 's3';
}

function signerFor(request: RequestToSign): SignatureV4 {
  const service = serviceOf(request);
  return new SignatureV4({
    service,
    region: request.region ?? 'us-east-1',
    credentials: request.credentials ?? DEFAULT_KEY_PAIR,
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
}

function lowerCased(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The headers to send: the given ones plus `authorization`, `x-amz-date` (and S3's `x-amz-content-sha256`). */
export async function signHeaders(request: RequestToSign): Promise<Record<string, string>> {
  const s3 = serviceOf(request) === 's3';
  const headers = lowerCased(request.headers);
  const bodyHash = createHash('sha256')
    .update(request.body ?? '')
    .digest('hex');
  const payloadHash = headers['x-amz-content-sha256'] ?? request.payloadHash ?? bodyHash;
  if (s3) headers['x-amz-content-sha256'] = payloadHash;
  const { path, query } = split(request.path);
  const signed = await signerFor(request).sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path,
      query,
      // The signer reads the payload hash from this header; only S3 sends it.
      headers: { ...headers, 'x-amz-content-sha256': payloadHash },
    },
    {
      ...(request.date ? { signingDate: request.date } : {}),
      ...(s3 ? {} : { unsignableHeaders: new Set(['x-amz-content-sha256']) }),
    },
  );
  const out: Record<string, string> = { ...signed.headers };
  if (!s3) delete out['x-amz-content-sha256'];
  return out;
}

/** The request target of a presigned URL for `request` (its headers are signed; send them too). */
export async function presignPath(request: RequestToSign & { readonly expiresIn: number }): Promise<string> {
  const { path, query } = split(request.path);
  const headers = lowerCased(request.headers);
  // As the SDK's S3 presigner does: the payload is not signed, and says so in the query.
  if (serviceOf(request) === 's3') headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const presigned = await signerFor(request).presign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host ?? '',
      path,
      query,
      headers,
    },
    { expiresIn: request.expiresIn, ...(request.date ? { signingDate: request.date } : {}) },
  );
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(presigned.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value ?? '']) {
      pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(v)}`);
    }
  }
  return `${path}?${pairs.join('&')}`;
}
