import { describe, expect, it } from 'vitest';
import type { ObjectFacts } from '../../../core/object-facts.ts';
import {
  compareChecksums,
  compareEtags,
  etagProblem,
  strongestEvidence,
} from '../../../core/verification.ts';

const plain: ObjectFacts = {
  size: 10,
  etag: 'aaa',
  checksum: { algorithm: 'CRC64NVME', value: 'X1', type: 'FULL_OBJECT' },
  encryption: { type: 'SSE-S3' },
};

describe('evidence', () => {
  it('compares full-object checksums of the same algorithm, whatever the encryption', () => {
    // Arrange
    const kms: ObjectFacts = { ...plain, etag: 'bbb', encryption: { type: 'aws:kms' } };

    // Act
    const comparison = compareChecksums(kms, plain);

    // Assert
    expect(comparison).toEqual({ verifiedBy: 'checksum:CRC64NVME', equal: true, values: ['X1', 'X1'] });
  });

  it('does not compare checksums of different algorithms or types', () => {
    // Arrange
    const crc32: ObjectFacts = {
      ...plain,
      checksum: { algorithm: 'CRC32', value: 'Y', type: 'FULL_OBJECT' },
    };
    const composite: ObjectFacts = {
      ...plain,
      checksum: { algorithm: 'CRC64NVME', value: 'X1-2', type: 'COMPOSITE' },
    };

    // Act / Assert
    expect(compareChecksums(plain, crc32)).toBeUndefined();
    expect(compareChecksums(plain, composite)).toBeUndefined();
  });

  it('compares composite checksums only over equal part layouts', () => {
    // Arrange
    const a: ObjectFacts = {
      ...plain,
      partCount: 3,
      checksum: { algorithm: 'SHA256', value: 'S-3', type: 'COMPOSITE' },
    };
    const b: ObjectFacts = { ...a };
    const c: ObjectFacts = {
      ...a,
      partCount: 2,
      checksum: { algorithm: 'SHA256', value: 'S-2', type: 'COMPOSITE' },
    };

    // Act / Assert
    expect(compareChecksums(a, b)?.equal).toBe(true);
    expect(compareChecksums(a, c)).toBeUndefined();
  });

  it('refuses ETags under SSE-KMS and across different part layouts', () => {
    // Arrange
    const kms: ObjectFacts = { ...plain, encryption: { type: 'aws:kms' } };
    const multipart: ObjectFacts = { ...plain, etag: 'ccc-4', partCount: 4 };

    // Act / Assert
    expect(etagProblem(kms, plain)).toContain('SSE-KMS');
    expect(etagProblem(multipart, plain)).toContain('part layouts differ');
    expect(compareEtags(multipart, { ...multipart })).toEqual({
      verifiedBy: 'etag',
      equal: true,
      values: ['ccc-4', 'ccc-4'],
    });
  });

  it('prefers a checksum to the ETag and finds nothing when neither is comparable', () => {
    // Arrange
    const noChecksumKms: ObjectFacts = { size: 10, etag: 'k', encryption: { type: 'aws:kms' } };
    const noChecksum: ObjectFacts = { size: 10, etag: 'aaa', encryption: { type: 'SSE-S3' } };

    // Act / Assert
    expect(strongestEvidence(plain, plain)?.verifiedBy).toBe('checksum:CRC64NVME');
    expect(strongestEvidence(noChecksum, plain)?.verifiedBy).toBe('etag');
    expect(strongestEvidence(noChecksumKms, plain)).toBeUndefined();
  });
});
