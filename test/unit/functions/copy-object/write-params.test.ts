import { describe, expect, it } from 'vitest';
import { REPLICA_METADATA_KEYS } from '../../../../core/replica-metadata.ts';
import { copyChecksum, replicaWriteParams } from '../../../../functions/copy-object/write-params.ts';
import { SOURCE, TARGET } from '../fixtures.ts';

describe('copyChecksum', () => {
  it("asks for the source's full-object algorithm so the checksums compare", () => {
    // Arrange
    const crc32 = {
      ...SOURCE,
      checksum: { algorithm: 'CRC32' as const, value: 'x', type: 'FULL_OBJECT' as const },
    };

    // Act / Assert
    expect(copyChecksum(crc32, false, false)).toEqual({ algorithm: 'CRC32', type: 'FULL_OBJECT' });
    expect(copyChecksum(crc32, true, false)).toEqual({ algorithm: 'CRC32', type: 'FULL_OBJECT' });
  });

  it('keeps a composite algorithm only for a multipart copy that reuses the source layout', () => {
    // Arrange
    const composite = {
      ...SOURCE,
      partCount: 3,
      checksum: { algorithm: 'SHA256' as const, value: 'x-3', type: 'COMPOSITE' as const },
    };

    // Act / Assert
    expect(copyChecksum(composite, true, true)).toEqual({ algorithm: 'SHA256', type: 'COMPOSITE' });
    expect(copyChecksum(composite, false, false)).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' });
  });

  it('falls back to CRC64NVME full-object without a usable source checksum', () => {
    // Arrange
    const { checksum: _none, ...bare } = SOURCE;
    const sha1 = {
      ...SOURCE,
      checksum: { algorithm: 'SHA1' as const, value: 'x', type: 'FULL_OBJECT' as const },
    };

    // Act / Assert
    expect(copyChecksum(bare, false, false)).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' });
    expect(copyChecksum(sha1, true, false)).toEqual({ algorithm: 'CRC64NVME', type: 'FULL_OBJECT' });
  });
});

describe('replicaWriteParams', () => {
  it("applies the target's encryption, storage class, ACL and owner, and stamps the metadata", () => {
    // Arrange
    const target = {
      ...TARGET,
      account: '444455556666',
      storageClass: 'STANDARD_IA' as const,
      acl: 'bucket-owner-full-control' as const,
      encryption: { type: 'aws:kms' as const, kmsKeyArn: 'arn:aws:kms:ap-northeast-2:444455556666:key/k' },
    };
    const stored = {
      size: 1,
      etag: 'e',
      metadata: { build: '42' },
      contentType: 'application/zip',
      cacheControl: 'max-age=60',
    };

    // Act
    const params = replicaWriteParams(SOURCE, stored, target, {
      algorithm: 'CRC64NVME',
      type: 'FULL_OBJECT',
    });

    // Assert
    expect(params).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:ap-northeast-2:444455556666:key/k',
      StorageClass: 'STANDARD_IA',
      ACL: 'bucket-owner-full-control',
      ExpectedBucketOwner: '444455556666',
      ContentType: 'application/zip',
      CacheControl: 'max-age=60',
      ChecksumAlgorithm: 'CRC64NVME',
    });
    expect(params.Metadata).toMatchObject({
      build: '42',
      [REPLICA_METADATA_KEYS.source]: 'build-artifacts-oregon/build_artifacts/web.zip',
      [REPLICA_METADATA_KEYS.sourceVersion]: SOURCE.versionId,
      [REPLICA_METADATA_KEYS.sequencer]: SOURCE.sequencer,
    });
  });

  it('writes SSE-S3 as AES256 without a key', () => {
    // Arrange / Act
    const params = replicaWriteParams(SOURCE, { metadata: {} }, TARGET, {
      algorithm: 'CRC32',
      type: 'FULL_OBJECT',
    });

    // Assert
    expect(params.ServerSideEncryption).toBe('AES256');
    expect(params.SSEKMSKeyId).toBeUndefined();
    expect(params.ExpectedBucketOwner).toBeUndefined();
  });
});
