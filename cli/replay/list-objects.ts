/**
 * The objects under a prefix, newest version of each: ListObjectVersions when the bucket is
 * versioned (so each execution is pinned to a version id), ListObjectsV2 otherwise (pinned to the
 * ETag). Delete markers are left out.
 */
import {
  GetBucketVersioningCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { unquoteEtag } from '../../core/etag.ts';

export interface ListedObject {
  readonly key: string;
  /** Absent for an unversioned bucket (or the null version). */
  readonly versionId?: string;
  /** Unquoted. */
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
}

function listed(
  key: string,
  versionId: string | undefined,
  etag: string | undefined,
  size: number | undefined,
  lastModified: Date | undefined,
): ListedObject {
  return {
    key,
    ...(versionId === undefined || versionId === 'null' ? {} : { versionId }),
    etag: unquoteEtag(etag ?? ''),
    size: size ?? 0,
    lastModified: lastModified ?? new Date(0),
  };
}

async function* latestVersions(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<ListedObject> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const v of page.Versions ?? []) {
      if (v.IsLatest && v.Key !== undefined) yield listed(v.Key, v.VersionId, v.ETag, v.Size, v.LastModified);
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
}

async function* currentObjects(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key !== undefined) yield listed(o.Key, undefined, o.ETag, o.Size, o.LastModified);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

export async function* listObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): AsyncGenerator<ListedObject> {
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  const versioned = versioning.Status === 'Enabled' || versioning.Status === 'Suspended';
  yield* versioned ? latestVersions(s3, bucket, prefix) : currentObjects(s3, bucket, prefix);
}
