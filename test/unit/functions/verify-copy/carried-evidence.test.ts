/** Verify with the source facts ResolveTargets carried and what Copy reported about the replica. */
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { VerificationFailed } from '../../../../core/errors.ts';
import type { CopyResult, SourceObject, TaskInput } from '../../../../core/workflow.ts';
import { createVerifyCopyHandler } from '../../../../functions/verify-copy/index.ts';
import { regionalS3Clients, SETTINGS, SOURCE, SOURCE_CHECKSUM, TARGET, taskInput } from '../fixtures.ts';

const CARRIED: SourceObject = { ...SOURCE, content: { metadata: {} } };

const DESTINATION = { bucket: TARGET.bucket, key: SOURCE.key, versionId: 'v-replica', etag: 'replica-etag' };

/** A CopyObject result with what its answer reported: the source's CRC64NVME, SSE-S3. */
const COPIED: CopyResult = {
  status: 'copied',
  bytes: SOURCE.size,
  destination: DESTINATION,
  replicaFacts: { checksum: SOURCE_CHECKSUM, encryption: { type: 'SSE-S3' } },
};

/** A Copy result from before Copy carried what S3 reported about the replica. */
const OLDER_COPIED: CopyResult = { status: 'copied', bytes: SOURCE.size, destination: DESTINATION };

const REPLICA_HEAD = {
  ContentLength: SOURCE.size,
  ETag: '"replica-etag"',
  ServerSideEncryption: 'AES256',
  ChecksumCRC64NVME: SOURCE_CHECKSUM.value,
  ChecksumType: 'FULL_OBJECT',
} as const;

function body(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

describe('Verify with carried facts', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  const verify = createVerifyCopyHandler({ s3ClientFor });

  beforeEach(() => {
    source.reset();
    target.reset();
    source.on(HeadObjectCommand).resolves({
      ContentLength: SOURCE.size,
      ETag: `"${SOURCE.etag}"`,
      ChecksumCRC64NVME: SOURCE_CHECKSUM.value,
      ChecksumType: 'FULL_OBJECT',
    });
    target.on(HeadObjectCommand).resolves(REPLICA_HEAD);
  });

  function input(overrides: Partial<TaskInput> = {}): TaskInput {
    return taskInput({ source: CARRIED, copy: COPIED, ...overrides });
  }

  it('verifies by the checksum the copy answer reported, without reading the source or the replica', async () => {
    // Act
    const result = await verify(input());

    // Assert
    expect(result).toMatchObject({ verifiedBy: 'checksum:CRC64NVME', bytes: SOURCE.size });
    expect(source.calls()).toHaveLength(0);
    expect(target.calls()).toHaveLength(0);
  });

  it('verifies an in-sync replica by the destination HEAD Copy already made', async () => {
    // Arrange
    const inSync: CopyResult = {
      status: 'in-sync',
      bytes: SOURCE.size,
      destination: DESTINATION,
      replicaFacts: { size: SOURCE.size, checksum: SOURCE_CHECKSUM, encryption: { type: 'SSE-S3' } },
    };

    // Act
    const result = await verify(input({ copy: inSync }));

    // Assert
    expect(result.verifiedBy).toBe('checksum:CRC64NVME');
    expect(target.calls()).toHaveLength(0);
  });

  it('reads the replica when the reported checksum differs, and fails only on what the replica shows', async () => {
    // Arrange
    const differing: CopyResult = {
      ...COPIED,
      replicaFacts: { checksum: { ...SOURCE_CHECKSUM, value: 'BBBBBBBBBBB=' } },
    } as CopyResult;
    target.on(HeadObjectCommand).resolves({ ...REPLICA_HEAD, ChecksumCRC64NVME: 'BBBBBBBBBBB=' });

    // Act
    const verifying = verify(input({ copy: differing }));

    // Assert
    await expect(verifying).rejects.toBeInstanceOf(VerificationFailed);
    expect(target.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({
      VersionId: 'v-replica',
      ChecksumMode: 'ENABLED',
    });
    expect(source.calls()).toHaveLength(0);
  });

  it('reads the replica when the copy answer reported no comparable evidence', async () => {
    // Arrange
    const bare: CopyResult = { ...COPIED, replicaFacts: {} } as CopyResult;

    // Act
    const result = await verify(input({ copy: bare }));

    // Assert
    expect(result.verifiedBy).toBe('checksum:CRC64NVME');
    expect(target.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(source.calls()).toHaveLength(0);
  });

  it('reads only the replica for a Copy result that carries no replica facts', async () => {
    // Arrange

    // Act
    const result = await verify(input({ copy: OLDER_COPIED }));

    // Assert
    expect(result.verifiedBy).toBe('checksum:CRC64NVME');
    expect(target.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(source.calls()).toHaveLength(0);
  });

  it('reads both sides, as before, for an execution started before ResolveTargets carried the source facts', async () => {
    // Arrange

    // Act
    const result = await verify(taskInput({ source: SOURCE, copy: OLDER_COPIED }));

    // Assert
    expect(result.verifiedBy).toBe('checksum:CRC64NVME');
    expect(source.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({
      VersionId: SOURCE.versionId,
      ChecksumMode: 'ENABLED',
    });
    expect(target.commandCalls(HeadObjectCommand)).toHaveLength(1);
  });

  it('reads the source again for an older execution even when the copy reported the replica', async () => {
    // Act
    const result = await verify(taskInput({ source: SOURCE, copy: COPIED }));

    // Assert
    expect(result.verifiedBy).toBe('checksum:CRC64NVME');
    expect(source.commandCalls(HeadObjectCommand)).toHaveLength(1);
    expect(target.calls()).toHaveLength(0);
  });

  it('still streams both objects when verify is "stream"', async () => {
    // Arrange
    source.on(GetObjectCommand).callsFake(() => ({ Body: body('same bytes') }));
    target.on(GetObjectCommand).callsFake(() => ({ Body: body('same bytes') }));

    // Act
    const result = await verify(input({ settings: { ...SETTINGS, verify: 'stream' } }));

    // Assert
    expect(result.verifiedBy).toBe('stream:sha256');
    expect(source.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(target.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(source.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });
});
