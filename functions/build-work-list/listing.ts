import {
  GetBucketVersioningCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { WorkListCursor } from '../../core/backfill.ts';
import { unquoteEtag } from '../../core/etag.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';

/**
 * Lists the source prefix one page at a time, as BuildWorkList resumes it from its cursor. A bucket that
 * was ever versioned (versioning Enabled or Suspended) is listed by version (ListObjectVersions): the
 * latest version of each key, pinned by its version id, and no key whose latest version is a delete
 * marker (no version of it is `IsLatest` then). A bucket never versioned is listed by object
 * (ListObjectsV2), each pinned by its ETag. Keys come back as S3 stores them (no `encoding-type`).
 */

/** How the source is listed (core/backfill.ts `WORK_LIST_LISTINGS`). */
export type Listing = WorkListCursor['listing'];

/** One object of the listing: what a work-list line and the in-sync check need. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** Unquoted. */
  readonly etag: string;
  readonly lastModified?: Date;
  /** The latest version's id (`null` for one written while versioning was Suspended). */
  readonly versionId?: string;
}

/** Where the next page starts: a continuation token (objects) or key and version markers (versions). */
export type ListingPosition = Pick<WorkListCursor, 'continuationToken' | 'keyMarker' | 'versionIdMarker'>;

/** One page: its objects and where the next one starts (`undefined` when this was the last). */
export interface ListedPage {
  readonly objects: readonly ListedObject[];
  readonly next: ListingPosition | undefined;
}

/**
 * The source's objects, a page at a time, as one call of BuildWorkList reads them: from a listing
 * ({@link openListingPages}) or an S3 Inventory report (inventory.ts), resumed from the cursor.
 */
export interface SourcePages {
  /** How the source is read; kept in the cursor. */
  readonly listing: Listing;
  /** Whether nothing follows the pages read so far. */
  readonly done: boolean;
  /** The objects of the next page (none once done). */
  next(): Promise<readonly ListedObject[]>;
  /** The cursor's fields that resume after the pages read so far. */
  position(): Pick<WorkListCursor, 'continuationToken' | 'keyMarker' | 'versionIdMarker' | 'inventory'>;
  /** Releases what an open page holds (an inventory file's stream). */
  close(): void;
}

/** The source bucket as a listing request names it. */
export interface ListedSource {
  readonly bucket: string;
  readonly prefix: string | undefined;
  /** The configured source account: every call names it as the expected bucket owner. */
  readonly account: string | undefined;
}

function owner(source: ListedSource): { ExpectedBucketOwner?: string } {
  return source.account === undefined ? {} : { ExpectedBucketOwner: source.account };
}

/** Whether the source is listed by version: its versioning is `Enabled` or `Suspended` (GetBucketVersioning). */
export async function listingOf(
  client: S3Client,
  source: ListedSource,
  signal: AbortSignal | undefined,
): Promise<Listing> {
  const answer = await awsCall(
    () =>
      client.send(
        new GetBucketVersioningCommand({ Bucket: source.bucket, ...owner(source) }),
        sendOptions(signal),
      ),
    { operation: 's3:GetBucketVersioning', side: 'source', bucket: source.bucket },
  );
  return answer.Status === 'Enabled' || answer.Status === 'Suspended' ? 'versions' : 'objects';
}

/** Options of {@link listPage}. */
export interface PageOptions {
  readonly pageSize: number;
  readonly signal: AbortSignal | undefined;
}

async function listObjectsPage(
  client: S3Client,
  source: ListedSource,
  position: ListingPosition,
  options: PageOptions,
): Promise<ListedPage> {
  const answer = await awsCall(
    () =>
      client.send(
        new ListObjectsV2Command({
          Bucket: source.bucket,
          ...(source.prefix === undefined || source.prefix === '' ? {} : { Prefix: source.prefix }),
          ...(position.continuationToken === undefined
            ? {}
            : { ContinuationToken: position.continuationToken }),
          MaxKeys: options.pageSize,
          ...owner(source),
        }),
        sendOptions(options.signal),
      ),
    { operation: 's3:ListObjectsV2', side: 'source', bucket: source.bucket },
  );
  const objects: ListedObject[] = [];
  for (const entry of answer.Contents ?? []) {
    if (entry.Key === undefined) continue;
    objects.push({
      key: entry.Key,
      size: entry.Size ?? 0,
      etag: unquoteEtag(entry.ETag ?? ''),
      ...(entry.LastModified === undefined ? {} : { lastModified: entry.LastModified }),
    });
  }
  const token = answer.NextContinuationToken;
  return {
    objects,
    next: answer.IsTruncated === true && token !== undefined ? { continuationToken: token } : undefined,
  };
}

async function listVersionsPage(
  client: S3Client,
  source: ListedSource,
  position: ListingPosition,
  options: PageOptions,
): Promise<ListedPage> {
  const answer = await awsCall(
    () =>
      client.send(
        new ListObjectVersionsCommand({
          Bucket: source.bucket,
          ...(source.prefix === undefined || source.prefix === '' ? {} : { Prefix: source.prefix }),
          ...(position.keyMarker === undefined ? {} : { KeyMarker: position.keyMarker }),
          ...(position.keyMarker === undefined || position.versionIdMarker === undefined
            ? {}
            : { VersionIdMarker: position.versionIdMarker }),
          MaxKeys: options.pageSize,
          ...owner(source),
        }),
        sendOptions(options.signal),
      ),
    { operation: 's3:ListObjectVersions', side: 'source', bucket: source.bucket },
  );
  const objects: ListedObject[] = [];
  // Delete markers come in `DeleteMarkers`: a key whose latest version is one has no latest `Versions` entry.
  for (const version of answer.Versions ?? []) {
    if (version.IsLatest !== true || version.Key === undefined) continue;
    objects.push({
      key: version.Key,
      size: version.Size ?? 0,
      etag: unquoteEtag(version.ETag ?? ''),
      ...(version.LastModified === undefined ? {} : { lastModified: version.LastModified }),
      ...(version.VersionId === undefined ? {} : { versionId: version.VersionId }),
    });
  }
  if (answer.IsTruncated !== true) return { objects, next: undefined };
  const keyMarker = answer.NextKeyMarker;
  const versionIdMarker = answer.NextVersionIdMarker;
  return {
    objects,
    next:
      keyMarker === undefined || keyMarker === ''
        ? undefined
        : {
            keyMarker,
            ...(versionIdMarker === undefined || versionIdMarker === '' ? {} : { versionIdMarker }),
          },
  };
}

/**
 * One page of the listing from `position` (the start when empty).
 *
 * @throws the classified AWS error (TransientAwsError for throttling and 5xx, AccessDenied naming the call)
 */
export function listPage(
  client: S3Client,
  source: ListedSource,
  listing: Listing,
  position: ListingPosition,
  options: PageOptions,
): Promise<ListedPage> {
  return listing === 'versions'
    ? listVersionsPage(client, source, position, options)
    : listObjectsPage(client, source, position, options);
}

/**
 * The listing's pages from the cursor's position (the start when there is none), by the listing the
 * cursor keeps or — on the first call — the one the bucket's versioning decides.
 */
export async function openListingPages(
  client: S3Client,
  source: ListedSource,
  cursor: WorkListCursor | undefined,
  options: PageOptions,
): Promise<SourcePages> {
  const listing = cursor?.listing ?? (await listingOf(client, source, options.signal));
  let position: ListingPosition | undefined =
    cursor === undefined
      ? {}
      : {
          ...(cursor.continuationToken === undefined ? {} : { continuationToken: cursor.continuationToken }),
          ...(cursor.keyMarker === undefined ? {} : { keyMarker: cursor.keyMarker }),
          ...(cursor.versionIdMarker === undefined ? {} : { versionIdMarker: cursor.versionIdMarker }),
        };
  return {
    listing,
    get done() {
      return position === undefined;
    },
    async next() {
      if (position === undefined) return [];
      const page = await listPage(client, source, listing, position, options);
      position = page.next;
      return page.objects;
    },
    position: () => position ?? {},
    close: () => undefined,
  };
}
