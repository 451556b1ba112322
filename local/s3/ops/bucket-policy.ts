/**
 * PutBucketPolicy, GetBucketPolicy and DeleteBucketPolicy (S3 API reference): the policy is
 * validated (bucket-policy.ts, 400 MalformedPolicy) and kept with the bucket; only an identity of the
 * bucket owner's account may use these operations (405 MethodNotAllowed otherwise); a bucket without
 * a policy answers GetBucketPolicy with 404 NoSuchBucketPolicy. Put and Delete answer 204.
 */
import { bucketPartition } from '../authorization.ts';
import { requireBucket } from '../bucket-access.ts';
import { requireOwnerAccount } from '../bucket-owner.ts';
import { parseBucketPolicy } from '../bucket-policy.ts';
import type { S3Handler } from '../context.ts';
import { S3Errors } from '../errors.ts';
import { readSmallBody } from '../small-body.ts';

/** PutBucketPolicy: replaces the bucket's policy with the (validated) JSON document of the body. */
export const putBucketPolicy: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  requireOwnerAccount(deps, request, state.record);
  const text = (await readSmallBody(request)).toString('utf8');
  parseBucketPolicy(text, state.record.name, bucketPartition(state.record.region));
  await deps.store.updateBucket(state.record.name, (record) => ({ ...record, policy: text }));
  return { status: 204 };
};

/** GetBucketPolicy: the policy document as it was put. */
export const getBucketPolicy: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  requireOwnerAccount(deps, request, state.record);
  const { policy } = state.record;
  if (policy === undefined) throw S3Errors.noSuchBucketPolicy(state.record.name);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: policy };
};

/** DeleteBucketPolicy: 204 whether or not the bucket had a policy. */
export const deleteBucketPolicy: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  requireOwnerAccount(deps, request, state.record);
  await deps.store.updateBucket(state.record.name, ({ policy: _policy, ...rest }) => rest);
  return { status: 204 };
};
