import {
  CreateBucketCommand,
  GetBucketVersioningCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket } from '../../../cli/local-relay/provision.ts';
import { CREDENTIALS, type S3Harness, startS3 } from './s3/harness.ts';

describe('relay local provisioning of configured buckets', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3();
    client = s3.client('eu-west-1');
  });

  afterAll(async () => {
    await s3.dispose();
  });

  const versioning = async (bucket: string) =>
    (await client.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;

  it('creates a missing bucket versioned, in its region', async () => {
    // Act
    const created = await createBucket(s3.endpoint, 'fresh-bucket', 'eu-west-1', CREDENTIALS);

    // Assert
    expect(created).toBe(true);
    expect(await versioning('fresh-bucket')).toBe('Enabled');
  });

  it('leaves an existing unversioned bucket unversioned', async () => {
    // Arrange
    await client.send(
      new CreateBucketCommand({
        Bucket: 'plain-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );

    // Act
    const created = await createBucket(s3.endpoint, 'plain-bucket', 'eu-west-1', CREDENTIALS);

    // Assert
    expect(created).toBe(false);
    expect(await versioning('plain-bucket')).toBeUndefined();
  });

  it('leaves an existing Suspended bucket Suspended', async () => {
    // Arrange
    await client.send(
      new CreateBucketCommand({
        Bucket: 'paused-bucket',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    await client.send(
      new PutBucketVersioningCommand({
        Bucket: 'paused-bucket',
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );

    // Act
    await createBucket(s3.endpoint, 'paused-bucket', 'eu-west-1', CREDENTIALS);

    // Assert
    expect(await versioning('paused-bucket')).toBe('Suspended');
  });
});
