/**
 * How a Distributed Map reaches S3: its `ItemReader` lists a prefix or reads an object, its `ResultWriter`
 * writes the result files. The engine depends on this interface only; local/index.ts injects one over the
 * local S3 (./s3-sdk.ts). Errors thrown keep S3's error code as their `name` (`NoSuchBucket`, `NoSuchKey`,
 * `AccessDenied`, …): the Map state fails with `States.ItemReaderFailed` or `States.ResultWriterFailed`
 * naming it.
 */
import type { Readable } from 'node:stream';

/** One object of a ListObjectsV2 page. */
export interface ListedObject {
  readonly key: string;
  /** With its quotes, as S3 returns it. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly size: number;
  readonly storageClass: string;
}

export interface DistributedMapS3 {
  /** One ListObjectsV2 page (up to 1,000 keys) of `bucket`, in the execution's region. */
  listObjects(request: {
    readonly region: string;
    readonly bucket: string;
    readonly prefix?: string | undefined;
    readonly continuationToken?: string | undefined;
  }): Promise<{ readonly objects: readonly ListedObject[]; readonly nextContinuationToken?: string }>;
  /** The object's bytes, streamed. */
  getObject(request: {
    readonly region: string;
    readonly bucket: string;
    readonly key: string;
    readonly versionId?: string | undefined;
  }): Promise<Readable>;
  /** Writes an object of `contentLength` bytes from `body`. */
  putObject(request: {
    readonly region: string;
    readonly bucket: string;
    readonly key: string;
    readonly body: Readable | string;
    readonly contentLength: number;
    readonly contentType?: string;
  }): Promise<void>;
}

/** The cause a reader or writer failure carries: S3's error code and message. */
export function s3FailureCause(error: unknown, what: string): string {
  if (!(error instanceof Error)) return `${what}: ${String(error)}`;
  return `${what}: ${error.name}: ${error.message}`;
}
