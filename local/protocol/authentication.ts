/**
 * Who may talk to the local stack, decided after the guard (local/protocol/guard.ts) and before any
 * service reads a request — the authentication step of the AWS General Reference, "Signature Version 4
 * signing process", and of the S3 API reference, "Authenticating Requests (AWS Signature Version 4)".
 *
 * Always, as AWS does:
 * - a request with no signature at all is refused: S3 answers 403 `AccessDenied`, the JSON services
 *   (Step Functions, CodeDeploy, KMS) 403 `MissingAuthenticationTokenException` "Missing Authentication
 *   Token" (the `MissingAuthenticationToken` common error);
 * - Signature Version 2 and other schemes are refused: S3 400 `InvalidRequest` "The authorization mechanism
 *   you have provided is not supported. Please use AWS4-HMAC-SHA256.", JSON 400
 *   `IncompleteSignatureException`; an unreadable SigV4 header or query is 400
 *   `AuthorizationHeaderMalformed` / `AuthorizationQueryParametersError` (JSON `IncompleteSignatureException`).
 *
 * With `verifySignatures` (`relay local --strict-auth`, and the integration tests), the signature is
 * recomputed (local/protocol/signature.ts) with the secret of the access key that claims it and compared
 * in constant time:
 * - an access key whose secret is not known: S3 403 `InvalidAccessKeyId`, JSON 400 `UnrecognizedClientException`;
 * - a request time more than 15 minutes from the clock: S3 403 `RequestTimeTooSkewed` (with `RequestTime`,
 *   `ServerTime`, `MaxAllowedSkewMilliseconds`), JSON 400 `InvalidSignatureException` "Signature expired: …";
 * - a presigned URL past `X-Amz-Date` + `X-Amz-Expires`: S3 403 `AccessDenied` "Request has expired"
 *   (`X-Amz-Expires` over 604800 seconds is 400 `AuthorizationQueryParametersError`);
 * - any other difference: S3 403 `SignatureDoesNotMatch` (with the canonical request and string to sign
 *   S3 shows), JSON 400 `InvalidSignatureException`.
 *
 * Payload: S3 signs the `x-amz-content-sha256` header's value as sent (`UNSIGNED-PAYLOAD`,
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` or a hex SHA-256), and a
 * presigned URL `UNSIGNED-PAYLOAD` (or its `X-Amz-Content-Sha256`), so an S3 request is verified before its
 * body is read — a refused upload sends no byte of its body. Whether a body matches a hex hash is not
 * decided here but where the body is read, as on S3: the local S3 answers `XAmzContentSHA256Mismatch`
 * for object bodies (PutObject, UploadPart). The chunk signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`
 * bodies are not verified (the seed signature in the header is). The JSON services sign the body's
 * SHA-256, so their signature is verified once the body is read ({@link Admission.verifyBody}).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { recomputeSignature } from './signature.ts';
import { type RawTarget, rawTarget, type SigV4Claim, signatureClaim } from './sigv4.ts';

/** An access key id and its secret. */
export interface KeyPair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Raised for a key pair that cannot be used. */
export class InvalidKeyPairError extends Error {
  override readonly name = 'InvalidKeyPairError';
}

/** The secret of an access key id, or `undefined` when the key is unknown. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

/** Why a request is refused, in the terms of each protocol. */
export interface AuthenticationFailure {
  readonly s3: {
    readonly code: string;
    readonly status: number;
    readonly message: string;
    /** Extra child elements of S3's `<Error>`, in order. */
    readonly details?: Readonly<Record<string, string>>;
  };
  readonly json: { readonly code: string; readonly status: number; readonly message: string };
}

/** What the endpoint does with a request after authentication. */
export type Admission =
  | { readonly refused: AuthenticationFailure; readonly verifyBody?: undefined }
  | {
      readonly refused?: undefined;
      /**
       * JSON-protocol requests with verification on: checks the signature over the body once it is read.
       * Absent when there is nothing left to check.
       */
      readonly verifyBody?: (body: Buffer) => Promise<AuthenticationFailure | undefined>;
    };

/** The protocol a request speaks: S3's REST/XML, or the AWS JSON protocol. */
export type Protocol = 's3' | 'json';

/** How far a request time may be from the clock (S3 and the JSON services alike). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** The longest lifetime of a presigned URL (seven days). */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60;

const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseLongDate(value: string): Date | undefined {
  const m = LONG_DATE.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function longDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** ISO 8601 without milliseconds, as S3 writes `ServerTime`. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function bytesHex(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function sameSignature(provided: string, computed: string): boolean {
  const a = Buffer.from(provided.toLowerCase(), 'utf8');
  const b = Buffer.from(computed, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const NOT_SUPPORTED =
  'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

const failures = {
  unsigned: (): AuthenticationFailure => ({
    s3: {
      code: 'AccessDenied',
      status: 403,
      message:
        'Access Denied: the request is not signed. Like AWS, the local stack serves only requests signed ' +
        'with Signature Version 4 (AWS4-HMAC-SHA256) — send it through an AWS SDK or the AWS CLI.',
    },
    json: {
      code: 'MissingAuthenticationTokenException',
      status: 403,
      message: 'Missing Authentication Token',
    },
  }),
  unsupported: (scheme: string): AuthenticationFailure => ({
    s3: { code: 'InvalidRequest', status: 400, message: NOT_SUPPORTED },
    json: {
      code: 'IncompleteSignatureException',
      status: 400,
      message:
        `The request is signed with ${scheme === 'AWS' ? 'Signature Version 2' : `'${scheme}'`}, which is not ` +
        'supported: sign it with Signature Version 4 (AWS4-HMAC-SHA256), as every current AWS SDK and the AWS CLI do.',
    },
  }),
  malformed: (presigned: boolean, reason: string): AuthenticationFailure => ({
    s3: presigned
      ? {
          code: 'AuthorizationQueryParametersError',
          status: 400,
          message: `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters: ${reason}.`,
        }
      : {
          code: 'AuthorizationHeaderMalformed',
          status: 400,
          message: `The authorization header is malformed; ${reason}.`,
        },
    json: {
      code: 'IncompleteSignatureException',
      status: 400,
      message: `The request signature is incomplete: ${reason}.`,
    },
  }),
  missingDate: (): AuthenticationFailure => ({
    s3: {
      code: 'AccessDenied',
      status: 403,
      message: 'AWS authentication requires a valid Date or x-amz-date header',
    },
    json: {
      code: 'IncompleteSignatureException',
      status: 400,
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    },
  }),
  missingContentSha256: (): AuthenticationFailure => ({
    s3: {
      code: 'InvalidRequest',
      status: 400,
      message: 'Missing required header for this request: x-amz-content-sha256',
    },
    json: {
      code: 'IncompleteSignatureException',
      status: 400,
      message: 'Missing required header: x-amz-content-sha256',
    },
  }),
  queryParameter: (message: string): AuthenticationFailure => ({
    s3: { code: 'AuthorizationQueryParametersError', status: 400, message },
    json: { code: 'IncompleteSignatureException', status: 400, message },
  }),
  unknownKey: (accessKeyId: string): AuthenticationFailure => ({
    s3: {
      code: 'InvalidAccessKeyId',
      status: 403,
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      details: { AWSAccessKeyId: accessKeyId },
    },
    json: {
      code: 'UnrecognizedClientException',
      status: 400,
      message: 'The security token included in the request is invalid.',
    },
  }),
  skewed: (requestTime: string, signed: Date, now: Date): AuthenticationFailure => {
    const late = signed.getTime() < now.getTime();
    const bound = new Date(now.getTime() + (late ? -MAX_SKEW_MS : MAX_SKEW_MS));
    return {
      s3: {
        code: 'RequestTimeTooSkewed',
        status: 403,
        message: 'The difference between the request time and the current time is too large.',
        details: {
          RequestTime: requestTime,
          ServerTime: isoSeconds(now),
          MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
        },
      },
      json: {
        code: 'InvalidSignatureException',
        status: 400,
        message: late
          ? `Signature expired: ${longDateOf(signed)} is now earlier than ${longDateOf(bound)} (${longDateOf(now)} - 15 min.)`
          : `Signature not yet current: ${longDateOf(signed)} is still later than ${longDateOf(bound)} (${longDateOf(now)} + 15 min.)`,
      },
    };
  },
  expired: (expires: string, expiry: Date, now: Date): AuthenticationFailure => ({
    s3: {
      code: 'AccessDenied',
      status: 403,
      message: 'Request has expired',
      details: { 'X-Amz-Expires': expires, Expires: isoSeconds(expiry), ServerTime: isoSeconds(now) },
    },
    json: {
      code: 'InvalidSignatureException',
      status: 400,
      message: `Signature expired: ${longDateOf(expiry)} is now earlier than ${longDateOf(now)}`,
    },
  }),
  notYetValid: (): AuthenticationFailure => ({
    s3: { code: 'AccessDenied', status: 403, message: 'Request is not yet valid' },
    json: { code: 'InvalidSignatureException', status: 400, message: 'Signature not yet current' },
  }),
  mismatch: (
    claim: SigV4Claim,
    computed: { canonicalRequest: string; stringToSign: string },
  ): AuthenticationFailure => ({
    s3: {
      code: 'SignatureDoesNotMatch',
      status: 403,
      message:
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      details: {
        AWSAccessKeyId: claim.scope.accessKeyId,
        StringToSign: computed.stringToSign,
        SignatureProvided: claim.signature,
        StringToSignBytes: bytesHex(computed.stringToSign),
        CanonicalRequest: computed.canonicalRequest,
        CanonicalRequestBytes: bytesHex(computed.canonicalRequest),
      },
    },
    json: {
      code: 'InvalidSignatureException',
      status: 400,
      message:
        'The request signature we calculated does not match the signature you provided. Check your AWS ' +
        'Secret Access Key and signing method. Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${computed.canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${computed.stringToSign}'\n`,
    },
  }),
};

/** The values of the headers a request signed (several values of one header joined with commas). */
function signedHeaderValues(req: IncomingMessage, names: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const sent = req.headersDistinct[name];
    if (sent !== undefined) values[name] = sent.map((v) => v.trim()).join(',');
  }
  return values;
}

/** The request time a header-signed request claims: `x-amz-date`, else `Date`. */
function headerTime(req: IncomingMessage): { text: string; longDate: string; date: Date } | undefined {
  const amzDate = req.headers['x-amz-date'];
  if (typeof amzDate === 'string') {
    const date = parseLongDate(amzDate.trim());
    return date === undefined ? undefined : { text: amzDate.trim(), longDate: amzDate.trim(), date };
  }
  const httpDate = req.headers.date;
  if (httpDate === undefined) return undefined;
  const date = new Date(httpDate);
  return Number.isNaN(date.getTime()) ? undefined : { text: httpDate, longDate: longDateOf(date), date };
}

function queryValue(target: RawTarget, name: string): string | undefined {
  return target.query.find(([key]) => key === name)?.[1];
}

/** A request that passed every check but its signature: what the signature is recomputed with. */
interface Verification {
  readonly claim: SigV4Claim;
  readonly secret: string;
  readonly longDate: string;
}

export interface AuthenticatorOptions {
  /** Recompute and compare signatures. @default false — any well-formed SigV4 signature is accepted */
  readonly verifySignatures?: boolean;
  /** The secret of an access key id (used only with `verifySignatures`). */
  readonly secretOf?: SecretLookup;
  /** The clock. @default Date.now */
  readonly now?: () => number;
}

/** Authenticates requests for the endpoint (local/server.ts). */
export class Authenticator {
  readonly #verify: boolean;
  readonly #secretOf: SecretLookup;
  readonly #now: () => number;

  constructor(options: AuthenticatorOptions = {}) {
    this.#verify = options.verifySignatures === true;
    this.#secretOf = options.secretOf ?? (() => undefined);
    this.#now = options.now ?? Date.now;
  }

  /** Whether signatures are recomputed and compared. */
  get verifiesSignatures(): boolean {
    return this.#verify;
  }

  /**
   * Admits or refuses a request from its request line and headers. S3 requests are verified completely
   * here; a JSON-protocol request's signature is verified by the returned `verifyBody`.
   */
  async admit(req: IncomingMessage, protocol: Protocol): Promise<Admission> {
    const target = rawTarget(req);
    if (target === undefined)
      return { refused: failures.malformed(false, 'the query string is not URL-encoded') };
    const claim = signatureClaim(req, target);
    switch (claim.kind) {
      case 'unsigned':
        return { refused: failures.unsigned() };
      case 'sigv2':
        return { refused: failures.unsupported('AWS') };
      case 'unsupported':
        return { refused: failures.unsupported(claim.scheme) };
      case 'malformed':
        return { refused: failures.malformed(claim.presigned, claim.reason) };
    }
    if (!this.#verify) return {};
    const checked = this.#beforeSignature(req, claim);
    if ('refused' in checked) return checked;
    if (protocol === 's3') {
      const payloadHash = this.#s3PayloadHash(req, target, claim);
      if (payloadHash === undefined) return { refused: failures.missingContentSha256() };
      const refused = await this.#compare(req, target, checked, payloadHash);
      return refused === undefined ? {} : { refused };
    }
    return {
      verifyBody: (body) =>
        this.#compare(req, target, checked, createHash('sha256').update(body).digest('hex')),
    };
  }

  #beforeSignature(
    req: IncomingMessage,
    claim: SigV4Claim,
  ): Verification | { readonly refused: AuthenticationFailure } {
    const secret = this.#secretOf(claim.scope.accessKeyId);
    if (secret === undefined) return { refused: failures.unknownKey(claim.scope.accessKeyId) };
    const now = new Date(this.#now());
    if (claim.kind === 'presigned') {
      const signed = parseLongDate(claim.presignedDate ?? '');
      if (signed === undefined) {
        return {
          refused: failures.queryParameter(
            `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`,
          ),
        };
      }
      const expires = claim.presignedExpires ?? '';
      if (!/^\d{1,9}$/.test(expires)) {
        return { refused: failures.queryParameter('X-Amz-Expires should be a number') };
      }
      if (Number(expires) > MAX_PRESIGNED_SECONDS) {
        return {
          refused: failures.queryParameter(
            `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGNED_SECONDS}`,
          ),
        };
      }
      if (signed.getTime() - now.getTime() > MAX_SKEW_MS) return { refused: failures.notYetValid() };
      const expiry = new Date(signed.getTime() + Number(expires) * 1000);
      if (now.getTime() > expiry.getTime()) return { refused: failures.expired(expires, expiry, now) };
      return { claim, secret, longDate: claim.presignedDate ?? '' };
    }
    const time = headerTime(req);
    if (time === undefined) return { refused: failures.missingDate() };
    if (Math.abs(now.getTime() - time.date.getTime()) > MAX_SKEW_MS) {
      return { refused: failures.skewed(time.text, time.date, now) };
    }
    return { claim, secret, longDate: time.longDate };
  }

  #s3PayloadHash(req: IncomingMessage, target: RawTarget, claim: SigV4Claim): string | undefined {
    if (claim.kind === 'presigned') return queryValue(target, 'X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
    const header = req.headers['x-amz-content-sha256'];
    return typeof header === 'string' ? header.trim() : undefined;
  }

  async #compare(
    req: IncomingMessage,
    target: RawTarget,
    verification: Verification,
    payloadHash: string,
  ): Promise<AuthenticationFailure | undefined> {
    const { claim } = verification;
    const computed = await recomputeSignature({
      method: req.method ?? 'GET',
      target,
      headers: signedHeaderValues(req, claim.signedHeaders),
      signedHeaders: claim.signedHeaders,
      payloadHash,
      longDate: verification.longDate,
      scope: claim.scope,
      scopeText: claim.scopeText,
      secretAccessKey: verification.secret,
    });
    return sameSignature(claim.signature, computed.signature)
      ? undefined
      : failures.mismatch(claim, computed);
  }
}
