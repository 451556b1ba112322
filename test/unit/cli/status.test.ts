import { Readable } from 'node:stream';
import { GetBucketTaggingCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkTargetSafely, type SourceState } from '../../../cli/status/check.ts';
import { bucketTagValue } from '../../../cli/status/objects.ts';
import { sourceSchema } from '../../../core/config/schema.ts';
import { describeHead } from '../../../core/object-facts.ts';
import { buildReplicaMetadata } from '../../../core/replica-metadata.ts';
import type { ResolvedTarget } from '../../../core/routing.ts';

const SOURCE_REGION = 'us-west-2';
const TARGET_REGION = 'ap-northeast-2';
const KEY = 'builds/web.zip';

const TARGET: ResolvedTarget = {
  id: 'artifacts-seoul@ap-northeast-2',
  bucket: 'artifacts-seoul',
  region: TARGET_REGION,
  encryption: { type: 'SSE-S3' },
  sourcePrefix: '',
  origin: { kind: 'rule', rule: 'all' },
};

const CONFIG = sourceSchema.parse({
  bucket: 'build-artifacts',
  region: SOURCE_REGION,
  rules: [{ name: 'all', targets: [{ bucket: TARGET.bucket, region: TARGET_REGION }] }],
});

const CHECKSUM = { ChecksumCRC64NVME: 'Q1JDNjQ=', ChecksumType: 'FULL_OBJECT' } as const;

function sourceState(
  head: Parameters<typeof describeHead>[0],
  verify: SourceState['verify'] = 'auto',
): SourceState {
  return { config: CONFIG, key: KEY, facts: describeHead(head), verify };
}

function awsError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode }, $fault: 'client' });
}

describe('relay status, per target', () => {
  const clients = new Map(
    [SOURCE_REGION, TARGET_REGION].map((region) => [
      region,
      new S3Client({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    ]),
  );
  const s3For = (region: string): S3Client => {
    const client = clients.get(region);
    if (client === undefined) throw new Error(`no test client for ${region}`);
    return client;
  };
  const source = mockClient(s3For(SOURCE_REGION));
  const target = mockClient(s3For(TARGET_REGION));

  beforeEach(() => {
    source.reset();
    target.reset();
  });

  it('is in sync when a same-kind checksum proves the same bytes', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({ ContentLength: 11, ETag: '"r1"', ...CHECKSUM });

    // Act
    const sync = await checkTargetSafely(
      s3For,
      sourceState({ ContentLength: 11, ETag: '"s1"', VersionId: 'v1', ...CHECKSUM }),
      TARGET,
    );

    // Assert
    expect(sync).toMatchObject({ status: 'in-sync', detail: 'checksum:CRC64NVME', key: KEY });
  });

  it('is missing when the target holds no object at the key', async () => {
    // Arrange
    target.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

    // Act
    const sync = await checkTargetSafely(s3For, sourceState({ ContentLength: 11, ETag: '"s1"' }), TARGET);

    // Assert
    expect(sync).toMatchObject({ status: 'missing', detail: `no object at s3://${TARGET.bucket}/${KEY}` });
  });

  it('is different, saying which evidence differs, for an object that is no replica of this one', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ContentLength: 11,
      ETag: '"r1"',
      ChecksumCRC64NVME: 'b3RoZXI=',
      ChecksumType: 'FULL_OBJECT',
    });

    // Act
    const sync = await checkTargetSafely(
      s3For,
      sourceState({ ContentLength: 11, ETag: '"s1"', ...CHECKSUM }),
      TARGET,
    );

    // Assert
    expect(sync).toMatchObject({
      status: 'different',
      detail: 'checksum:CRC64NVME differs; not a replica of this object',
    });
  });

  it('reports an error, not a throw, when the replica cannot be read', async () => {
    // Arrange
    target.on(HeadObjectCommand).rejects(awsError('AccessDenied', 403));

    // Act
    const sync = await checkTargetSafely(s3For, sourceState({ ContentLength: 11, ETag: '"s1"' }), TARGET);

    // Assert
    expect(sync.status).toBe('error');
    expect(sync.detail).not.toBe('');
  });

  it('streams both objects through SHA-256 when nothing cheaper is comparable — and never takes the stamp for proof', async () => {
    // Arrange: SSE-KMS on both sides, no checksums; the replica carries the relay's stamp of this version
    source.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('hello world')]) }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('hello world')]) }));
    target.on(HeadObjectCommand).resolves({
      ContentLength: 11,
      ETag: '"k2"',
      ServerSideEncryption: 'aws:kms',
      Metadata: buildReplicaMetadata({ bucket: CONFIG.bucket, key: KEY, versionId: 'v1', etag: 'k1' }),
    });

    // Act
    const sync = await checkTargetSafely(
      s3For,
      sourceState({ ContentLength: 11, ETag: '"k1"', VersionId: 'v1', ServerSideEncryption: 'aws:kms' }),
      TARGET,
    );

    // Assert
    expect(sync).toMatchObject({ status: 'in-sync', detail: 'stream:sha256' });
    expect(source.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ VersionId: 'v1' });
    expect(target.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ IfMatch: '"k2"' });
  });

  it('is different when the streamed hashes differ', async () => {
    // Arrange
    source.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('hello world')]) }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('HELLO WORLD')]) }));
    target
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k2"', ServerSideEncryption: 'aws:kms' });

    // Act
    const sync = await checkTargetSafely(
      s3For,
      sourceState({ ContentLength: 11, ETag: '"k1"', VersionId: 'v1', ServerSideEncryption: 'aws:kms' }),
      TARGET,
    );

    // Assert
    expect(sync).toMatchObject({
      status: 'different',
      detail: 'stream:sha256 differs; not a replica of this object',
    });
  });

  it('proves by the configured verify mode, as Verify does: "stream" reads the bytes even with equal checksums', async () => {
    // Arrange
    source.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('hello world')]) }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('hello world')]) }));
    target.on(HeadObjectCommand).resolves({ ContentLength: 11, ETag: '"r1"', ...CHECKSUM });

    // Act
    const sync = await checkTargetSafely(
      s3For,
      sourceState({ ContentLength: 11, ETag: '"s1"', VersionId: 'v1', ...CHECKSUM }, 'stream'),
      TARGET,
    );

    // Assert
    expect(sync).toMatchObject({ status: 'in-sync', detail: 'stream:sha256' });
  });

  it('reports an error, saying why, when a forced verify mode cannot apply — where Verify fails with ConfigInvalid', async () => {
    // Arrange
    target
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k2"', ServerSideEncryption: 'aws:kms' });

    // Act
    const sync = await checkTargetSafely(
      s3For,
      sourceState({ ContentLength: 11, ETag: '"s1"', ServerSideEncryption: 'AES256' }, 'etag'),
      TARGET,
    );

    // Assert
    expect(sync).toMatchObject({
      status: 'error',
      detail: expect.stringContaining('defaults.verify: "etag" cannot verify this replica'),
    });
  });
});

describe('relay status, the source bucket tag', () => {
  const s3 = new S3Client({
    region: SOURCE_REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const mock = mockClient(s3);

  beforeEach(() => {
    mock.reset();
  });

  it('reads the configured tag from the bucket, as its owner', async () => {
    // Arrange
    mock.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'TargetBucket', Value: 'a b@eu-west-1' }] });

    // Act
    const value = await bucketTagValue(
      s3,
      { bucket: 'build-artifacts', expectedOwner: '111122223333' },
      'TargetBucket',
    );

    // Assert
    expect(value).toBe('a b@eu-west-1');
    expect(mock.commandCalls(GetBucketTaggingCommand)[0]?.args[0].input).toEqual({
      Bucket: 'build-artifacts',
      ExpectedBucketOwner: '111122223333',
    });
  });

  it('reads a bucket without tags (NoSuchTagSet) as no tag', async () => {
    // Arrange
    mock.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 404));

    // Act / Assert
    await expect(bucketTagValue(s3, { bucket: 'build-artifacts' }, 'TargetBucket')).resolves.toBeUndefined();
  });
});
