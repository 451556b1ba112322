/**
 * The checks S3 makes before it serves a request on a bucket: the bucket exists, the request reached the
 * bucket's region (otherwise 301 PermanentRedirect, or 400 AuthorizationHeaderMalformed when the host
 * named the right region but the signature another, both with `x-amz-bucket-region`), and the
 * `x-amz-expected-bucket-owner` header, when sent, names the bucket's owner (bucket-owner.ts).
 */
import { bucketOwner, checkExpectedOwner } from './bucket-owner.ts';
import { header, type S3Deps, type S3Request } from './context.ts';
import { S3Errors } from './errors.ts';
import type { BucketState } from './store/store.ts';

function hostPort(request: S3Request): string {
  const host = request.req.headers.host ?? '';
  const match = /:(\d+)$/.exec(host);
  return match ? `:${match[1]}` : '';
}

/** The endpoint S3 would tell a client to use for a bucket in `region`. */
export function regionalEndpoint(request: S3Request, bucket: string, region: string): string {
  return `${bucket}.s3.${region}.localhost${hostPort(request)}`;
}

/** Throws S3's answer to a request that reached a bucket through another region. */
export function checkRegion(request: S3Request, bucket: string, region: string): void {
  const { hostRegion } = request.address;
  if (hostRegion !== undefined && hostRegion !== region) {
    throw S3Errors.permanentRedirect(bucket, region, regionalEndpoint(request, bucket, region));
  }
  const signed = request.signingRegion;
  if (signed !== undefined && signed !== region) {
    if (hostRegion !== undefined) throw S3Errors.authorizationHeaderMalformed(signed, region);
    throw S3Errors.permanentRedirect(bucket, region, regionalEndpoint(request, bucket, region));
  }
}

/**
 * The request's bucket after the existence, region and expected-owner checks.
 * @throws S3Error NoSuchBucket, PermanentRedirect, AuthorizationHeaderMalformed or AccessDenied.
 */
export function requireBucket(
  deps: S3Deps,
  request: S3Request,
  options: { readonly anyRegion?: boolean } = {},
): BucketState {
  const name = request.address.bucket ?? '';
  const state = deps.store.bucket(name);
  if (!state) throw S3Errors.noSuchBucket(name);
  if (!options.anyRegion) checkRegion(request, name, state.record.region);
  checkExpectedOwner(header(request, 'x-amz-expected-bucket-owner'), bucketOwner(deps, state.record));
  return state;
}
