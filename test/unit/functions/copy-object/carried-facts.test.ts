/** Copy with the source facts ResolveTargets carried: which S3 requests it makes, and which it no longer needs. */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPLICA_METADATA_KEYS } from '../../../../core/replica-metadata.ts';
import { copyResultSchema, type SourceObject } from '../../../../core/workflow.ts';
import { createCopyObjectHandler } from '../../../../functions/copy-object/index.ts';
import { awsError, MIB, regionalS3Clients, SETTINGS, SOURCE, TARGET, taskInput } from '../fixtures.ts';

/** A source as ResolveTargets records it since it carries the metadata and content headers. */
const CARRIED: SourceObject = {
  ...SOURCE,
  content: {
    metadata: { build: '42' },
    contentType: 'application/zip',
    cacheControl: 'no-cache',
    contentDisposition: 'attachment; filename="web.zip"',
  },
};

const REPLICA_CHECKSUM = { ChecksumCRC64NVME: SOURCE.checksum?.value, ChecksumType: 'FULL_OBJECT' } as const;

describe('Copy with the source facts ResolveTargets carried', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  const copy = createCopyObjectHandler({ s3ClientFor });

  beforeEach(() => {
    source.reset();
    target.reset();
    source.on(HeadObjectCommand).resolves({ ContentLength: SOURCE.size, ETag: `"${SOURCE.etag}"` });
    target.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    target.on(CopyObjectCommand).resolves({
      CopyObjectResult: { ETag: '"newetag"', ...REPLICA_CHECKSUM },
      ServerSideEncryption: 'AES256',
      VersionId: 'v-replica',
    });
  });

  it('copies without a second HEAD of the source when ResolveTargets carried its facts', async () => {
    // Arrange
    const input = taskInput({ source: CARRIED });

    // Act
    const result = await copy(input);

    // Assert
    expect(source.calls()).toHaveLength(0);
    expect(target.commandCalls(HeadObjectCommand)).toHaveLength(1);
    const request = target.commandCalls(CopyObjectCommand)[0]?.args[0].input;
    expect(request).toMatchObject({
      CopySource: 'build-artifacts-oregon/build_artifacts/web.zip?versionId=v-source-1',
      MetadataDirective: 'REPLACE',
      ContentType: 'application/zip',
      CacheControl: 'no-cache',
      ContentDisposition: 'attachment; filename="web.zip"',
    });
    expect(request?.Metadata).toMatchObject({
      build: '42',
      [REPLICA_METADATA_KEYS.sourceVersion]: SOURCE.versionId,
    });
    expect(result.status).toBe('copied');
  });

  it('carries what the CopyObject answer reported about the replica for Verify', async () => {
    // Arrange
    const input = taskInput({ source: CARRIED });

    // Act
    const result = await copy(input);

    // Assert
    expect(result).toEqual({
      status: 'copied',
      bytes: SOURCE.size,
      destination: { bucket: TARGET.bucket, key: SOURCE.key, versionId: 'v-replica', etag: 'newetag' },
      replicaFacts: { checksum: SOURCE.checksum, encryption: { type: 'SSE-S3' } },
    });
    expect(copyResultSchema.safeParse(result).success).toBe(true);
  });

  it('reads the metadata with a HEAD of the pinned source for an execution started before ResolveTargets carried it', async () => {
    // Arrange
    source.on(HeadObjectCommand).resolves({
      ContentLength: SOURCE.size,
      ETag: `"${SOURCE.etag}"`,
      Metadata: { build: '41' },
      ContentType: 'application/octet-stream',
    });
    const input = taskInput({ source: SOURCE });

    // Act
    await copy(input);

    // Assert
    expect(source.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({
      VersionId: SOURCE.versionId,
      ChecksumMode: 'ENABLED',
    });
    const request = target.commandCalls(CopyObjectCommand)[0]?.args[0].input;
    expect(request?.ContentType).toBe('application/octet-stream');
    expect(request?.Metadata).toMatchObject({ build: '41' });
  });

  it('still pins an unversioned source with CopySourceIfMatch and reports superseded when it changed (412)', async () => {
    // Arrange
    const { versionId: _versionId, ...unversioned } = CARRIED;
    target.on(HeadObjectCommand).resolves({
      ContentLength: 1,
      ETag: '"older-replica"',
      Metadata: {},
    });
    target.on(CopyObjectCommand).rejects(awsError('PreconditionFailed', 412));
    source.on(HeadObjectCommand).rejects(awsError('PreconditionFailed', 412));

    // Act
    const result = await copy(taskInput({ source: unversioned }));

    // Assert
    expect(target.commandCalls(CopyObjectCommand)[0]?.args[0].input.CopySourceIfMatch).toBe(
      `"${SOURCE.etag}"`,
    );
    expect(source.commandCalls(HeadObjectCommand)[0]?.args[0].input.IfMatch).toBe(`"${SOURCE.etag}"`);
    expect(result).toMatchObject({ status: 'superseded', destination: { etag: 'older-replica' } });
  });

  it('reports source-gone when the pinned version vanished before the copy (NoSuchVersion)', async () => {
    // Arrange
    target.on(CopyObjectCommand).rejects(awsError('NoSuchVersion', 404));
    source.on(HeadObjectCommand).rejects(awsError('NoSuchVersion', 404));

    // Act
    const result = await copy(taskInput({ source: CARRIED }));

    // Assert
    expect(result.status).toBe('source-gone');
    expect(source.commandCalls(HeadObjectCommand)).toHaveLength(1);
  });

  it('carries the destination HEAD it found in sync, so Verify need not read it again', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ContentLength: SOURCE.size,
      ETag: '"replica-etag"',
      VersionId: 'v-replica',
      ServerSideEncryption: 'AES256',
      ...REPLICA_CHECKSUM,
      Metadata: {},
    });

    // Act
    const result = await copy(taskInput({ source: CARRIED }));

    // Assert
    expect(result).toMatchObject({
      status: 'in-sync',
      replicaFacts: { size: SOURCE.size, checksum: SOURCE.checksum, encryption: { type: 'SSE-S3' } },
    });
    expect(source.calls()).toHaveLength(0);
    expect(target.commandCalls(CopyObjectCommand)).toHaveLength(0);
  });
});

describe('Copy (multipart) with the source facts ResolveTargets carried', () => {
  const SIZE = 20 * MIB;
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  const copy = createCopyObjectHandler({ s3ClientFor });
  const input = taskInput({
    source: {
      ...CARRIED,
      size: SIZE,
      checksum: { algorithm: 'CRC32C', value: 'AAAAAA==', type: 'FULL_OBJECT' },
    },
    settings: { ...SETTINGS, multipartThresholdBytes: 16 * MIB, partSizeBytes: 8 * MIB },
  });

  beforeEach(() => {
    source.reset();
    target.reset();
    source.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'team', Value: 'web' }] });
    target.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    target.on(ListMultipartUploadsCommand).resolves({ Uploads: [] });
    target.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u-1' });
    target.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    target.on(ListPartsCommand).resolves({
      Parts: [1, 2, 3].map((n) => ({
        PartNumber: n,
        ETag: '"p"',
        Size: n === 3 ? 4 * MIB : 8 * MIB,
        ChecksumCRC32C: 'AAAAAA==',
      })),
      ChecksumType: 'FULL_OBJECT',
    });
    target.on(CompleteMultipartUploadCommand).resolves({
      ETag: '"whole-3"',
      ChecksumCRC32C: 'AAAAAA==',
      ChecksumType: 'FULL_OBJECT',
      ServerSideEncryption: 'AES256',
      VersionId: 'v-replica',
    });
  });

  it('creates the upload from the carried metadata, reading only the tags from the source', async () => {
    // Act
    const result = await copy(input);

    // Assert
    expect(source.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(source.commandCalls(GetObjectTaggingCommand)).toHaveLength(1);
    expect(target.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      ContentType: 'application/zip',
      Tagging: 'team=web',
      Metadata: { build: '42' },
    });
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
    expect(result).toMatchObject({
      status: 'copied',
      replicaFacts: {
        size: SIZE,
        partCount: 3,
        checksum: { algorithm: 'CRC32C', value: 'AAAAAA==', type: 'FULL_OBJECT' },
        encryption: { type: 'SSE-S3' },
      },
    });
  });
});
