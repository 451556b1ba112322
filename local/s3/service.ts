/**
 * The local S3: a REST/XML service answering the raw HTTP exchanges the endpoint hands it (path-style and
 * virtual-host style), backed by a store on disk that a new process on the same data directory sees
 * again. It also gives other local services (CodeDeploy) in-process read access to objects.
 *
 * Each request: resolve bucket and key → name the operation (NotImplemented/MethodNotAllowed otherwise)
 * → consult the fault plan → authorize a registered principal's request (authorizer.ts; others act as the
 * account administrator) → run the operation's handler → write the answer → log one line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultPlan } from '../faults.ts';
import { decisionRecord } from '../iam/decision-log.ts';
import type { PrincipalRegistry } from '../iam/principals.ts';
import { credentialScope } from '../protocol/sigv4.ts';
import type {
  RequestContext,
  RestService,
  S3ObjectCreatedEvent,
  S3ObjectDeletedEvent,
  S3ObjectReader,
  StoredObject,
} from '../types.ts';
import { resolveAddress, type S3Address } from './addressing.ts';
import { type AuthorizationRecord, S3Authorizer } from './authorizer.ts';
import type { S3Deps, S3Limits, S3Request } from './context.ts';
import type { KeyRegistry } from './encryption.ts';
import { S3Error, S3Errors } from './errors.ts';
import { HANDLERS } from './ops/handlers.ts';
import { sendResponse, sendS3Error } from './response.ts';
import { identifyOperation } from './router.ts';
import { BucketGoneError, S3Store } from './store/store.ts';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** How the local S3 is set up. */
export interface S3ServiceOptions {
  /** Where buckets and objects are kept. */
  readonly dataDir: string;
  /** The local stack's account: owns the buckets its unregistered callers create (bucket-owner.ts). */
  readonly accountId: string;
  /** Injected faults, consulted at the start of every request. */
  readonly faults?: FaultPlan;
  /** Lowerable limits. */
  readonly limits?: {
    /** @default 5 GiB */
    readonly maxCopyObjectBytes?: number;
    /** @default 5 MiB */
    readonly minPartSizeBytes?: number;
    /** Completed uploads a bucket remembers for a repeated CompleteMultipartUpload. @default 1000 */
    readonly completedUploadsKept?: number;
  };
  /** Receives an EventBridge "Object Created" event for every new object. */
  readonly onObjectCreated?: (event: S3ObjectCreatedEvent) => void;
  /** Receives an EventBridge "Object Deleted" event for every delete marker and permanent deletion. */
  readonly onObjectDeleted?: (event: S3ObjectDeletedEvent) => void;
  /** The local KMS, consulted on SSE-KMS writes and reads; without it every key is accepted. */
  readonly kms?: KeyRegistry;
  /** Receives one line per request: `S3 PutObject bucket/key 200 12ms`. */
  readonly log?: (line: string) => void;
  /**
   * Principals whose requests are evaluated against their identity policies and bucket policies
   * (authorizer.ts), and the accounts administrators act for (bucket-owner.ts); every other access
   * key acts as the local account's administrator. Absent or empty: nothing is evaluated.
   */
  readonly principals?: PrincipalRegistry;
}

/** The local S3 service. Call {@link S3Service.init} before serving requests. */
export class S3Service implements RestService, S3ObjectReader {
  readonly #store: S3Store;
  readonly #deps: S3Deps;
  readonly #faults: FaultPlan | undefined;
  readonly #log: ((line: string) => void) | undefined;
  readonly #authorizer: S3Authorizer | undefined;

  constructor(options: S3ServiceOptions) {
    const kept = options.limits?.completedUploadsKept;
    this.#store = new S3Store(options.dataDir, kept !== undefined ? { completedUploadsKept: kept } : {});
    this.#faults = options.faults;
    this.#log = options.log;
    // Registrations may come later (deploying the relay registers its task roles); a registry that stays
    // empty evaluates nothing: principalFor answers undefined for every access key.
    this.#authorizer = options.principals === undefined ? undefined : new S3Authorizer(options.principals);
    const limits: S3Limits = {
      maxCopyObjectBytes: options.limits?.maxCopyObjectBytes ?? 5 * GIB,
      minPartSizeBytes: options.limits?.minPartSizeBytes ?? 5 * MIB,
    };
    this.#deps = {
      store: this.#store,
      accountId: options.accountId,
      limits,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.onObjectCreated ? { onObjectCreated: options.onObjectCreated } : {}),
      ...(options.onObjectDeleted ? { onObjectDeleted: options.onObjectDeleted } : {}),
      ...(options.kms ? { kms: options.kms } : {}),
      ...(options.principals ? { principals: options.principals } : {}),
    };
  }

  /** Loads the buckets and objects kept in the data directory. */
  async init(): Promise<void> {
    await this.#store.init();
  }

  /** Releases the store. */
  async close(): Promise<void> {
    await this.#store.close();
  }

  /**
   * The authorization decisions on registered principals' requests, oldest first (a bounded
   * record; empty when no principal is registered). A denied HEAD has no body: read here which
   * action was denied.
   */
  authorizationLog(): readonly AuthorizationRecord[] {
    return this.#authorizer?.log() ?? [];
  }

  /** Forgets the authorization decisions so far. */
  clearAuthorizationLog(): void {
    this.#authorizer?.clearLog();
  }

  bucketRegion(bucket: string): string | undefined {
    return this.#store.bucket(bucket)?.record.region;
  }

  async getObject(bucket: string, key: string, versionId?: string): Promise<StoredObject | undefined> {
    const state = this.#store.bucket(bucket);
    if (!state) return undefined;
    const version =
      versionId !== undefined ? await state.index.find(key, versionId) : await state.index.latest(key);
    if (!version || version.deleteMarker) return undefined;
    const store = this.#store;
    const unversioned = state.record.versioning === undefined && version.versionId === 'null';
    return {
      bucket,
      key,
      versionId: unversioned ? undefined : version.versionId,
      etag: version.etag,
      size: version.size,
      open: () => store.read(bucket, version, 0, version.size - 1),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    let operation = 'Unknown';
    let address: S3Address | undefined;
    let status: number | string;
    try {
      address = resolveAddress(req);
      const query = new URLSearchParams(address.rawQuery);
      const op = identifyOperation({
        method,
        query,
        headers: req.headers,
        ...(address.bucket !== undefined ? { bucket: address.bucket } : {}),
        ...(address.key !== undefined ? { key: address.key } : {}),
      });
      operation = op;
      if (await this.#injectFault(op, address, req)) {
        this.#logLine(operation, address, 'reset', started);
        return;
      }
      const scope = credentialScope(req, new URL(`http://localhost/?${address.rawQuery}`));
      let request: S3Request = {
        req,
        ctx,
        operation: op,
        method,
        address,
        query,
        signingRegion: scope?.region,
      };
      const authorizer = this.#authorizer;
      const principal = authorizer?.principalFor(scope?.accessKeyId);
      if (authorizer !== undefined && principal !== undefined) {
        await authorizer.authorize(this.#deps, request, principal);
        const authorized = request;
        request = {
          ...authorized,
          authorize: (permission) => authorizer.check(this.#deps, authorized, principal, permission, {}),
          caller: {
            principal,
            remember: (decision) =>
              authorizer.record(
                decisionRecord(ctx, {
                  operation: op,
                  principal: principal.arn,
                  ...decision,
                  purpose: 'kms-key',
                }),
              ),
          },
        };
      }
      const response = await HANDLERS[op](this.#deps, request);
      await sendResponse(res, method, response, ctx);
      status = response.status;
    } catch (cause) {
      const err = this.#toS3Error(cause, operation);
      status = err.status;
      if (res.headersSent) res.destroy();
      else sendS3Error(req, res, err, address?.resource ?? req.url ?? '/', ctx);
    }
    this.#logLine(operation, address, status, started);
  }

  /** Applies the fault plan; `true` when the connection was reset (nothing more to do). */
  async #injectFault(operation: string, address: S3Address, req: IncomingMessage): Promise<boolean> {
    const decision = this.#faults?.decide({
      operation,
      ...(address.bucket !== undefined ? { bucket: address.bucket } : {}),
      ...(address.key !== undefined ? { key: address.key } : {}),
    });
    if (!decision) return false;
    if (decision.latencyMs > 0) await delay(decision.latencyMs);
    switch (decision.failure) {
      case 'reset':
        req.socket.destroy();
        return true;
      case 'slowdown':
        throw S3Errors.slowDown();
      case 'internal-error':
        throw S3Errors.internalError();
      case 'access-denied':
        throw S3Errors.accessDenied();
      default:
        return false;
    }
  }

  #toS3Error(cause: unknown, operation: string): S3Error {
    if (cause instanceof S3Error) return cause;
    if (cause instanceof BucketGoneError) return S3Errors.noSuchBucket('');
    const detail = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
    this.#log?.(`S3 ${operation} internal error: ${detail}`);
    return S3Errors.internalError();
  }

  #logLine(
    operation: string,
    address: S3Address | undefined,
    status: number | string,
    started: number,
  ): void {
    if (!this.#log) return;
    const target =
      address?.bucket === undefined
        ? '-'
        : `${address.bucket}${address.key !== undefined ? `/${address.key}` : ''}`;
    this.#log(`S3 ${operation} ${target} ${status} ${Date.now() - started}ms`);
  }
}
