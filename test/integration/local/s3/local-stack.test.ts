/** The local S3 as the whole local stack wires it: one endpoint, the shared fault plan, the EventBridge bridge. */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3ObjectCreatedEvent } from '../../../../local/types.ts';
import { startTestStack, type TestStack } from '../../../helpers/local-stack.ts';
import { bytes, md5Hex, rejection, statusOf } from './support.ts';

describe('the local S3 inside startLocalStack', () => {
  let stack: TestStack;
  const received: S3ObjectCreatedEvent[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ s3: { maxCopyObjectBytes: 1024 } });
    stack.events.addRule({
      name: 'artifacts',
      eventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: ['stack-source'] } },
      },
      target: async (event) => {
        if (event['detail-type'] === 'Object Created') received.push(event);
      },
    });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('serves S3 on the shared endpoint and publishes Object Created events to the bridge', async () => {
    // Arrange
    const s3 = stack.s3Client('us-west-2');
    const data = bytes(512, 2);
    await s3.send(new CreateBucketCommand({ Bucket: 'stack-source' }));

    // Act
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'stack-source', Key: 'build_artifacts/app.zip', Body: data }),
    );
    const got = Buffer.from(
      await (
        await s3.send(new GetObjectCommand({ Bucket: 'stack-source', Key: 'build_artifacts/app.zip' }))
      ).Body!.transformToByteArray(),
    );
    await stack.events.idle();

    // Assert
    expect(put.ETag).toBe(`"${md5Hex(data)}"`);
    expect(got.equals(data)).toBe(true);
    expect(received.map((e) => [e.region, e.detail.object.key, e.detail.object.etag])).toEqual([
      ['us-west-2', 'build_artifacts/app.zip', md5Hex(data)],
    ]);
    expect(stack.s3.bucketRegion('stack-source')).toBe('us-west-2');
  });

  it('applies the stack-level S3 limits and fault plan', async () => {
    // Arrange
    const s3 = stack.s3Client('us-west-2');
    await s3.send(new PutObjectCommand({ Bucket: 'stack-source', Key: 'big', Body: bytes(2048, 3) }));
    const id = stack.faults.add({ kind: 'access-denied', operations: ['GetObject'], bucket: 'stack-source' });

    // Act
    const tooBig = await rejection(
      s3.send(
        new CopyObjectCommand({ Bucket: 'stack-source', Key: 'big-copy', CopySource: 'stack-source/big' }),
      ),
    );
    const denied = await rejection(s3.send(new GetObjectCommand({ Bucket: 'stack-source', Key: 'big' })));
    stack.faults.remove(id);

    // Assert
    expect(tooBig.message).toContain('maximum allowable size for a copy source: 1024');
    expect(statusOf(denied)).toBe(403);
  });
});
