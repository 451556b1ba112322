/**
 * The local S3's authorization hook: before an operation reads or writes anything, a request signed
 * with a registered principal's access key (local/iam/principals.ts) is evaluated action by action
 * (authorization.ts names them) against that principal's identity policies and the policy of the
 * bucket each action's resource is in, with that bucket's owner as the resource account
 * (bucket-owner.ts; a CopyObject's source actions use the source bucket's owner and policy). As
 * AWS's evaluation logic has it (local/iam/evaluate.ts): within the owner's account an Allow in
 * either policy suffices, across accounts both must allow, and an explicit Deny in either wins.
 * The first action not allowed answers 403 AccessDenied with AWS's message naming the action, the
 * resource and the principal (no body on HEAD, as S3).
 * A GET or HEAD of an object that is not there answers 404 only when the caller may also
 * `s3:ListBucket` the bucket, else 403 — S3's documented rule (GetObject / HeadObject API
 * reference, "Permissions").
 *
 * Every evaluation is kept in a bounded in-memory record (`S3Service.authorizationLog()`), so a test
 * can read which action was denied even when the answer (HEAD) has no body. KMS's decisions on the
 * SSE-KMS keys S3 uses for the principal join the same record (kms-authorization.ts).
 *
 * Not evaluated: ACLs, requests from unregistered access keys and account administrators (they act
 * for their account unevaluated), and requests on a bucket that does not exist (answered NoSuchBucket
 * by the operation; a CreateBucket or a missing copy source is decided in the caller's own account).
 */

import type { PolicyDocument } from '../../core/permissions/policy-document.ts';
import { DecisionLog, type DecisionRecord, decisionRecord } from '../iam/decision-log.ts';
import { accessDeniedMessage, evaluate } from '../iam/evaluate.ts';
import type { Principal, PrincipalRegistry } from '../iam/principals.ts';
import { UnsupportedPolicy } from '../iam/unsupported-policy.ts';
import {
  bucketArn,
  bucketOfArn,
  bucketPartition,
  copiesSourceTags,
  type S3Permission,
  s3Authorization,
} from './authorization.ts';
import { bucketOwner } from './bucket-owner.ts';
import { bucketPolicyOf } from './bucket-policy.ts';
import { header, type S3Deps, type S3Request } from './context.ts';
import { type CopySourceRef, parseCopySource } from './copy-source.ts';
import { S3Error, S3Errors } from './errors.ts';
import type { S3Operation } from './router.ts';
import type { BucketState } from './store/store.ts';

/**
 * One evaluated action of one request. Purposes: `request`, an action the operation needs;
 * `missing-object`, the `s3:ListBucket` check that decides between 404 and 403 for a GET/HEAD of an
 * object that is not there; `kms-key`, KMS's decision on S3's use of an SSE-KMS key for the principal
 * (kms-authorization.ts).
 */
export type AuthorizationRecord = DecisionRecord<S3Operation, 'request' | 'missing-object' | 'kms-key'>;

/** Evaluates S3 requests of registered principals and remembers the decisions. */
export class S3Authorizer {
  readonly #principals: PrincipalRegistry;
  readonly #records: DecisionLog<AuthorizationRecord>;

  constructor(principals: PrincipalRegistry, options: { readonly logSize?: number } = {}) {
    this.#principals = principals;
    this.#records = new DecisionLog(options.logSize);
  }

  /** The registered principal of an access key id; `undefined` means: not evaluated. */
  principalFor(accessKeyId: string | undefined): Principal | undefined {
    return this.#principals.principalFor(accessKeyId);
  }

  /** The decisions so far, oldest first (at most the log size). */
  log(): readonly AuthorizationRecord[] {
    return this.#records.all();
  }

  /** Forgets the decisions so far. */
  clearLog(): void {
    this.#records.clear();
  }

  /**
   * Authorizes a request of `principal` before its operation runs.
   * @throws S3Error AccessDenied (403) for the first action not allowed, or for a missing object
   *   without `s3:ListBucket`; NotImplemented (501) for a policy outside the evaluator's grammar.
   */
  async authorize(deps: S3Deps, request: S3Request, principal: Principal): Promise<void> {
    const bucket = request.address.bucket;
    const state = bucket === undefined ? undefined : deps.store.bucket(bucket);
    // A bucket that does not exist is answered NoSuchBucket by the operation; CreateBucket and
    // ListBuckets address none that exists.
    if (bucket !== undefined && state === undefined && request.operation !== 'CreateBucket') return;
    const partition = bucketPartition(state?.record.region);
    // Read only when the answer matters: a copy that copies its source's tags needs the tagging actions.
    const copiesTaggedSource =
      request.operation === 'CopyObject' &&
      copiesSourceTags(request.req.headers) &&
      (await copySourceHasTags(deps, request));
    const { permissions, context } = s3Authorization({
      operation: request.operation,
      ...(bucket !== undefined ? { bucket } : {}),
      ...(request.address.key !== undefined ? { key: request.address.key } : {}),
      query: request.query,
      headers: request.req.headers,
      partition,
      sourceHasTags: () => copiesTaggedSource,
    });
    for (const permission of permissions) {
      this.check(deps, request, principal, permission, context, 'request');
    }
    if (
      (request.operation === 'GetObject' || request.operation === 'HeadObject') &&
      bucket !== undefined &&
      state !== undefined &&
      (await objectMissing(state, request.address.key ?? '', request.query.get('versionId')))
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
      const { account, policy } = resourceOf(deps, request.operation, permission.resource, principal);
      decision = evaluate({
        ...evaluation,
        resourceAccount: account,
        context,
        identityPolicies: principal.identityPolicies,
        ...(policy === undefined ? {} : { resourcePolicy: policy }),
      });
    } catch (cause) {
      if (cause instanceof UnsupportedPolicy) throw new S3Error('NotImplemented', cause.message, 501);
      throw cause;
    }
    this.#remember(
      decisionRecord(request.ctx, {
        operation: request.operation,
        principal: principal.arn,
        action: permission.action,
        resource: permission.resource,
        decision: decision.decision,
        reason: decision.reason,
        purpose,
      }),
    );
    if (decision.decision !== 'Allow') throw S3Errors.accessDenied(accessDeniedMessage(evaluation, decision));
  }

  /** Records a decision made on the principal's behalf elsewhere (KMS's, on a key S3 uses). */
  record(record: AuthorizationRecord): void {
    this.#remember(record);
  }

  #remember(record: AuthorizationRecord): void {
    this.#records.add(record);
  }
}

/**
 * The account owning a resource and its resource policy: the owner and policy of the bucket the ARN
 * is in; the principal's own account (no policy) for `*`, for a bucket that does not exist and for
 * CreateBucket (a bucket the principal's account would own; a name another account holds is
 * answered BucketAlreadyExists by the operation, as S3 does).
 */
function resourceOf(
  deps: S3Deps,
  operation: S3Operation,
  resource: string,
  principal: Principal,
): { readonly account: string; readonly policy?: PolicyDocument } {
  const bucket = operation === 'CreateBucket' ? undefined : bucketOfArn(resource);
  const state = bucket === undefined ? undefined : deps.store.bucket(bucket);
  if (state === undefined) return { account: principal.account };
  const policy = bucketPolicyOf(state.record);
  return { account: bucketOwner(deps, state.record), ...(policy === undefined ? {} : { policy }) };
}

/** Whether a GET/HEAD would find no object: no such key or version, or a current delete marker. */
async function objectMissing(state: BucketState, key: string, versionId: string | null): Promise<boolean> {
  if (versionId !== null) return (await state.index.find(key, versionId)) === undefined;
  const latest = await state.index.latest(key);
  return latest === undefined || latest.deleteMarker;
}

/** Whether a copy's source version (header `x-amz-copy-source`) has tags; false when it names none that exists. */
async function copySourceHasTags(deps: S3Deps, request: S3Request): Promise<boolean> {
  let ref: CopySourceRef;
  try {
    ref = parseCopySource(header(request, 'x-amz-copy-source') ?? '');
  } catch {
    return false; // the operation answers the malformed header
  }
  const source = deps.store.bucket(ref.bucket);
  const version =
    ref.versionId === undefined
      ? await source?.index.latest(ref.key)
      : await source?.index.find(ref.key, ref.versionId);
  return (version?.tags.length ?? 0) > 0;
}
