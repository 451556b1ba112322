import { describe, expect, it } from 'vitest';
import { type EvidencePurpose, judgeReplica } from '../../../core/evidence-policy.ts';
import type { ObjectFacts } from '../../../core/object-facts.ts';
import { buildReplicaMetadata, type SourceIdentity } from '../../../core/replica-metadata.ts';

const SOURCE_ID: SourceIdentity = { bucket: 'src', key: 'builds/app.zip', versionId: 'v1', etag: 'e1' };

const source: ObjectFacts = {
  size: 10,
  etag: 'e1',
  versionId: 'v1',
  checksum: { algorithm: 'CRC64NVME', value: 'C1', type: 'FULL_OBJECT' },
  encryption: { type: 'SSE-S3' },
};

const PROVE: EvidencePurpose = { kind: 'prove' };

const { checksum: _checksum, ...withoutChecksum } = source;

function skipCopy(stampOf: SourceIdentity | undefined): EvidencePurpose {
  return {
    kind: 'skip-copy',
    source: SOURCE_ID,
    replicaMetadata: stampOf === undefined ? {} : buildReplicaMetadata(stampOf),
  };
}

describe('judgeReplica', () => {
  it('finds a replica of another size different, whatever else agrees', () => {
    // Arrange
    const replica = { ...source, size: 11 };

    // Act
    const verdict = judgeReplica({ source, replica, verify: 'auto', purpose: skipCopy(SOURCE_ID) });

    // Assert
    expect(verdict).toEqual({ verdict: 'differs', by: 'size', values: ['10 bytes', '11 bytes'] });
  });

  it('proves by a same-kind checksum first, then by comparable ETags', () => {
    // Arrange

    // Act
    const byChecksum = judgeReplica({
      source,
      replica: { ...source, etag: 'other' },
      verify: 'auto',
      purpose: PROVE,
    });
    const byEtag = judgeReplica({ source: withoutChecksum, replica: source, verify: 'auto', purpose: PROVE });

    // Assert
    expect(byChecksum).toEqual({ verdict: 'in-sync', by: 'checksum:CRC64NVME' });
    expect(byEtag).toEqual({ verdict: 'in-sync', by: 'etag' });
  });

  it('names both values when the evidence proves different bytes', () => {
    // Arrange
    const replica: ObjectFacts = {
      ...source,
      checksum: { algorithm: 'CRC64NVME', value: 'C2', type: 'FULL_OBJECT' },
    };

    // Act
    const verdict = judgeReplica({ source, replica, verify: 'auto', purpose: PROVE });

    // Assert
    expect(verdict).toEqual({ verdict: 'differs', by: 'checksum:CRC64NVME', values: ['C1', 'C2'] });
  });

  it('asks for a streamed hash when neither a checksum nor the ETag is comparable', () => {
    // Arrange
    const kms: ObjectFacts = { size: 10, etag: 'k1', encryption: { type: 'aws:kms' } };

    // Act
    const verdict = judgeReplica({
      source: kms,
      replica: { ...kms, etag: 'k2' },
      verify: 'auto',
      purpose: PROVE,
    });

    // Assert
    expect(verdict).toEqual({ verdict: 'stream' });
  });

  it('asks for a streamed hash when verify is "stream", even with comparable checksums', () => {
    // Act
    const verdict = judgeReplica({ source, replica: source, verify: 'stream', purpose: PROVE });

    // Assert
    expect(verdict).toEqual({ verdict: 'stream' });
  });

  it('answers unverifiable, saying why, when a forced mode cannot apply', () => {
    // Arrange
    const kmsReplica: ObjectFacts = { ...withoutChecksum, encryption: { type: 'aws:kms' } };

    // Act
    const etag = judgeReplica({ source, replica: kmsReplica, verify: 'etag', purpose: PROVE });
    const checksum = judgeReplica({ source, replica: kmsReplica, verify: 'checksum', purpose: PROVE });

    // Assert
    expect(etag).toMatchObject({
      verdict: 'unverifiable',
      mode: 'etag',
      why: expect.stringContaining('SSE-KMS'),
    });
    expect(checksum).toMatchObject({
      verdict: 'unverifiable',
      mode: 'checksum',
      why: expect.stringContaining('a checksum is missing'),
    });
  });

  it('lets the relay stamp naming this source version settle a copy, before the bytes evidence', () => {
    // Arrange: ETags that would say "different", and no checksum
    const replica: ObjectFacts = { size: 10, etag: 'other', encryption: { type: 'SSE-S3' } };

    // Act
    const verdict = judgeReplica({ source, replica, verify: 'auto', purpose: skipCopy(SOURCE_ID) });

    // Assert
    expect(verdict).toEqual({ verdict: 'in-sync', by: 'stamp' });
  });

  it('never takes the stamp as proof of the bytes', () => {
    // Arrange
    const kms: ObjectFacts = { size: 10, etag: 'k1', encryption: { type: 'aws:kms' } };

    // Act
    const verdict = judgeReplica({
      source: kms,
      replica: { ...kms, etag: 'k2' },
      verify: 'auto',
      purpose: PROVE,
    });

    // Assert
    expect(verdict).toEqual({ verdict: 'stream' });
  });

  it('ignores a stamp that names another version of the source', () => {
    // Arrange
    const kms: ObjectFacts = { size: 10, etag: 'k1', versionId: 'v1', encryption: { type: 'aws:kms' } };
    const older = skipCopy({ ...SOURCE_ID, versionId: 'v0' });

    // Act
    const verdict = judgeReplica({
      source: kms,
      replica: { ...kms, etag: 'k2' },
      verify: 'auto',
      purpose: older,
    });

    // Assert
    expect(verdict).toEqual({ verdict: 'stream' });
  });
});
