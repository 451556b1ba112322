/**
 * What a request says about how it is signed, read from its `Authorization` header or its query string as
 * the AWS General Reference describes Signature Version 4 ("Elements of an AWS API request signature",
 * "Create a signed AWS API request", "Authenticating Requests: Using Query Parameters" in the S3 API
 * reference): the credential scope (the region a request was signed for and the access key id that
 * signed it, which services read), the headers it signed, the signature, and for presigned URLs their
 * date and lifetime. Whether the signature is right is decided elsewhere (local/protocol/authentication.ts).
 */
import type { IncomingMessage } from 'node:http';

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** The algorithm of Signature Version 4, the only one AWS accepts in every region. */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** A request signed with Signature Version 4, in the `Authorization` header or in its query (presigned). */
export interface SigV4Claim {
  readonly kind: 'header' | 'presigned';
  readonly scope: CredentialScope;
  /** The credential scope as sent: `<date>/<region>/<service>/aws4_request`. */
  readonly scopeText: string;
  /** SignedHeaders, lower case, in the order sent. */
  readonly signedHeaders: readonly string[];
  /** The signature as sent (hex). */
  readonly signature: string;
  /** Presigned only: `X-Amz-Date` and `X-Amz-Expires` as sent. */
  readonly presignedDate?: string;
  readonly presignedExpires?: string;
}

/** How a request is (or is not) signed. */
export type SignatureClaim =
  | SigV4Claim
  | { readonly kind: 'unsigned' }
  /** Signature Version 2 (`Authorization: AWS key:signature`, or `AWSAccessKeyId`/`Signature` in the query). */
  | { readonly kind: 'sigv2' }
  /** Another scheme (SigV4a, a bearer token …): `scheme` is what the request names. */
  | { readonly kind: 'unsupported'; readonly scheme: string }
  /** SigV4 that cannot be read: `reason` says what is missing or wrong. */
  | { readonly kind: 'malformed'; readonly presigned: boolean; readonly reason: string };

/** The request target split as sent: the raw (still encoded) path and the decoded query pairs. */
export interface RawTarget {
  readonly path: string;
  readonly query: ReadonlyArray<readonly [string, string]>;
}

const SCOPE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

function parseScope(credential: string): CredentialScope | undefined {
  const m = SCOPE.exec(credential);
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]! };
}

/**
 * The path and query of the request target exactly as sent (an absolute-form target loses its scheme and
 * authority). Query names and values are percent-decoded (`+` stays `+`, as SigV4 canonicalisation expects);
 * `undefined` when a percent-escape is broken.
 */
export function rawTarget(req: IncomingMessage): RawTarget | undefined {
  const target = (req.url ?? '/').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const question = target.indexOf('?');
  const path = (question === -1 ? target : target.slice(0, question)) || '/';
  const search = question === -1 ? '' : target.slice(question + 1).split('#')[0]!;
  const query: Array<[string, string]> = [];
  try {
    for (const piece of search.split('&')) {
      if (piece === '') continue;
      const eq = piece.indexOf('=');
      const name = decodeURIComponent(eq === -1 ? piece : piece.slice(0, eq));
      const value = eq === -1 ? '' : decodeURIComponent(piece.slice(eq + 1));
      query.push([name, value]);
    }
  } catch {
    return undefined;
  }
  return { path, query };
}

function queryValue(target: RawTarget, name: string): string | undefined {
  return target.query.find(([key]) => key === name)?.[1];
}

function splitHeaders(list: string): string[] {
  return list
    .split(';')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

function fromHeader(authorization: string): SignatureClaim {
  const fields = new Map<string, string>();
  for (const part of authorization.slice(SIGV4_ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const missing = [
    credential === undefined ? "'Credential'" : undefined,
    signedHeaders === undefined ? "'SignedHeaders'" : undefined,
    signature === undefined ? "'Signature'" : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length > 0) {
    return {
      kind: 'malformed',
      presigned: false,
      reason: `the Authorization header lacks the ${missing.join(', ')} parameter${missing.length > 1 ? 's' : ''}`,
    };
  }
  const scope = parseScope(credential!);
  if (scope === undefined) {
    return {
      kind: 'malformed',
      presigned: false,
      reason: `the Credential '${credential}' is not <access key id>/<yyyymmdd>/<region>/<service>/aws4_request`,
    };
  }
  return {
    kind: 'header',
    scope,
    scopeText: credential!.slice(scope.accessKeyId.length + 1),
    signedHeaders: splitHeaders(signedHeaders!),
    signature: signature!,
  };
}

const PRESIGN_PARAMS = [
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
];

function fromQuery(target: RawTarget): SignatureClaim {
  const algorithm = queryValue(target, 'X-Amz-Algorithm');
  if (algorithm !== undefined && algorithm !== SIGV4_ALGORITHM)
    return { kind: 'unsupported', scheme: algorithm };
  const missing = ['X-Amz-Algorithm', ...PRESIGN_PARAMS].filter((p) => queryValue(target, p) === undefined);
  if (missing.length > 0) {
    return {
      kind: 'malformed',
      presigned: true,
      reason: `the query lacks ${missing.join(', ')}`,
    };
  }
  const credential = queryValue(target, 'X-Amz-Credential')!;
  const scope = parseScope(credential);
  if (scope === undefined) {
    return {
      kind: 'malformed',
      presigned: true,
      reason: `X-Amz-Credential '${credential}' is not <access key id>/<yyyymmdd>/<region>/<service>/aws4_request`,
    };
  }
  return {
    kind: 'presigned',
    scope,
    scopeText: credential.slice(scope.accessKeyId.length + 1),
    signedHeaders: splitHeaders(queryValue(target, 'X-Amz-SignedHeaders')!),
    signature: queryValue(target, 'X-Amz-Signature')!,
    presignedDate: queryValue(target, 'X-Amz-Date')!,
    presignedExpires: queryValue(target, 'X-Amz-Expires')!,
  };
}

/** How the request is signed: from its `Authorization` header, else its query, else not at all. */
export function signatureClaim(req: IncomingMessage, target: RawTarget): SignatureClaim {
  const authorization = req.headers.authorization?.trim();
  if (authorization !== undefined && authorization !== '') {
    if (authorization === SIGV4_ALGORITHM || authorization.startsWith(`${SIGV4_ALGORITHM} `)) {
      return fromHeader(authorization);
    }
    if (authorization.startsWith('AWS ')) return { kind: 'sigv2' };
    return { kind: 'unsupported', scheme: authorization.split(/\s/)[0] ?? authorization };
  }
  if (target.query.some(([name]) => name === 'X-Amz-Algorithm' || PRESIGN_PARAMS.includes(name))) {
    return fromQuery(target);
  }
  if (queryValue(target, 'AWSAccessKeyId') !== undefined && queryValue(target, 'Signature') !== undefined) {
    return { kind: 'sigv2' };
  }
  return { kind: 'unsigned' };
}

/** The credential scope from the `Authorization` header or a presigned URL's `X-Amz-Credential`. */
export function credentialScope(req: IncomingMessage, url: URL): CredentialScope | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith(SIGV4_ALGORITHM)) {
    const m = /Credential=([^,\s]+)/.exec(auth);
    if (m) return parseScope(m[1]!);
  }
  const presigned = url.searchParams.get('X-Amz-Credential');
  return presigned ? parseScope(presigned) : undefined;
}
