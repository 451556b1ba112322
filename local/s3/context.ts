/**
 * What an S3 operation handler receives (the parsed request and the service's shared parts) and what it
 * returns (status, headers and a body the service writes out).
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { FaultPlan } from '../faults.ts';
import type { DecisionKind } from '../iam/evaluate.ts';
import type { Principal, PrincipalRegistry } from '../iam/principals.ts';
import type { RequestContext, S3ObjectCreatedEvent, S3ObjectDeletedEvent } from '../types.ts';
import type { S3Address } from './addressing.ts';
import type { S3Permission } from './authorization.ts';
import type { KeyRegistry } from './encryption.ts';
import type { S3Operation } from './router.ts';
import type { S3Store } from './store/store.ts';

/** The limits S3 enforces that tests need to lower. */
export interface S3Limits {
  /** Largest source CopyObject accepts. @default 5 GiB */
  readonly maxCopyObjectBytes: number;
  /** Smallest part other than the last one. @default 5 MiB */
  readonly minPartSizeBytes: number;
}

/** The parts of the service every handler may use. */
export interface S3Deps {
  readonly store: S3Store;
  readonly accountId: string;
  readonly limits: S3Limits;
  readonly faults?: FaultPlan;
  readonly onObjectCreated?: (event: S3ObjectCreatedEvent) => void;
  /** Receives the "Object Deleted" events (delete markers and permanent deletions). */
  readonly onObjectDeleted?: (event: S3ObjectDeletedEvent) => void;
  /** The local KMS, asked whether an SSE-KMS key can be used; absent when S3 runs alone. */
  readonly kms?: KeyRegistry;
  /**
   * Who the access keys stand for (local/iam/principals.ts): the account a request acts for
   * (bucket-owner.ts). Absent: every request acts for `accountId`.
   */
  readonly principals?: PrincipalRegistry;
}

/** A request as handlers see it. */
export interface S3Request {
  readonly req: IncomingMessage;
  readonly ctx: RequestContext;
  readonly operation: S3Operation;
  readonly method: string;
  readonly address: S3Address;
  readonly query: URLSearchParams;
  /** The region of the SigV4 credential scope; `undefined` for unsigned requests. */
  readonly signingRegion: string | undefined;
  /**
   * Authorizes one more permission the operation learns of only from its body (DeleteObjects'
   * keys); absent when the caller is not evaluated (authorizer.ts).
   * @throws S3Error AccessDenied
   */
  readonly authorize?: (permission: S3Permission) => void;
  /**
   * The registered principal the request is evaluated for, on whose behalf S3 uses SSE-KMS keys
   * (kms-authorization.ts); absent when the caller is not evaluated.
   */
  readonly caller?: EvaluatedCaller;
}

/** A registered principal's request, as S3 acts for it towards KMS. */
export interface EvaluatedCaller {
  readonly principal: Principal;
  /** Adds a decision made on the principal's behalf (KMS's, on a key) to the authorization log. */
  readonly remember: (decision: KmsKeyDecision) => void;
}

/** A decision KMS made on S3's use of a key for the principal. */
export interface KmsKeyDecision {
  readonly action: string;
  /** The key ARN. */
  readonly resource: string;
  readonly decision: DecisionKind;
  readonly reason: string;
}

/** A handler's answer. A string body is sent as XML; a stream is piped. */
export interface S3Response {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: string | Readable;
}

/** An operation handler. */
export type S3Handler = (deps: S3Deps, request: S3Request) => Promise<S3Response>;

/** A request header as one string (repeated headers joined with `,`), or `undefined`. */
export function header(request: S3Request, name: string): string | undefined {
  const value = request.req.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

/** The bucket of a bucket- or object-level request (the router guarantees there is one). */
export function bucketName(request: S3Request): string {
  return request.address.bucket ?? '';
}

/** The key of an object-level request (the router guarantees there is one). */
export function objectKey(request: S3Request): string {
  return request.address.key ?? '';
}
