/**
 * What `relay status` reads from S3: HEADs of the source and of replicas (into the facts the
 * evidence policy compares), the source bucket's `TargetBucket` tag (S3 GetBucketTagging), a
 * key's versions, and the streamed SHA-256 of an object (GetObject, pinned).
 */
import {
  GetBucketTaggingCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeHead, type StoredObject } from '../../core/object-facts.ts';
import { type StreamDigest, sha256OfStream } from '../../core/stream-digest.ts';
import { NO_TAG_SET_CODE, targetTagValue } from '../../core/target-tag.ts';

function isMissing(err: unknown): boolean {
  return (
    err instanceof Error && ['NotFound', 'NoSuchKey', 'NoSuchBucket', 'NoSuchVersion'].includes(err.name)
  );
}

/** The object (or the named version) with checksums; `undefined` when it does not exist. */
export async function headObject(
  s3: S3Client,
  location: {
    bucket: string;
    key: string;
    versionId?: string | undefined;
    expectedOwner?: string | undefined;
  },
): Promise<StoredObject | undefined> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ChecksumMode: 'ENABLED',
        ...(location.versionId === undefined ? {} : { VersionId: location.versionId }),
        ...(location.expectedOwner === undefined ? {} : { ExpectedBucketOwner: location.expectedOwner }),
      }),
    );
    return describeHead(head);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The version ids of one key, newest first (S3 lists versions of a key newest first). */
export async function versionsOf(s3: S3Client, bucket: string, key: string): Promise<string[]> {
  const versions: string[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: key,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const v of page.Versions ?? [])
      if (v.Key === key && v.VersionId !== undefined) versions.push(v.VersionId);
    const more = page.IsTruncated && (page.NextKeyMarker === key || page.NextKeyMarker === undefined);
    keyMarker = more ? page.NextKeyMarker : undefined;
    versionIdMarker = more ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
  return versions;
}

/** The value of the bucket's tag `tagKey`; `undefined` when the bucket has no such tag (or no tags). */
export async function bucketTagValue(
  s3: S3Client,
  location: { bucket: string; expectedOwner?: string | undefined },
  tagKey: string,
): Promise<string | undefined> {
  try {
    const tagging = await s3.send(
      new GetBucketTaggingCommand({
        Bucket: location.bucket,
        ...(location.expectedOwner === undefined ? {} : { ExpectedBucketOwner: location.expectedOwner }),
      }),
    );
    return targetTagValue(tagging.TagSet, tagKey);
  } catch (err) {
    if (err instanceof Error && err.name === NO_TAG_SET_CODE) return undefined;
    throw err;
  }
}

/** An object read pinned to one version (its id, else its ETag). */
export interface PinnedObject {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string | undefined;
  /** Unquoted; the pin when there is no version id. */
  readonly etag: string;
  readonly expectedOwner?: string | undefined;
}

/** GETs the pinned object and hashes its bytes as they arrive. */
export async function streamedDigest(s3: S3Client, object: PinnedObject): Promise<StreamDigest> {
  const response = await s3.send(
    new GetObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      ...(object.versionId === undefined ? { IfMatch: `"${object.etag}"` } : { VersionId: object.versionId }),
      ...(object.expectedOwner === undefined ? {} : { ExpectedBucketOwner: object.expectedOwner }),
    }),
  );
  return sha256OfStream(response.Body);
}
