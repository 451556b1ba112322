/** HEADs of the source and of replicas, read into the facts verification compares. */
import { HeadObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeHead, type StoredObject } from '../../functions/shared/object-facts.ts';

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
