/**
 * Which account a request acts for and which account owns a bucket, and the checks S3 makes with
 * them: `x-amz-expected-bucket-owner` / `x-amz-source-expected-bucket-owner` ("Verifying bucket
 * ownership with bucket owner condition", S3 User Guide: a mismatch answers 403 Access Denied) and
 * the bucket-policy operations' rule that only an identity of the owner's account may use them
 * (PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy API reference: 405 Method Not Allowed).
 *
 * A request acts for the account of the principal or administrator its access key is registered
 * as (local/iam/principals.ts); any other key, or none, for the local stack's account. A bucket is
 * owned by the account that created it; buckets stored before owners were recorded belong to the
 * local stack's account.
 */
import type { S3Deps, S3Request } from './context.ts';
import { S3Errors } from './errors.ts';
import type { BucketRecord } from './store/records.ts';

/** The account `request` acts for. */
export function callerAccount(deps: S3Deps, request: S3Request): string {
  return deps.principals?.accountOf(request.ctx.accessKeyId, deps.accountId) ?? deps.accountId;
}

/** The account owning a bucket. */
export function bucketOwner(deps: S3Deps, record: BucketRecord): string {
  return record.owner ?? deps.accountId;
}

/**
 * Throws AccessDenied when an expected-owner header was sent and names another account than the
 * bucket's owner.
 * @throws S3Error AccessDenied (403)
 */
export function checkExpectedOwner(expected: string | undefined, owner: string): void {
  if (expected !== undefined && expected !== owner) throw S3Errors.accessDenied();
}

/**
 * Throws MethodNotAllowed unless the request acts for the bucket's owner — what S3 answers an
 * identity of another account that may otherwise use a bucket-policy operation.
 * @throws S3Error MethodNotAllowed (405)
 */
export function requireOwnerAccount(deps: S3Deps, request: S3Request, record: BucketRecord): void {
  if (callerAccount(deps, request) !== bucketOwner(deps, record)) {
    throw S3Errors.methodNotAllowed(request.method, 'BUCKET');
  }
}
