/**
 * ListObjectsV2 (prefix, delimiter, max-keys, continuation-token, start-after, fetch-owner,
 * encoding-type) and the original ListObjects (marker, NextMarker). Only each key's current version is
 * listed, and keys whose current version is a delete marker are left out.
 */
import { requireBucket } from '../bucket-access.ts';
import { bucketOwner } from '../bucket-owner.ts';
import type { S3Handler } from '../context.ts';
import { S3Errors } from '../errors.ts';
import { encodeKey, maxParam, paginate, type RolledUp, urlEncoding } from '../listing.ts';
import { ownerXml } from '../owner.ts';
import type { ObjectVersion } from '../store/records.ts';
import type { BucketState } from '../store/store.ts';
import { toXml, type XmlNode } from '../xml.ts';

/** The current versions after `after`, in listing order, and the common prefixes that hold one. */
async function* currentObjects(
  state: BucketState,
  prefix: string,
  delimiter: string | undefined,
  after: string | undefined,
): AsyncGenerator<ObjectVersion | RolledUp> {
  const scan = state.index.scan({
    prefix,
    live: true,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(after !== undefined ? { after } : {}),
  });
  for await (const entry of scan) {
    if (entry.rolledUp) {
      yield entry;
      continue;
    }
    const [latest] = entry.versions;
    if (latest && !latest.deleteMarker) yield latest;
  }
}

function contents(version: ObjectVersion, encode: boolean, owner: XmlNode | undefined): XmlNode {
  return {
    Key: encodeKey(version.key, encode),
    LastModified: version.lastModified,
    ETag: version.etag,
    ChecksumAlgorithm: version.checksum?.algorithm,
    ChecksumType: version.checksum?.type,
    Size: version.size,
    StorageClass: version.storageClass,
    Owner: owner,
  };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof parsed.k === 'string') return parsed.k;
  } catch {
    // fall through to the error S3 gives
  }
  throw S3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
}

/** ListObjectsV2. */
export const listObjectsV2: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const { query } = request;
  const encode = urlEncoding(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const max = maxParam(query, 'max-keys');
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? undefined;
  const marker = token !== null ? decodeToken(token) : startAfter;
  const owner = query.get('fetch-owner') === 'true' ? ownerXml(bucketOwner(deps, state.record)) : undefined;
  const page = await paginate(currentObjects(state, prefix, delimiter, marker), {
    prefix,
    max,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(marker !== undefined ? { marker } : {}),
  });
  return {
    status: 200,
    body: toXml('ListBucketResult', {
      Name: state.record.name,
      Prefix: encodeKey(prefix, encode),
      Delimiter: encodeKey(delimiter, encode),
      MaxKeys: max,
      EncodingType: encode ? 'url' : undefined,
      KeyCount: page.entries.length + page.prefixes.length,
      IsTruncated: page.truncated,
      ContinuationToken: token ?? undefined,
      NextContinuationToken: page.truncated && page.last ? encodeToken(page.last.key) : undefined,
      StartAfter: encodeKey(startAfter, encode),
      Contents: page.entries.map((v) => contents(v, encode, owner)),
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: encodeKey(p, encode) })),
    }),
  };
};

/** ListObjects (version 1). */
export const listObjects: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const { query } = request;
  const encode = urlEncoding(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const max = maxParam(query, 'max-keys');
  const marker = query.get('marker') || undefined;
  const page = await paginate(currentObjects(state, prefix, delimiter, marker), {
    prefix,
    max,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(marker !== undefined ? { marker } : {}),
  });
  const owner = ownerXml(bucketOwner(deps, state.record));
  return {
    status: 200,
    body: toXml('ListBucketResult', {
      Name: state.record.name,
      Prefix: encodeKey(prefix, encode),
      Marker: encodeKey(marker ?? '', encode),
      NextMarker: page.truncated && delimiter !== undefined ? encodeKey(page.last?.key, encode) : undefined,
      MaxKeys: max,
      Delimiter: encodeKey(delimiter, encode),
      EncodingType: encode ? 'url' : undefined,
      IsTruncated: page.truncated,
      Contents: page.entries.map((v) => contents(v, encode, owner)),
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: encodeKey(p, encode) })),
    }),
  };
};
