import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { buildReplicaMetadata, REPLICA_METADATA_KEYS } from '../../../../core/replica-metadata.ts';
import { copyResultSchema } from '../../../../core/workflow.ts';
import { createCopyObjectHandler } from '../../../../functions/copy-object/index.ts';
import { awsError, regionalS3Clients, SOURCE, TARGET, taskInput } from '../fixtures.ts';

const SOURCE_HEAD = {
  ContentLength: SOURCE.size,
  ETag: `"${SOURCE.etag}"`,
  VersionId: SOURCE.versionId,
  Metadata: { build: '42' },
  ContentType: 'application/zip',
  CacheControl: 'no-cache',
  ContentDisposition: 'attachment; filename="web.zip"',
  ContentEncoding: 'identity',
};

describe('Copy (single request)', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  const copy = createCopyObjectHandler({ s3ClientFor });

  beforeEach(() => {
    source.reset();
    target.reset();
    source.on(HeadObjectCommand).resolves(SOURCE_HEAD);
    target.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    target
      .on(CopyObjectCommand)
      .resolves({ CopyObjectResult: { ETag: '"newetag"' }, VersionId: 'v-replica' });
  });

  it('names the source account as the expected owner of every request that reads the source', async () => {
    // Arrange
    source.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    const input = taskInput({ source: { ...SOURCE, account: '111122223333' } });

    // Act
    await copy(input);
    await copy(taskInput());

    // Assert
    const [withAccount, withoutAccount] = target.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);
    expect(withAccount?.ExpectedSourceBucketOwner).toBe('111122223333');
    expect(withoutAccount).not.toHaveProperty('ExpectedSourceBucketOwner');
    expect(source.commandCalls(HeadObjectCommand)[0]?.args[0].input.ExpectedBucketOwner).toBe('111122223333');
  });

  it('copies into the destination region with the pinned version, the target settings and the stamp', async () => {
    // Arrange
    const input = taskInput({
      target: {
        ...TARGET,
        account: '444455556666',
        storageClass: 'STANDARD_IA',
        acl: 'bucket-owner-full-control',
        encryption: { type: 'aws:kms', kmsKeyArn: 'arn:aws:kms:ap-northeast-2:444455556666:key/k' },
      },
    });

    // Act
    const result = await copy(input);

    // Assert
    expect(result).toEqual({
      status: 'copied',
      bytes: SOURCE.size,
      destination: { bucket: TARGET.bucket, key: SOURCE.key, versionId: 'v-replica', etag: 'newetag' },
      replicaFacts: {},
    });
    expect(copyResultSchema.safeParse(result).success).toBe(true);
    const request = target.commandCalls(CopyObjectCommand)[0]?.args[0].input;
    expect(request).toMatchObject({
      Bucket: TARGET.bucket,
      Key: SOURCE.key,
      CopySource: 'build-artifacts-oregon/build_artifacts/web.zip?versionId=v-source-1',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:ap-northeast-2:444455556666:key/k',
      StorageClass: 'STANDARD_IA',
      ACL: 'bucket-owner-full-control',
      ExpectedBucketOwner: '444455556666',
      ChecksumAlgorithm: 'CRC64NVME',
      MetadataDirective: 'REPLACE',
      TaggingDirective: 'COPY',
      ContentType: 'application/zip',
      CacheControl: 'no-cache',
      ContentDisposition: 'attachment; filename="web.zip"',
      ContentEncoding: 'identity',
    });
    expect(request?.CopySourceIfMatch).toBeUndefined();
    expect(request?.Metadata).toMatchObject({
      build: '42',
      [REPLICA_METADATA_KEYS.sourceVersion]: 'v-source-1',
    });
    expect(target.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({
      ChecksumMode: 'ENABLED',
      ExpectedBucketOwner: '444455556666',
    });
  });

  it('pins an unversioned source with CopySourceIfMatch and encodes the key', async () => {
    // Arrange
    const { versionId: _v, ...unversioned } = { ...SOURCE, key: 'a/10:47:07 b+c%.zip' };
    const input = taskInput({ source: unversioned });

    // Act
    await copy(input);

    // Assert
    const request = target.commandCalls(CopyObjectCommand)[0]?.args[0].input;
    expect(request?.CopySource).toBe('build-artifacts-oregon/a/10%3A47%3A07%20b%2Bc%25.zip');
    expect(request?.CopySourceIfMatch).toBe(`"${SOURCE.etag}"`);
  });

  it('is in-sync without copying when the destination has the same checksum', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ContentLength: SOURCE.size,
      ETag: '"kms-etag"',
      ServerSideEncryption: 'aws:kms',
      ChecksumCRC64NVME: SOURCE.checksum?.value,
      ChecksumType: 'FULL_OBJECT',
      Metadata: {},
    });

    // Act
    const result = await copy(taskInput());

    // Assert
    expect(result).toMatchObject({
      status: 'in-sync',
      bytes: SOURCE.size,
      destination: { etag: 'kms-etag' },
    });
    expect(target.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('is in-sync without copying when the relay metadata names this source version', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ContentLength: SOURCE.size,
      ETag: '"x"',
      VersionId: 'v-replica',
      Metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-source-1',
        etag: SOURCE.etag,
      }),
    });

    // Act
    const result = await copy(taskInput());

    // Assert
    expect(result).toEqual({
      status: 'in-sync',
      bytes: SOURCE.size,
      destination: { bucket: TARGET.bucket, key: SOURCE.key, versionId: 'v-replica', etag: 'x' },
      replicaFacts: { size: SOURCE.size },
    });
    expect(target.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('copies again on a re-copy even when the destination looks in-sync', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ContentLength: SOURCE.size,
      ETag: '"x"',
      Metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-source-1',
        etag: SOURCE.etag,
      }),
    });

    // Act
    const result = await copy(taskInput({ recopy: true }));

    // Assert
    expect(result.status).toBe('copied');
    expect(target.commandCalls(CopyObjectCommand)).toHaveLength(1);
  });

  it('leaves a replica from a newer sequencer alone: superseded', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ContentLength: 99,
      ETag: '"newer"',
      Metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v2',
        etag: 'n',
        sequencer: '0062E99A88DC4074FF',
      }),
    });

    // Act
    const result = await copy(taskInput());

    // Assert
    expect(result).toMatchObject({ status: 'superseded', bytes: 0, destination: { etag: 'newer' } });
    expect(target.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('reports source-gone when the pinned version vanished (404)', async () => {
    // Arrange: gone between the HEAD that read its headers and the copy (and still gone when read again)
    source.on(HeadObjectCommand).resolvesOnce(SOURCE_HEAD).rejects(awsError('NotFound', 404));
    target.on(CopyObjectCommand).rejects(awsError('NoSuchVersion', 404));

    // Act
    const result = await copy(taskInput());

    // Assert
    expect(result).toEqual({
      status: 'source-gone',
      bytes: 0,
      destination: { bucket: TARGET.bucket, key: SOURCE.key },
    });
  });

  it('reports source-gone when the source HEAD finds nothing', async () => {
    // Arrange
    source.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

    // Act
    const result = await copy(taskInput());

    // Assert
    expect(result.status).toBe('source-gone');
    expect(target.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });

  it('reports superseded when the source changed (412) and a replica is there', async () => {
    // Arrange: overwritten between the HEAD that read its headers and the copy
    const { versionId: _v, ...unversioned } = SOURCE;
    source.on(HeadObjectCommand).resolvesOnce(SOURCE_HEAD).rejects(awsError('PreconditionFailed', 412));
    target.on(HeadObjectCommand).resolves({ ContentLength: 3, ETag: '"older"', Metadata: {} });
    target.on(CopyObjectCommand).rejects(awsError('PreconditionFailed', 412));

    // Act
    const result = await copy(taskInput({ source: unversioned }));

    // Assert
    expect(result).toMatchObject({ status: 'superseded', destination: { etag: 'older' } });
  });

  it('writes only onto what it looked at: If-None-Match: * for a new replica, If-Match to replace one', async () => {
    // Arrange
    const copyAgain = taskInput({ recopy: true });

    // Act
    await copy(taskInput());
    target.on(HeadObjectCommand).resolves({ ContentLength: SOURCE.size, ETag: '"corrupted"', Metadata: {} });
    await copy(copyAgain);

    // Assert
    const [fresh, replacing] = target.commandCalls(CopyObjectCommand).map((c) => c.args[0].input);
    expect(fresh?.IfNoneMatch).toBe('*');
    expect(fresh?.IfMatch).toBeUndefined();
    expect(replacing?.IfMatch).toBe('"corrupted"');
    expect(replacing?.IfNoneMatch).toBeUndefined();
  });

  it('is in-sync when a concurrent relay of the same event wrote the replica first (412 on the destination)', async () => {
    // Arrange
    const theirs = {
      ContentLength: SOURCE.size,
      ETag: '"theirs"',
      VersionId: 'v-theirs',
      Metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-source-1',
        sequencer: '0062E99A88DC407460',
      }),
    };
    target.on(HeadObjectCommand).rejectsOnce(awsError('NotFound', 404)).resolves(theirs);
    target.on(CopyObjectCommand).rejects(awsError('PreconditionFailed', 412));

    // Act
    const result = await copy(taskInput());

    // Assert
    expect(result).toEqual({
      status: 'in-sync',
      bytes: SOURCE.size,
      destination: { bucket: TARGET.bucket, key: SOURCE.key, versionId: 'v-theirs', etag: 'theirs' },
      replicaFacts: { size: SOURCE.size },
    });
    expect(source.commandCalls(HeadObjectCommand)).toHaveLength(2);
  });

  it('fails retryably when the destination changed to something else under the copy', async () => {
    // Arrange
    target
      .on(HeadObjectCommand)
      .rejectsOnce(awsError('NotFound', 404))
      .resolves({ ContentLength: 7, ETag: '"unrelated"', Metadata: {} });
    target.on(CopyObjectCommand).rejects(awsError('PreconditionFailed', 412));

    // Act
    const copying = copy(taskInput());

    // Assert
    await expect(copying).rejects.toMatchObject({ name: 'TransientAwsError', retryable: true });
    await expect(copying).rejects.toThrow(/changed while the copy was writing it/);
  });

  it('fails with the classified error when the target denies access', async () => {
    // Arrange
    target.on(CopyObjectCommand).rejects(awsError('AccessDenied', 403));

    // Act
    const copying = copy(taskInput());

    // Assert
    await expect(copying).rejects.toMatchObject({ name: 'AccessDenied', retryable: false });
  });

  it('fails retryably on throttling, for the state machine to retry', async () => {
    // Arrange
    target.on(CopyObjectCommand).rejects(awsError('SlowDown', 503));

    // Act
    const copying = copy(taskInput());

    // Assert
    await expect(copying).rejects.toMatchObject({ name: 'TransientAwsError', retryable: true });
  });

  it('uses CopyObject up to the threshold and a multipart copy above it', async () => {
    // Arrange
    source.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    target.on(CreateMultipartUploadCommand).rejects(awsError('AccessDenied', 403));
    const atThreshold = taskInput({
      source: { ...SOURCE, size: taskInput().settings.multipartThresholdBytes },
    });
    const above = taskInput({
      source: { ...SOURCE, size: taskInput().settings.multipartThresholdBytes + 1 },
    });

    // Act
    await copy(atThreshold);
    const multipart = copy(above);

    // Assert
    await expect(multipart).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(target.commandCalls(CopyObjectCommand)).toHaveLength(1);
    expect(target.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
  });

  it('refuses an input that is not a per-target state', async () => {
    // Arrange / Act
    const copying = copy({ source: SOURCE });

    // Assert
    await expect(copying).rejects.toBeInstanceOf(InvalidInput);
  });
});
