/**
 * Small in-memory stand-ins for the S3 calls BuildWorkList makes, on aws-sdk-client-mock clients: a source
 * listing (ListObjectsV2 / ListObjectVersions paged as S3 pages them), destination HEADs, and a results
 * bucket that keeps objects and multipart uploads, so a test reads back the JSONL the calls wrote.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { AwsStub } from 'aws-sdk-client-mock';
import { awsError } from '../fixtures.ts';

// biome-ignore lint/suspicious/noExplicitAny: the stubs of any S3 client
type S3Stub = AwsStub<any, any, any>;

/** One version of a source key; `deleteMarker` for a delete marker. */
export interface SourceVersion {
  readonly key: string;
  readonly size?: number;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly versionId?: string;
  readonly deleteMarker?: boolean;
}

/**
 * Answers GetBucketVersioning with `status` and pages the listing: ListObjectsV2 over the latest
 * non-deleted version of each key, ListObjectVersions over every version (each key's newest first, as
 * given), both in key order from their markers.
 */
export function fakeSource(
  stub: S3Stub,
  versions: readonly SourceVersion[],
  status: 'Enabled' | 'Suspended' | undefined,
  /** A fault to raise instead of answering a listing request, when it returns one. */
  fault: (input: { ContinuationToken?: string; KeyMarker?: string }) => Error | undefined = () => undefined,
): void {
  const sorted = [...versions].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  stub.on(GetBucketVersioningCommand).resolves(status === undefined ? {} : { Status: status });
  stub.on(ListObjectsV2Command).callsFake((input) => {
    const error = fault(input);
    if (error !== undefined) throw error;
    const latest = sorted.filter(
      (v, i) => (i === 0 || sorted[i - 1]?.key !== v.key) && v.deleteMarker !== true,
    );
    const under = latest.filter((v) => v.key.startsWith(input.Prefix ?? ''));
    const start = input.ContinuationToken === undefined ? 0 : Number(input.ContinuationToken);
    const max = input.MaxKeys ?? 1000;
    const page = under.slice(start, start + max);
    const truncated = start + max < under.length;
    return {
      Contents: page.map((v) => ({
        Key: v.key,
        Size: v.size ?? 10,
        ETag: `"${v.etag ?? `etag-${v.key}`}"`,
        LastModified: new Date(v.lastModified ?? '2026-01-01T00:00:00Z'),
      })),
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: String(start + max) } : {}),
    };
  });
  stub.on(ListObjectVersionsCommand).callsFake((input) => {
    const error = fault(input);
    if (error !== undefined) throw error;
    const all = sorted
      .map((v, i) => ({ v, latest: i === 0 || sorted[i - 1]?.key !== v.key }))
      .filter(({ v }) => v.key.startsWith(input.Prefix ?? ''));
    let start = 0;
    if (input.KeyMarker !== undefined) {
      const at = all.findIndex(({ v }) =>
        input.VersionIdMarker === undefined
          ? v.key > input.KeyMarker
          : v.key === input.KeyMarker && v.versionId === input.VersionIdMarker,
      );
      start = at < 0 ? all.length : input.VersionIdMarker === undefined ? at : at + 1;
    }
    const max = input.MaxKeys ?? 1000;
    const page = all.slice(start, start + max);
    const truncated = start + max < all.length;
    const last = page.at(-1)?.v;
    return {
      Versions: page
        .filter(({ v }) => v.deleteMarker !== true)
        .map(({ v, latest }) => ({
          Key: v.key,
          VersionId: v.versionId,
          IsLatest: latest,
          Size: v.size ?? 10,
          ETag: `"${v.etag ?? `etag-${v.key}`}"`,
          LastModified: new Date(v.lastModified ?? '2026-01-01T00:00:00Z'),
        })),
      DeleteMarkers: page
        .filter(({ v }) => v.deleteMarker === true)
        .map(({ v, latest }) => ({ Key: v.key, VersionId: v.versionId, IsLatest: latest })),
      IsTruncated: truncated,
      ...(truncated && last !== undefined
        ? { NextKeyMarker: last.key, NextVersionIdMarker: last.versionId }
        : {}),
    };
  });
}

/** Answers HeadObject from `objects` (by `bucket/key`), else 404. */
export function fakeDestinations(
  stub: S3Stub,
  objects: ReadonlyMap<string, Partial<HeadObjectCommandOutput>>,
): void {
  stub.on(HeadObjectCommand).callsFake((input) => {
    const found = objects.get(`${input.Bucket}/${input.Key}`);
    if (found === undefined) throw awsError('NotFound', 404);
    return found;
  });
}

/** What the fake results bucket holds. */
export interface ResultsBucket {
  readonly objects: Map<string, Buffer>;
  readonly uploads: Map<string, { key: string; parts: Map<number, Buffer> }>;
  readonly aborted: string[];
  /** The text of the object at `key`. */
  text(key: string): string;
}

function bodyOf(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body);
  throw new Error(`unexpected body ${typeof body}`);
}

/** A results bucket in memory: objects, multipart uploads, completion by the parts named. */
export function fakeResults(stub: S3Stub): ResultsBucket {
  const objects = new Map<string, Buffer>();
  const uploads = new Map<string, { key: string; parts: Map<number, Buffer> }>();
  const aborted: string[] = [];
  let nextUpload = 1;
  stub.on(CreateMultipartUploadCommand).callsFake((input) => {
    const id = `upload-${nextUpload++}`;
    uploads.set(id, { key: input.Key, parts: new Map() });
    return { UploadId: id, Bucket: input.Bucket, Key: input.Key };
  });
  stub.on(UploadPartCommand).callsFake((input) => {
    const upload = uploads.get(input.UploadId);
    if (upload === undefined) throw awsError('NoSuchUpload', 404);
    upload.parts.set(input.PartNumber, bodyOf(input.Body));
    return { ETag: `"part-${input.PartNumber}-${bodyOf(input.Body).byteLength}"`, ChecksumCRC32: 'AAAAAA==' };
  });
  stub.on(CompleteMultipartUploadCommand).callsFake((input) => {
    const upload = uploads.get(input.UploadId);
    if (upload === undefined) throw awsError('NoSuchUpload', 404);
    const named = input.MultipartUpload?.Parts ?? [];
    objects.set(
      upload.key,
      Buffer.concat(
        named.map((p: { PartNumber: number }) => {
          const part = upload.parts.get(p.PartNumber);
          if (part === undefined) throw awsError('InvalidPart', 400);
          return part;
        }),
      ),
    );
    uploads.delete(input.UploadId);
    return { ETag: '"done"' };
  });
  stub.on(AbortMultipartUploadCommand).callsFake((input) => {
    if (!uploads.delete(input.UploadId)) throw awsError('NoSuchUpload', 404);
    aborted.push(input.UploadId);
    return {};
  });
  stub.on(PutObjectCommand).callsFake((input) => {
    objects.set(input.Key, bodyOf(input.Body));
    return { ETag: '"chunk"' };
  });
  stub.on(GetObjectCommand).callsFake((input) => {
    const body = objects.get(input.Key);
    if (body === undefined) throw awsError('NoSuchKey', 404);
    return { Body: { transformToByteArray: async () => new Uint8Array(body) } };
  });
  stub.on(DeleteObjectCommand).callsFake((input) => {
    objects.delete(input.Key);
    return {};
  });
  stub.on(HeadObjectCommand).callsFake((input) => {
    if (!objects.has(input.Key)) throw awsError('NotFound', 404);
    return { ContentLength: objects.get(input.Key)?.byteLength };
  });
  return {
    objects,
    uploads,
    aborted,
    text(key) {
      const body = objects.get(key);
      if (body === undefined) throw new Error(`no object ${key}`);
      return body.toString('utf8');
    },
  };
}

/** The lines of a JSONL text, parsed. */
export function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
