/**
 * Recomputes a request's Signature Version 4 signature with `@smithy/signature-v4` (the signer the AWS
 * SDK for JavaScript v3 uses), following the AWS General Reference, "Create a signed AWS API request":
 * the canonical request (method, canonical URI, canonical query string, the headers the client listed
 * in SignedHeaders, that list, the payload hash), the string to sign over the request date and the
 * credential scope as the client sent them, and the HMAC chain of the secret key.
 *
 * S3 signs its path as sent (no second URI-encoding, no dot-segment normalisation); every other service
 * encodes the path once more, as the reference prescribes. HMAC and SHA-256 come from node:crypto.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { getCanonicalHeaders, getSigningKey, SignatureV4 } from '@smithy/signature-v4';
import { type CredentialScope, type RawTarget, SIGV4_ALGORITHM } from './sigv4.ts';

type SignableRequest = Parameters<typeof getCanonicalHeaders>[0];
type SecretInput = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SecretInput): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** SHA-256, or HMAC-SHA256 when given a secret: the checksum constructor the signer takes. */
export class NodeSha256 {
  readonly #secret: Buffer | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SecretInput) {
    this.#secret = secret === undefined ? undefined : bytesOf(secret);
    this.#hash = this.#create();
  }

  #create(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#create();
  }
}

/** What the signature is computed over, for the error documents that show it. */
export interface ComputedSignature {
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  /** Lower-case hex. */
  readonly signature: string;
}

/** What a signature is recomputed from: the request as received and what it claims. */
export interface SignatureInput {
  readonly method: string;
  readonly target: RawTarget;
  /** The values of the signed headers, by lower-case name (absent ones are left out, as signers do). */
  readonly headers: Readonly<Record<string, string>>;
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
  /** The request timestamp as signed: `YYYYMMDD'T'HHMMSS'Z'`. */
  readonly longDate: string;
  readonly scope: CredentialScope;
  readonly scopeText: string;
  readonly secretAccessKey: string;
}

/**
 * Exposes the signer's canonical-request and string-to-sign steps, which its `sign()` runs together, and
 * signs with the key derived from the credential scope's date (the signer would take today's).
 */
class Recomputer extends SignatureV4 {
  async recompute(request: SignableRequest, input: SignatureInput): Promise<ComputedSignature> {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(input.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(request, canonicalHeaders, input.payloadHash);
    const stringToSign = await this.createStringToSign(
      input.longDate,
      input.scopeText,
      canonicalRequest,
      SIGV4_ALGORITHM,
    );
    const { date, region, service } = input.scope;
    const key = await getSigningKey(
      NodeSha256,
      { accessKeyId: input.scope.accessKeyId, secretAccessKey: input.secretAccessKey },
      date,
      region,
      service,
    );
    const hmac = new NodeSha256(key);
    hmac.update(Buffer.from(stringToSign, 'utf8'));
    const signature = Buffer.from(await hmac.digest()).toString('hex');
    return { canonicalRequest, stringToSign, signature };
  }
}

function queryBag(target: RawTarget): Record<string, string | string[]> {
  const bag: Record<string, string | string[]> = {};
  for (const [name, value] of target.query) {
    if (!Object.hasOwn(bag, name)) {
      bag[name] = value;
      continue;
    }
    const existing = bag[name]!;
    bag[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return bag;
}

/** The signature the request should carry if it was signed with `input.secretAccessKey`. */
export async function recomputeSignature(input: SignatureInput): Promise<ComputedSignature> {
  const s3 = input.scope.service === 's3';
  const signer = new Recomputer({
    service: input.scope.service,
    region: input.scope.region,
    credentials: { accessKeyId: input.scope.accessKeyId, secretAccessKey: input.secretAccessKey },
    sha256: NodeSha256,
    uriEscapePath: !s3,
    applyChecksum: false,
  });
  const request: SignableRequest = {
    method: input.method.toUpperCase(),
    protocol: 'http:',
    hostname: input.headers.host ?? '',
    path: input.target.path,
    query: queryBag(input.target),
    headers: { ...input.headers },
  };
  return signer.recompute(request, input);
}
