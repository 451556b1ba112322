/**
 * ListObjectVersions: every version and delete marker, keys in listing order and each key's versions
 * newest first, with prefix, delimiter, max-keys, key-marker / version-id-marker and encoding-type.
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

interface Entry {
  readonly key: string;
  readonly version: ObjectVersion;
  readonly isLatest: boolean;
}

/**
 * Every version after the markers (the key marker's own versions only after the version-id marker), in
 * listing order, and the common prefixes.
 */
async function* versionsAfter(
  state: BucketState,
  prefix: string,
  delimiter: string | undefined,
  keyMarker: string | undefined,
  versionIdMarker: string | undefined,
): AsyncGenerator<Entry | RolledUp> {
  const from =
    keyMarker === undefined ? {} : versionIdMarker === undefined ? { after: keyMarker } : { from: keyMarker };
  const scan = state.index.scan({ prefix, ...from, ...(delimiter !== undefined ? { delimiter } : {}) });
  for await (const entry of scan) {
    if (entry.rolledUp) {
      yield entry;
      continue;
    }
    const { key, versions } = entry;
    let start = 0;
    if (key === keyMarker) {
      const at = versions.findIndex((v) => v.versionId === versionIdMarker);
      if (at < 0) continue;
      start = at + 1;
    }
    for (let i = start; i < versions.length; i++) {
      const version = versions[i];
      if (version) yield { key, version, isLatest: i === 0 };
    }
  }
}

/** ListObjectVersions. */
export const listObjectVersions: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const { query } = request;
  const encode = urlEncoding(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const max = maxParam(query, 'max-keys');
  const keyMarker = query.get('key-marker') || undefined;
  const versionIdMarker = query.get('version-id-marker') || undefined;
  if (versionIdMarker !== undefined && keyMarker === undefined) {
    throw S3Errors.invalidArgument(
      'A version-id marker cannot be specified without a key marker.',
      'version-id-marker',
      versionIdMarker,
    );
  }
  const page = await paginate(versionsAfter(state, prefix, delimiter, keyMarker, versionIdMarker), {
    prefix,
    max,
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(keyMarker !== undefined ? { marker: keyMarker } : {}),
  });
  const owner = ownerXml(bucketOwner(deps, state.record));
  const versions: XmlNode[] = [];
  const markers: XmlNode[] = [];
  for (const { key, version, isLatest } of page.entries) {
    const common = {
      Key: encodeKey(key, encode),
      VersionId: version.versionId,
      IsLatest: isLatest,
      LastModified: version.lastModified,
      Owner: owner,
    };
    if (version.deleteMarker) {
      markers.push(common);
      continue;
    }
    versions.push({
      ...common,
      ETag: version.etag,
      Size: version.size,
      StorageClass: version.storageClass,
      ChecksumAlgorithm: version.checksum?.algorithm,
      ChecksumType: version.checksum?.type,
    });
  }
  const last = page.truncated ? page.last : undefined;
  return {
    status: 200,
    body: toXml('ListVersionsResult', {
      Name: state.record.name,
      Prefix: encodeKey(prefix, encode),
      KeyMarker: encodeKey(keyMarker ?? '', encode),
      VersionIdMarker: versionIdMarker ?? '',
      NextKeyMarker: encodeKey(last?.key, encode),
      NextVersionIdMarker: last?.entry?.version.versionId,
      MaxKeys: max,
      Delimiter: encodeKey(delimiter, encode),
      EncodingType: encode ? 'url' : undefined,
      IsTruncated: page.truncated,
      Version: versions,
      DeleteMarker: markers,
      CommonPrefixes: page.prefixes.map((p) => ({ Prefix: encodeKey(p, encode) })),
    }),
  };
};
