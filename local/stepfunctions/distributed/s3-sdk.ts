/**
 * {@link DistributedMapS3} over an S3 endpoint with the AWS SDK — locally the stack's own endpoint, so a
 * Distributed Map's listings, reads and result files go through the local S3 exactly as a client's would
 * (regions enforced, events published for the result files). The endpoint may be known only later (the
 * stack starts its HTTP server after Step Functions has loaded): calls wait for it.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { DistributedMapS3, ListedObject } from './s3.ts';

export interface SdkDistributedMapS3Options {
  /** The S3 endpoint, or a promise of it. */
  readonly endpoint: string | Promise<string>;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A {@link DistributedMapS3} over SDK clients (one per region, path-style). Call `destroy` when done. */
export function sdkDistributedMapS3(
  options: SdkDistributedMapS3Options,
): DistributedMapS3 & { destroy(): void } {
  const clients = new Map<string, S3Client>();
  const client = async (region: string): Promise<S3Client> => {
    const endpoint = await options.endpoint;
    let found = clients.get(region);
    if (!found) {
      found = new S3Client({
        region,
        endpoint,
        forcePathStyle: true,
        credentials: { ...options.credentials },
      });
      clients.set(region, found);
    }
    return found;
  };
  return {
    async listObjects({ region, bucket, prefix, continuationToken }) {
      const out = await (await client(region)).send(
        new ListObjectsV2Command({
          Bucket: bucket,
          ...(prefix !== undefined ? { Prefix: prefix } : {}),
          ...(continuationToken !== undefined ? { ContinuationToken: continuationToken } : {}),
        }),
      );
      const objects: ListedObject[] = (out.Contents ?? []).map((object) => ({
        key: object.Key ?? '',
        etag: object.ETag ?? '',
        lastModified: object.LastModified ?? new Date(0),
        size: object.Size ?? 0,
        storageClass: object.StorageClass ?? 'STANDARD',
      }));
      return out.IsTruncated && out.NextContinuationToken
        ? { objects, nextContinuationToken: out.NextContinuationToken }
        : { objects };
    },
    async getObject({ region, bucket, key, versionId }) {
      const out = await (await client(region)).send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(versionId !== undefined ? { VersionId: versionId } : {}),
        }),
      );
      return out.Body as Readable;
    },
    async putObject({ region, bucket, key, body, contentLength, contentType }) {
      await (await client(region)).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: contentLength,
          ContentType: contentType ?? 'application/json',
        }),
      );
    },
    destroy() {
      for (const found of clients.values()) found.destroy();
      clients.clear();
    },
  };
}
