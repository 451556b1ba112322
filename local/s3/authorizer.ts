/**
 * The local S3's authorization hook: before an operation reads or writes anything, a request signed
 * with a registered principal's access key (local/iam/principals.ts) is evaluated against that
 * principal's identity policies, action by action (authorization.ts names them), with the bucket
 * owner's account as the resource account. The first action not allowed answers 403 AccessDenied
 * with AWS's message naming the action, the resource and the principal (no body on HEAD, as S3).
 * A GET or HEAD of an object that is not there answers 404 only when the caller may also
 * `s3:ListBucket` the bucket, else 403 — S3's documented rule (GetObject / HeadObject API
 * reference, "Permissions").
 *
 * Every evaluation is kept in a bounded in-memory record (`S3Service.authorizationLog()`), so a test
 * can read which action was denied even when the answer (HEAD) has no body.
 *
 * Not evaluated (yet): bucket policies (the local S3 has no PutBucketPolicy), KMS key policies for
 * SSE-KMS objects, ACLs, requests from unregistered access keys (the account administrator), and
 * requests on a bucket that does not exist (answered NoSuchBucket by the operation, as before).
 */
import { accessDeniedMessage, type DecisionKind, evaluate } from '../iam/evaluate.ts';
import type { Principal, PrincipalRegistry } from '../iam/principals.ts';
import { UnsupportedPolicy } from '../iam/unsupported-policy.ts';
import { bucketArn, bucketPartition, type S3Permission, s3Authorization } from './authorization.ts';
import type { S3Deps, S3Request } from './context.ts';
import { S3Error, S3Errors } from './errors.ts';
import type { S3Operation } from './router.ts';
import type { BucketState } from './store/store.ts';

/** One evaluated action of one request. */
export interface AuthorizationRecord {
  /** The request id S3 answered with (`x-amz-request-id`). */
  readonly requestId: string;
  readonly operation: S3Operation;
  /** The principal's ARN. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: DecisionKind;
  /** The evaluator's reason, in the words of AWS's AccessDenied messages. */
  readonly reason: string;
  /**
   * `request`: an action the operation needs; `missing-object`: the `s3:ListBucket` check that
   * decides between 404 and 403 for a GET/HEAD of an object that is not there.
   */
  readonly purpose: 'request' | 'missing-object';
}

/** How many records the log keeps (the oldest go first). */
export const DEFAULT_AUTHORIZATION_LOG_SIZE = 1000;

/** Evaluates S3 requests of registered principals and remembers the decisions. */
export class S3Authorizer {
  readonly #principals: PrincipalRegistry;
  readonly #limit: number;
  #records: AuthorizationRecord[] = [];

  constructor(principals: PrincipalRegistry, options: { readonly logSize?: number } = {}) {
    this.#principals = principals;
    this.#limit = Math.max(1, options.logSize ?? DEFAULT_AUTHORIZATION_LOG_SIZE);
  }

  /** The registered principal of an access key id; `undefined` means: not evaluated. */
  principalFor(accessKeyId: string | undefined): Principal | undefined {
    return this.#principals.principalFor(accessKeyId);
  }

  /** The decisions so far, oldest first (at most the log size). */
  log(): readonly AuthorizationRecord[] {
    return [...this.#records];
  }

  /** Forgets the decisions so far. */
  clearLog(): void {
    this.#records = [];
  }

  /**
   * Authorizes a request of `principal` before its operation runs.
   * @throws S3Error AccessDenied (403) for the first action not allowed, or for a missing object
   *   without `s3:ListBucket`; NotImplemented (501) for a policy outside the evaluator's grammar.
   */
  authorize(deps: S3Deps, request: S3Request, principal: Principal): void {
    const bucket = request.address.bucket;
    const state = bucket === undefined ? undefined : deps.store.bucket(bucket);
    // A bucket that does not exist is answered NoSuchBucket by the operation; CreateBucket and
    // ListBuckets address none that exists.
    if (bucket !== undefined && state === undefined && request.operation !== 'CreateBucket') return;
    const partition = bucketPartition(state?.record.region);
    const { permissions, context } = s3Authorization({
      operation: request.operation,
      ...(bucket !== undefined ? { bucket } : {}),
      ...(request.address.key !== undefined ? { key: request.address.key } : {}),
      query: request.query,
      headers: request.req.headers,
      partition,
      sourceHasTags: (ref) => {
        const source = deps.store.bucket(ref.bucket);
        const version =
          ref.versionId === undefined
            ? source?.index.latest(ref.key)
            : source?.index.find(ref.key, ref.versionId);
        return (version?.tags.length ?? 0) > 0;
      },
    });
    for (const permission of permissions) {
      this.check(deps, request, principal, permission, context, 'request');
    }
    if (
      (request.operation === 'GetObject' || request.operation === 'HeadObject') &&
      bucket !== undefined &&
      state !== undefined &&
      objectMissing(state, request.address.key ?? '', request.query.get('versionId'))
    ) {
      this.check(
        deps,
        request,
        principal,
        { action: 's3:ListBucket', resource: bucketArn(bucket, partition) },
        {},
        'missing-object',
      );
    }
  }

  /**
   * Evaluates one permission, records it, and throws AccessDenied unless it is allowed.
   * @throws S3Error AccessDenied or NotImplemented (unsupported policy grammar)
   */
  check(
    deps: S3Deps,
    request: S3Request,
    principal: Principal,
    permission: S3Permission,
    context: Readonly<Record<string, string>>,
    purpose: AuthorizationRecord['purpose'] = 'request',
  ): void {
    const evaluation = {
      principal: { account: principal.account, arn: principal.arn },
      action: permission.action,
      resource: permission.resource,
    };
    let decision: ReturnType<typeof evaluate>;
    try {
      decision = evaluate({
        ...evaluation,
        resourceAccount: deps.accountId,
        context,
        identityPolicies: principal.identityPolicies,
      });
    } catch (cause) {
      if (cause instanceof UnsupportedPolicy) throw new S3Error('NotImplemented', cause.message, 501);
      throw cause;
    }
    this.#remember({
      requestId: request.ctx.requestId,
      operation: request.operation,
      principal: principal.arn,
      action: permission.action,
      resource: permission.resource,
      decision: decision.decision,
      reason: decision.reason,
      purpose,
    });
    if (decision.decision !== 'Allow') throw S3Errors.accessDenied(accessDeniedMessage(evaluation, decision));
  }

  #remember(record: AuthorizationRecord): void {
    this.#records.push(record);
    if (this.#records.length > this.#limit) this.#records.splice(0, this.#records.length - this.#limit);
  }
}

/** Whether a GET/HEAD would find no object: no such key or version, or a current delete marker. */
function objectMissing(state: BucketState, key: string, versionId: string | null): boolean {
  if (versionId !== null) return state.index.find(key, versionId) === undefined;
  const latest = state.index.latest(key);
  return latest === undefined || latest.deleteMarker;
}
