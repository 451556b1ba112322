import type { SourceIdentity } from '../../core/replica-metadata.ts';
import type { SourceObject } from '../../core/workflow.ts';

/**
 * Pinning the source (DESIGN §2 "Pin the source"): read exactly the version the event named —
 * its `versionId` when the bucket is versioned, otherwise the current object only while its
 * ETag still matches.
 */

/** What identifies the pinned source. */
export type SourcePin = Pick<SourceObject, 'versionId' | 'etag'>;

/** HeadObject/GetObject parameters that read the pinned source (`VersionId`, else `If-Match`). */
export function pinnedReadParams(pin: {
  readonly versionId?: string | undefined;
  readonly etag?: string | undefined;
}): { VersionId?: string; IfMatch?: string } {
  if (pin.versionId !== undefined) return { VersionId: pin.versionId };
  return pin.etag === undefined ? {} : { IfMatch: `"${pin.etag}"` };
}

/** `x-amz-copy-source` for the pinned source: URL-encoded key (slashes kept), `?versionId=` when versioned. */
export function copySourceOf(source: Pick<SourceObject, 'bucket' | 'key' | 'versionId'>): string {
  const key = source.key.split('/').map(encodeURIComponent).join('/');
  const base = `${source.bucket}/${key}`;
  return source.versionId === undefined ? base : `${base}?versionId=${encodeURIComponent(source.versionId)}`;
}

/** `x-amz-copy-source-if-match` when the source is pinned by ETag (no version id). */
export function copySourceIfMatchOf(source: Pick<SourceObject, 'versionId' | 'etag'>): {
  CopySourceIfMatch?: string;
} {
  return source.versionId === undefined ? { CopySourceIfMatch: `"${source.etag}"` } : {};
}

/** `ExpectedBucketOwner` for a request that reads the source bucket, when the source names its account. */
export function sourceOwnerOf(source: Pick<SourceObject, 'account'>): { ExpectedBucketOwner?: string } {
  return source.account === undefined ? {} : { ExpectedBucketOwner: source.account };
}

/**
 * `x-amz-source-expected-bucket-owner` for a copy (CopyObject, UploadPartCopy) from the source,
 * when the source names its account; the destination's owner goes in `ExpectedBucketOwner`.
 */
export function copySourceOwnerOf(source: Pick<SourceObject, 'account'>): {
  ExpectedSourceBucketOwner?: string;
} {
  return source.account === undefined ? {} : { ExpectedSourceBucketOwner: source.account };
}

/** The source as the replica stamp names it (core/replica-metadata). */
export function sourceIdentity(source: SourceObject): SourceIdentity {
  return {
    bucket: source.bucket,
    key: source.key,
    etag: source.etag,
    ...(source.versionId === undefined ? {} : { versionId: source.versionId }),
    ...(source.sequencer === undefined ? {} : { sequencer: source.sequencer }),
    ...(source.lastModified === undefined ? {} : { lastModified: source.lastModified }),
  };
}
