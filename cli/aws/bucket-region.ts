/** The region a bucket lives in, from HeadBucket's `x-amz-bucket-region` (on success or on a redirect). */
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { CliError } from '../errors.ts';
import type { Connection } from './connection.ts';

function regionHeader(err: unknown): string | undefined {
  const response = (err as { $response?: { headers?: Record<string, string | undefined> } }).$response;
  return response?.headers?.['x-amz-bucket-region'];
}

/** `--region` when given, else the bucket's own region as S3 reports it. */
export async function bucketRegion(conn: Connection, bucket: string): Promise<string> {
  if (conn.region !== undefined) return conn.region;
  const probe = (await conn.defaultRegion()) ?? 'us-east-1';
  try {
    const head = await conn.s3(probe).send(new HeadBucketCommand({ Bucket: bucket }));
    return head.BucketRegion ?? probe;
  } catch (err) {
    const region = regionHeader(err);
    if (region !== undefined) return region;
    if ((err as { name?: string }).name === 'NotFound') {
      throw new CliError(`the bucket ${bucket} does not exist (or is not visible to these credentials)`);
    }
    throw err;
  }
}
