/**
 * Bucket lifecycle: CreateBucket (LocationConstraint → the bucket's region; the caller's account owns
 * the bucket), HeadBucket, DeleteBucket, ListBuckets (the caller's account's buckets),
 * GetBucketLocation.
 */
import { isRegion } from '../../../core/aws-names.ts';
import { requireBucket } from '../bucket-access.ts';
import { isValidBucketName } from '../bucket-names.ts';
import { bucketOwner, callerAccount, checkExpectedOwner } from '../bucket-owner.ts';
import { s3Timestamp } from '../clock.ts';
import { bucketName, header, type S3Handler, type S3Request } from '../context.ts';
import { S3Errors } from '../errors.ts';
import { cannedAcl } from '../object-headers.ts';
import { ownerXml } from '../owner.ts';
import { readSmallBody } from '../small-body.ts';
import { childText, parseXmlBody, toXml } from '../xml.ts';

const US_EAST_1 = 'us-east-1';

async function locationConstraint(request: S3Request): Promise<string | undefined> {
  const body = (await readSmallBody(request)).toString('utf8');
  if (body.trim() === '') return undefined;
  const root = parseXmlBody(body, 'CreateBucketConfiguration');
  const value = childText(root, 'LocationConstraint')?.trim();
  if (value === undefined || value === '') return undefined;
  if (value === 'EU') return 'eu-west-1';
  if (value === US_EAST_1 || !isRegion(value)) throw S3Errors.invalidLocationConstraint(value);
  return value;
}

/**
 * CreateBucket: the bucket's region is its LocationConstraint (us-east-1 when none), its owner the
 * caller's account. A name another account holds answers 409 BucketAlreadyExists; one the caller's
 * account holds 409 BucketAlreadyOwnedByYou, except in us-east-1 (200, S3's legacy behaviour).
 */
export const createBucket: S3Handler = async (deps, request) => {
  const name = bucketName(request);
  if (!isValidBucketName(name)) throw S3Errors.invalidBucketName(name);
  const acl = cannedAcl(request);
  const constraint = await locationConstraint(request);
  const region = constraint ?? US_EAST_1;
  const endpointRegion = request.address.hostRegion ?? request.signingRegion;
  if (endpointRegion !== undefined && endpointRegion !== US_EAST_1 && endpointRegion !== region) {
    throw S3Errors.illegalLocationConstraint(constraint);
  }
  const owner = callerAccount(deps, request);
  const existing = deps.store.bucket(name);
  if (existing) {
    if (bucketOwner(deps, existing.record) !== owner) throw S3Errors.bucketAlreadyExists(name);
    // For legacy compatibility S3 answers 200 when you re-create a bucket you own in us-east-1.
    if (existing.record.region === US_EAST_1 && region === US_EAST_1) {
      return { status: 200, headers: { location: `/${name}` } };
    }
    throw S3Errors.bucketAlreadyOwnedByYou(name);
  }
  await deps.store.createBucket({
    name,
    region,
    createdAt: s3Timestamp(),
    owner,
    ...(acl !== undefined ? { acl } : {}),
  });
  return { status: 200, headers: { location: `/${name}` } };
};

/** HeadBucket: 200 with `x-amz-bucket-region`. */
export const headBucket: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  return {
    status: 200,
    headers: { 'x-amz-bucket-region': state.record.region, 'x-amz-access-point-alias': 'false' },
  };
};

/** DeleteBucket: only when it holds no object versions or delete markers. */
export const deleteBucket: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  if (!(await state.index.isEmpty())) throw S3Errors.bucketNotEmpty(state.record.name);
  await deps.store.deleteBucket(state.record.name);
  return { status: 204 };
};

/** GetBucketLocation: answered from any region; empty for us-east-1. */
export const getBucketLocation: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request, { anyRegion: true });
  const region = state.record.region;
  return { status: 200, body: toXml('LocationConstraint', region === US_EAST_1 ? '' : region) };
};

function encodeToken(name: string): string {
  return Buffer.from(name, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

/**
 * ListBuckets: the buckets the caller's account owns, with `prefix`, `bucket-region`, `max-buckets`
 * and `continuation-token`.
 */
export const listBuckets: S3Handler = async (deps, request) => {
  const account = callerAccount(deps, request);
  checkExpectedOwner(header(request, 'x-amz-expected-bucket-owner'), account);
  const { query } = request;
  const prefix = query.get('prefix') ?? '';
  const region = query.get('bucket-region');
  const maxParam = query.get('max-buckets');
  const max = maxParam === null ? 10_000 : Number(maxParam);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) {
    throw S3Errors.invalidArgument(
      'Argument max-buckets must be an integer between 1 and 10000',
      'max-buckets',
      maxParam ?? '',
    );
  }
  const token = query.get('continuation-token');
  const after = token ? decodeToken(token) : undefined;
  const all = deps.store
    .buckets()
    .map((b) => b.record)
    .filter((b) => bucketOwner(deps, b) === account)
    .filter((b) => b.name.startsWith(prefix) && (region === null || b.region === region))
    .filter((b) => after === undefined || b.name > after);
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  const last = page[page.length - 1];
  return {
    status: 200,
    body: toXml('ListAllMyBucketsResult', {
      Owner: ownerXml(account),
      Buckets: {
        Bucket: page.map((b) => ({ Name: b.name, CreationDate: b.createdAt, BucketRegion: b.region })),
      },
      ContinuationToken: truncated && last ? encodeToken(last.name) : undefined,
      Prefix: query.has('prefix') ? prefix : undefined,
    }),
  };
};
