import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, type S3Harness, startS3 } from './harness.ts';
import { rejection, statusOf } from './support.ts';

describe('local S3 buckets', () => {
  let s3: S3Harness;

  beforeEach(async () => {
    s3 = await startS3();
  });

  afterEach(async () => {
    await s3.dispose();
  });

  it('creates a bucket in the region its LocationConstraint names and reports it on HeadBucket', async () => {
    // Arrange
    const client = s3.client('eu-central-1');

    // Act
    await client.send(new CreateBucketCommand({ Bucket: 'artifacts-frankfurt' }));
    const head = await client.send(new HeadBucketCommand({ Bucket: 'artifacts-frankfurt' }));
    const location = await client.send(new GetBucketLocationCommand({ Bucket: 'artifacts-frankfurt' }));

    // Assert
    expect(head.BucketRegion).toBe('eu-central-1');
    expect(location.LocationConstraint).toBe('eu-central-1');
  });

  it('creates a bucket without a LocationConstraint in us-east-1, with an empty location', async () => {
    // Arrange
    const client = s3.client('us-east-1');

    // Act
    await client.send(new CreateBucketCommand({ Bucket: 'artifacts-virginia' }));
    const location = await client.send(new GetBucketLocationCommand({ Bucket: 'artifacts-virginia' }));

    // Assert
    expect(location.LocationConstraint).toBeUndefined();
    expect(s3.service.bucketRegion('artifacts-virginia')).toBe('us-east-1');
  });

  it.each([
    'ab',
    'UpperCase',
    'under_score',
    'double..dot',
    '192.168.5.4',
    'xn--punycode',
    'ends-with-',
    'x'.repeat(64),
  ])('rejects the invalid bucket name %s with InvalidBucketName', async (name) => {
    // Arrange
    const client = s3.client('us-east-1');

    // Act
    const err = await rejection(client.send(new CreateBucketCommand({ Bucket: name })));

    // Assert
    expect(err.name).toBe('InvalidBucketName');
    expect(statusOf(err)).toBe(400);
  });

  it('answers a second CreateBucket outside us-east-1 with BucketAlreadyOwnedByYou', async () => {
    // Arrange
    const client = s3.client('ap-northeast-2');
    await client.send(new CreateBucketCommand({ Bucket: 'artifacts-seoul' }));

    // Act
    const err = await rejection(client.send(new CreateBucketCommand({ Bucket: 'artifacts-seoul' })));

    // Assert
    expect(err.name).toBe('BucketAlreadyOwnedByYou');
    expect(statusOf(err)).toBe(409);
  });

  it('accepts re-creating an owned us-east-1 bucket, as S3 does for legacy compatibility', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'legacy-bucket' }));

    // Act
    const again = await client.send(new CreateBucketCommand({ Bucket: 'legacy-bucket' }));

    // Assert
    expect(again.$metadata.httpStatusCode).toBe(200);
  });

  it('rejects a LocationConstraint that differs from the regional endpoint it was signed for', async () => {
    // Arrange
    const client = s3.client('us-west-2');

    // Act
    const err = await rejection(
      client.send(
        new CreateBucketCommand({
          Bucket: 'wrong-place',
          CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('IllegalLocationConstraintException');
    expect(err.message).toContain('eu-west-1 location constraint is incompatible');
  });

  it('rejects an explicit us-east-1 LocationConstraint with InvalidLocationConstraint', async () => {
    // Arrange
    const client = s3.client('us-east-1');

    // Act
    const err = await rejection(
      client.send(
        new CreateBucketCommand({
          Bucket: 'explicit-virginia',
          CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as 'us-west-1' },
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('InvalidLocationConstraint');
  });

  it('lists buckets with their regions, filtered by prefix and region', async () => {
    // Arrange
    await s3.client('us-east-1').send(new CreateBucketCommand({ Bucket: 'list-a' }));
    await s3.client('eu-west-1').send(new CreateBucketCommand({ Bucket: 'list-b' }));
    await s3.client('eu-west-1').send(new CreateBucketCommand({ Bucket: 'other-c' }));
    const client = s3.client('us-east-1');

    // Act
    const all = await client.send(new ListBucketsCommand({}));
    const prefixed = await client.send(new ListBucketsCommand({ Prefix: 'list-' }));
    const inIreland = await client.send(new ListBucketsCommand({ BucketRegion: 'eu-west-1' }));

    // Assert
    expect(all.Buckets?.map((b) => [b.Name, b.BucketRegion])).toEqual([
      ['list-a', 'us-east-1'],
      ['list-b', 'eu-west-1'],
      ['other-c', 'eu-west-1'],
    ]);
    expect(prefixed.Buckets?.map((b) => b.Name)).toEqual(['list-a', 'list-b']);
    expect(inIreland.Buckets?.map((b) => b.Name)).toEqual(['list-b', 'other-c']);
    expect(all.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('pages ListBuckets with max-buckets and a continuation token', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    for (const name of ['page-1', 'page-2', 'page-3'])
      await client.send(new CreateBucketCommand({ Bucket: name }));

    // Act
    const first = await client.send(new ListBucketsCommand({ MaxBuckets: 2 }));
    const second = await client.send(
      new ListBucketsCommand({ MaxBuckets: 2, ContinuationToken: first.ContinuationToken }),
    );

    // Assert
    expect(first.Buckets?.map((b) => b.Name)).toEqual(['page-1', 'page-2']);
    expect(second.Buckets?.map((b) => b.Name)).toEqual(['page-3']);
    expect(second.ContinuationToken).toBeUndefined();
  });

  it('refuses to delete a bucket that holds an object, then deletes it once empty', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'not-empty' }));
    await client.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'k', Body: 'x' }));

    // Act
    const err = await rejection(client.send(new DeleteBucketCommand({ Bucket: 'not-empty' })));
    await client.send(new DeleteObjectCommand({ Bucket: 'not-empty', Key: 'k' }));
    await client.send(new DeleteBucketCommand({ Bucket: 'not-empty' }));
    const gone = await rejection(client.send(new HeadBucketCommand({ Bucket: 'not-empty' })));

    // Assert
    expect(err.name).toBe('BucketNotEmpty');
    expect(statusOf(err)).toBe(409);
    expect(statusOf(gone)).toBe(404);
  });

  it('answers requests on a missing bucket with NoSuchBucket', async () => {
    // Arrange
    const client = s3.client('us-east-1');

    // Act
    const err = await rejection(client.send(new GetBucketVersioningCommand({ Bucket: 'no-such-bucket' })));

    // Assert
    expect(err.name).toBe('NoSuchBucket');
    expect(err.BucketName).toBe('no-such-bucket');
  });

  it('stores, returns and deletes bucket tags, with NoSuchTagSet when there are none', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'tagged-bucket' }));
    const tags = [
      { Key: 'TargetBucket', Value: 'artifacts-seoul@ap-northeast-2 artifacts-frankfurt' },
      { Key: 'team', Value: 'build' },
    ];

    // Act
    await client.send(new PutBucketTaggingCommand({ Bucket: 'tagged-bucket', Tagging: { TagSet: tags } }));
    const stored = await client.send(new GetBucketTaggingCommand({ Bucket: 'tagged-bucket' }));
    await client.send(new DeleteBucketTaggingCommand({ Bucket: 'tagged-bucket' }));
    const err = await rejection(client.send(new GetBucketTaggingCommand({ Bucket: 'tagged-bucket' })));

    // Assert
    expect(stored.TagSet).toEqual(tags);
    expect(err.name).toBe('NoSuchTagSet');
  });

  it('rejects bucket tags with duplicate keys with InvalidTag', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'bad-tags' }));

    // Act
    const err = await rejection(
      client.send(
        new PutBucketTaggingCommand({
          Bucket: 'bad-tags',
          Tagging: {
            TagSet: [
              { Key: 'a', Value: '1' },
              { Key: 'a', Value: '2' },
            ],
          },
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('InvalidTag');
  });

  it('reports no versioning until enabled, then Enabled and Suspended', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'versioned-config' }));

    // Act
    const before = await client.send(new GetBucketVersioningCommand({ Bucket: 'versioned-config' }));
    await client.send(
      new PutBucketVersioningCommand({
        Bucket: 'versioned-config',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    const enabled = await client.send(new GetBucketVersioningCommand({ Bucket: 'versioned-config' }));
    await client.send(
      new PutBucketVersioningCommand({
        Bucket: 'versioned-config',
        VersioningConfiguration: { Status: 'Suspended' },
      }),
    );
    const suspended = await client.send(new GetBucketVersioningCommand({ Bucket: 'versioned-config' }));

    // Assert
    expect(before.Status).toBeUndefined();
    expect(enabled.Status).toBe('Enabled');
    expect(suspended.Status).toBe('Suspended');
  });

  it('reports SSE-S3 as default encryption, stores an SSE-KMS default, and resets it on delete', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'encrypted-config' }));
    const keyArn = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const initial = await client.send(new GetBucketEncryptionCommand({ Bucket: 'encrypted-config' }));
    await client.send(
      new PutBucketEncryptionCommand({
        Bucket: 'encrypted-config',
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    const configured = await client.send(new GetBucketEncryptionCommand({ Bucket: 'encrypted-config' }));
    await client.send(new DeleteBucketEncryptionCommand({ Bucket: 'encrypted-config' }));
    const reset = await client.send(new GetBucketEncryptionCommand({ Bucket: 'encrypted-config' }));

    // Assert
    expect(
      initial.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe('AES256');
    expect(configured.ServerSideEncryptionConfiguration?.Rules?.[0]).toEqual({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
      BucketKeyEnabled: true,
    });
    expect(
      reset.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe('AES256');
  });

  it('denies a request whose expected bucket owner is another account, and serves the right one', async () => {
    // Arrange
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'owned-bucket' }));

    // Act
    const err = await rejection(
      client.send(new HeadBucketCommand({ Bucket: 'owned-bucket', ExpectedBucketOwner: '999999999999' })),
    );
    const ok = await client.send(
      new HeadBucketCommand({ Bucket: 'owned-bucket', ExpectedBucketOwner: ACCOUNT_ID }),
    );

    // Assert
    expect(statusOf(err)).toBe(403);
    expect(ok.$metadata.httpStatusCode).toBe(200);
  });
});
