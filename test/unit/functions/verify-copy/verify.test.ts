import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigInvalid, InvalidInput, VerificationFailed } from '../../../../core/errors.ts';
import type { CopyResult, TaskInput } from '../../../../core/workflow.ts';
import { createVerifyCopyHandler } from '../../../../functions/verify-copy/index.ts';
import { awsError, regionalS3Clients, SETTINGS, SOURCE, TARGET, taskInput } from '../fixtures.ts';

const COPIED: CopyResult = {
  status: 'copied',
  bytes: SOURCE.size,
  destination: { bucket: TARGET.bucket, key: SOURCE.key, versionId: 'v-replica', etag: 'replica-etag' },
};

/** A response body as the SDK hands it over in Node.js: a readable stream. */
function body(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

describe('Verify', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  const verify = createVerifyCopyHandler({ s3ClientFor });

  beforeEach(() => {
    source.reset();
    target.reset();
  });

  function input(overrides: Partial<TaskInput> = {}): TaskInput {
    return taskInput({ copy: COPIED, ...overrides });
  }

  it('verifies an SSE-KMS source and an SSE-S3 replica by their CRC64NVME, whatever the ETags', async () => {
    // Arrange
    source.on(HeadObjectCommand).resolves({
      ContentLength: 1024,
      ETag: '"kms-etag"',
      ServerSideEncryption: 'aws:kms',
      ChecksumCRC64NVME: 'Q1JDNjQ=',
      ChecksumType: 'FULL_OBJECT',
    });
    target.on(HeadObjectCommand).resolves({
      ContentLength: 1024,
      ETag: '"replica-etag"',
      ServerSideEncryption: 'AES256',
      ChecksumCRC64NVME: 'Q1JDNjQ=',
      ChecksumType: 'FULL_OBJECT',
    });

    // Act
    const result = await verify(input());

    // Assert
    expect(result).toMatchObject({ verifiedBy: 'checksum:CRC64NVME', bytes: 1024 });
    expect(source.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({
      VersionId: 'v-source-1',
      ChecksumMode: 'ENABLED',
    });
    expect(target.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({
      VersionId: 'v-replica',
      ChecksumMode: 'ENABLED',
    });
  });

  it("returns the target's result around the proof: target, index, the copy's status and the replica", async () => {
    // Arrange
    const head = {
      ContentLength: 1024,
      ETag: '"e"',
      ChecksumCRC32: 'AAAAAA==',
      ChecksumType: 'FULL_OBJECT' as const,
    };
    source.on(HeadObjectCommand).resolves(head);
    target.on(HeadObjectCommand).resolves(head);

    // Act
    const result = await verify(input({ index: 2, copy: { ...COPIED, status: 'in-sync' } }));

    // Assert
    expect(result).toEqual({
      target: TARGET,
      index: 2,
      status: 'in-sync',
      bytes: 1024,
      verifiedBy: 'checksum:CRC32',
      destination: COPIED.destination,
    });
  });

  it('throws VerificationFailed naming both checksums when they differ', async () => {
    // Arrange
    source
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 1024, ETag: '"a"', ChecksumCRC32C: 'AAAA', ChecksumType: 'FULL_OBJECT' });
    target
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 1024, ETag: '"a"', ChecksumCRC32C: 'BBBB', ChecksumType: 'FULL_OBJECT' });

    // Act
    const verifying = verify(input());

    // Assert
    await expect(verifying).rejects.toBeInstanceOf(VerificationFailed);
    await expect(verifying).rejects.toThrow(/checksum:CRC32C.*source AAAA, replica BBBB/);
  });

  it('throws VerificationFailed when the sizes differ', async () => {
    // Arrange
    source.on(HeadObjectCommand).resolves({ ContentLength: 1024, ETag: '"a"' });
    target.on(HeadObjectCommand).resolves({ ContentLength: 1000, ETag: '"a"' });

    // Act / Assert
    await expect(verify(input())).rejects.toThrow(/Sizes differ.*1024.*1000/);
  });

  it('verifies by ETag when both sides are plain multipart objects with equal part layouts', async () => {
    // Arrange
    source.on(HeadObjectCommand).resolves({
      ContentLength: 1024,
      ETag: '"abc-5"',
      ServerSideEncryption: 'AES256',
      ChecksumCRC32: 'X',
      ChecksumType: 'FULL_OBJECT',
    });
    target.on(HeadObjectCommand).resolves({
      ContentLength: 1024,
      ETag: '"abc-5"',
      ServerSideEncryption: 'AES256',
      ChecksumCRC64NVME: 'Y',
      ChecksumType: 'FULL_OBJECT',
    });

    // Act
    const result = await verify(input());

    // Assert
    expect(result.verifiedBy).toBe('etag');
  });

  it('streams both objects through SHA-256 when no checksum or ETag is comparable', async () => {
    // Arrange
    source
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k1"', ServerSideEncryption: 'aws:kms' });
    target
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k2"', ServerSideEncryption: 'aws:kms' });
    source.on(GetObjectCommand).callsFake(() => ({ Body: body('hello world') }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: body('hello world') }));

    // Act
    const result = await verify(input());

    // Assert
    expect(result).toMatchObject({ verifiedBy: 'stream:sha256', bytes: 11 });
    expect(source.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      VersionId: 'v-source-1',
    });
    expect(target.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({ VersionId: 'v-replica' });
  });

  it('reads the source as its configured owner, on the HEAD and on a streamed hash', async () => {
    // Arrange
    source
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k1"', ServerSideEncryption: 'aws:kms' });
    target
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k2"', ServerSideEncryption: 'aws:kms' });
    source.on(GetObjectCommand).callsFake(() => ({ Body: body('hello world') }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: body('hello world') }));

    // Act
    await verify(input({ source: { ...SOURCE, account: '111122223333' } }));

    // Assert
    expect(source.commandCalls(HeadObjectCommand)[0]?.args[0].input.ExpectedBucketOwner).toBe('111122223333');
    expect(source.commandCalls(GetObjectCommand)[0]?.args[0].input.ExpectedBucketOwner).toBe('111122223333');
    expect(target.commandCalls(HeadObjectCommand)[0]?.args[0].input).not.toHaveProperty(
      'ExpectedBucketOwner',
    );
  });

  it('throws VerificationFailed when the streamed hashes differ', async () => {
    // Arrange
    source
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k1"', ServerSideEncryption: 'aws:kms' });
    target
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 11, ETag: '"k2"', ServerSideEncryption: 'aws:kms' });
    source.on(GetObjectCommand).callsFake(() => ({ Body: body('hello world') }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: body('hello w0rld') }));

    // Act / Assert
    await expect(verify(input())).rejects.toThrow(/stream:sha256 differs/);
  });

  it('streams when verify is "stream", even with comparable checksums', async () => {
    // Arrange
    const head = {
      ContentLength: 2,
      ETag: '"e"',
      ChecksumCRC64NVME: 'Z',
      ChecksumType: 'FULL_OBJECT' as const,
    };
    source.on(HeadObjectCommand).resolves(head);
    target.on(HeadObjectCommand).resolves(head);
    source.on(GetObjectCommand).callsFake(() => ({ Body: body('hi') }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: body('hi') }));

    // Act
    const result = await verify(input({ settings: { ...SETTINGS, verify: 'stream' } }));

    // Assert
    expect(result.verifiedBy).toBe('stream:sha256');
  });

  it('explains why a forced "etag" cannot apply to an SSE-KMS replica', async () => {
    // Arrange
    source.on(HeadObjectCommand).resolves({ ContentLength: 2, ETag: '"e"', ServerSideEncryption: 'AES256' });
    target.on(HeadObjectCommand).resolves({ ContentLength: 2, ETag: '"k"', ServerSideEncryption: 'aws:kms' });

    // Act
    const verifying = verify(input({ settings: { ...SETTINGS, verify: 'etag' } }));

    // Assert
    await expect(verifying).rejects.toBeInstanceOf(ConfigInvalid);
    await expect(verifying).rejects.toThrow(/SSE-KMS/);
  });

  it('explains why a forced "checksum" cannot apply when the algorithms differ', async () => {
    // Arrange
    source
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 2, ETag: '"e"', ChecksumCRC32: 'a', ChecksumType: 'FULL_OBJECT' });
    target
      .on(HeadObjectCommand)
      .resolves({ ContentLength: 2, ETag: '"e"', ChecksumCRC64NVME: 'b', ChecksumType: 'FULL_OBJECT' });

    // Act / Assert
    await expect(verify(input({ settings: { ...SETTINGS, verify: 'checksum' } }))).rejects.toThrow(
      /algorithms differ/,
    );
  });

  it('fails verification when the replica is no longer the object copied', async () => {
    // Arrange
    source.on(HeadObjectCommand).resolves({ ContentLength: 2, ETag: '"e"' });
    target.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

    // Act / Assert
    await expect(verify(input())).rejects.toBeInstanceOf(VerificationFailed);
  });

  it('uses the recorded source facts when the source vanished after the copy', async () => {
    // Arrange
    source.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    target.on(HeadObjectCommand).resolves({
      ContentLength: SOURCE.size,
      ETag: '"r"',
      ChecksumCRC64NVME: SOURCE.checksum?.value,
      ChecksumType: 'FULL_OBJECT',
    });

    // Act
    const result = await verify(input());

    // Assert
    expect(result).toMatchObject({ verifiedBy: 'checksum:CRC64NVME', bytes: SOURCE.size });
  });

  it('refuses to verify a copy that is not finished', async () => {
    // Arrange
    const copying: CopyResult = {
      status: 'copying',
      bytes: 0,
      uploadId: 'u',
      nextPart: 1,
      destination: { bucket: 'b', key: 'k' },
    };

    // Act / Assert
    await expect(verify(input({ copy: copying }))).rejects.toBeInstanceOf(InvalidInput);
  });
});
