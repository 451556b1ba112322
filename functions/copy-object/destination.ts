import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import type { TargetConfig } from '../../core/config/schema.ts';
import { describeHead, type StoredObject } from '../../core/object-facts.ts';
import type { ObjectLocation } from '../../core/workflow.ts';
import { httpStatusOf, sendOptions } from '../shared/aws-call.ts';
import type { S3ClientFor } from '../shared/clients.ts';

/**
 * HEADs the destination (`ChecksumMode=ENABLED`, `ExpectedBucketOwner` when the target names an
 * account): the object there, or `undefined` when there is none.
 */
export async function headDestination(
  s3ClientFor: S3ClientFor,
  target: TargetConfig,
  destination: ObjectLocation,
  signal: AbortSignal | undefined,
): Promise<StoredObject | undefined> {
  try {
    const head = await s3ClientFor(target.region).send(
      new HeadObjectCommand({
        Bucket: destination.bucket,
        Key: destination.key,
        ChecksumMode: 'ENABLED',
        ...(target.account === undefined ? {} : { ExpectedBucketOwner: target.account }),
      }),
      sendOptions(signal),
    );
    return describeHead(head);
  } catch (err) {
    if (httpStatusOf(err) === 404) return undefined;
    throw classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'target',
      bucket: destination.bucket,
      key: destination.key,
    });
  }
}
