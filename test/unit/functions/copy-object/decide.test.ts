import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../../../../core/object-facts.ts';
import { buildReplicaMetadata } from '../../../../core/replica-metadata.ts';
import { decideCopy } from '../../../../functions/copy-object/decide.ts';
import { SOURCE, SOURCE_CHECKSUM } from '../fixtures.ts';

function stored(overrides: Partial<StoredObject> = {}): StoredObject {
  return { size: SOURCE.size, etag: 'other', encryption: { type: 'SSE-S3' }, metadata: {}, ...overrides };
}

const stamp = (sequencer: string | undefined, versionId = SOURCE.versionId) =>
  buildReplicaMetadata({
    bucket: SOURCE.bucket,
    key: SOURCE.key,
    etag: SOURCE.etag,
    ...(versionId === undefined ? {} : { versionId }),
    ...(sequencer === undefined ? {} : { sequencer }),
  });

describe('decideCopy', () => {
  it('copies when the destination is empty', () => {
    // Arrange / Act / Assert
    expect(decideCopy(SOURCE, undefined, false)).toEqual({ action: 'copy' });
  });

  it('is in-sync when the replica is stamped with this source version', () => {
    // Arrange
    const destination = stored({ metadata: stamp(SOURCE.sequencer) });

    // Act
    const decision = decideCopy(SOURCE, destination, false);

    // Assert
    expect(decision).toMatchObject({
      action: 'skip',
      status: 'in-sync',
      why: expect.stringContaining('stamped'),
    });
  });

  it('is in-sync when a same-algorithm checksum proves the same bytes, even without a stamp', () => {
    // Arrange
    const destination = stored({ checksum: SOURCE_CHECKSUM, encryption: { type: 'aws:kms' } });

    // Act
    const decision = decideCopy(SOURCE, destination, false);

    // Assert
    expect(decision).toMatchObject({
      action: 'skip',
      status: 'in-sync',
      why: expect.stringContaining('checksum:CRC64NVME'),
    });
  });

  it('asks the configured verify mode: under "stream" a matching checksum without a stamp is copied again', () => {
    // Arrange
    const unstamped = stored({ checksum: SOURCE_CHECKSUM });
    const stamped = stored({ checksum: SOURCE_CHECKSUM, metadata: stamp(SOURCE.sequencer) });

    // Act / Assert
    expect(decideCopy(SOURCE, unstamped, false, 'auto')).toMatchObject({ action: 'skip', status: 'in-sync' });
    expect(decideCopy(SOURCE, unstamped, false, 'stream')).toEqual({ action: 'copy' });
    expect(decideCopy(SOURCE, stamped, false, 'stream')).toMatchObject({
      action: 'skip',
      status: 'in-sync',
      why: expect.stringContaining('stamped'),
    });
  });

  it('copies when the sizes differ, or a stamp names another version', () => {
    // Arrange
    const shorter = stored({ size: SOURCE.size - 1, metadata: stamp(SOURCE.sequencer) });
    const older = stored({ metadata: stamp('0062E99A88DC407400', 'v-older') });

    // Act / Assert
    expect(decideCopy(SOURCE, shorter, false)).toEqual({ action: 'copy' });
    expect(decideCopy(SOURCE, older, false)).toEqual({ action: 'copy' });
  });

  it('is superseded by a replica from a newer sequencer, even on a re-copy', () => {
    // Arrange
    const newer = stored({ metadata: stamp('0062E99A88DC407461', 'v-newer') });

    // Act / Assert
    expect(decideCopy(SOURCE, newer, false)).toMatchObject({ action: 'skip', status: 'superseded' });
    expect(decideCopy(SOURCE, newer, true)).toMatchObject({ action: 'skip', status: 'superseded' });
  });

  it('orders sequencers of different lengths by zero-padding them', () => {
    // Arrange: "62E99A88DC407461" is newer than "0062E99A88DC407460" once padded
    const newer = stored({ metadata: stamp('62E99A88DC407461', 'v-newer') });

    // Act / Assert
    expect(decideCopy(SOURCE, newer, false)).toMatchObject({ status: 'superseded' });
  });

  it('skips the in-sync shortcut on a re-copy', () => {
    // Arrange
    const same = stored({ checksum: SOURCE_CHECKSUM, metadata: stamp(SOURCE.sequencer) });

    // Act / Assert
    expect(decideCopy(SOURCE, same, true)).toEqual({ action: 'copy' });
  });

  it('is superseded, on a replay without a sequencer, by a replica of a build modified later', () => {
    // Arrange
    const { sequencer: _none, ...replayed } = SOURCE;
    const source = { ...replayed, lastModified: '2026-11-24T12:00:01.000Z' };
    const newer = stored({
      metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-newer',
        sequencer: '0062E99A88DC407461',
        lastModified: '2026-11-24T12:00:07.000Z',
      }),
    });
    const older = stored({
      metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-older',
        lastModified: '2026-11-24T11:59:00.000Z',
      }),
    });

    // Act / Assert
    expect(decideCopy(source, newer, false)).toMatchObject({
      status: 'superseded',
      why: expect.stringContaining('LastModified'),
    });
    expect(decideCopy(source, older, false)).toEqual({ action: 'copy' });
  });
});
