import { describe, expect, it } from 'vitest';
import { compareBuilds, describeNewer, isNewerBuild } from '../../../core/build-order.ts';

const KEY = { bucket: 'build-artifacts-oregon', key: 'build_artifacts/web.zip' };

describe('the order of builds (newest wins)', () => {
  it('orders two versions of one key by their event sequencers, padded to one length', () => {
    // Arrange
    const older = { ...KEY, sequencer: '0062E99A88DC407460', lastModified: '2026-11-24T12:00:05Z' };
    const newer = { ...KEY, sequencer: '62E99A88DC407461', lastModified: '2026-11-24T12:00:01Z' };

    // Act / Assert: the sequencer decides, even against LastModified
    expect(compareBuilds(newer, older)).toEqual({ order: 1, by: 'sequencer' });
    expect(compareBuilds(older, newer)).toEqual({ order: -1, by: 'sequencer' });
  });

  it('orders by LastModified when one side has no sequencer (a replay)', () => {
    // Arrange
    const event = { ...KEY, sequencer: '0062E99A88DC407460', lastModified: '2026-11-24T12:00:05.000Z' };
    const replay = { ...KEY, lastModified: '2026-11-24T12:00:01.000Z' };

    // Act / Assert
    expect(compareBuilds(event, replay)).toEqual({ order: 1, by: 'last-modified' });
    expect(isNewerBuild(replay, event)).toBe(false);
  });

  it('never compares the sequencers of two different keys', () => {
    // Arrange
    const a = { ...KEY, sequencer: 'FF', lastModified: '2026-11-24T12:00:01Z' };
    const b = {
      ...KEY,
      key: 'build_artifacts/api.zip',
      sequencer: '01',
      lastModified: '2026-11-24T12:00:09Z',
    };

    // Act / Assert
    expect(compareBuilds(b, a)).toEqual({ order: 1, by: 'last-modified' });
  });

  it('leaves builds of the same second without comparable sequencers unordered', () => {
    // Arrange
    const a = { ...KEY, lastModified: '2026-11-24T12:00:01.100Z' };
    const b = { ...KEY, lastModified: '2026-11-24T12:00:01.900Z', sequencer: '01' };

    // Act / Assert
    expect(compareBuilds(a, b)).toEqual({ order: 0, by: 'unordered' });
    expect(isNewerBuild(a, b)).toBe(false);
    expect(isNewerBuild(b, a)).toBe(false);
  });

  it('ignores an unreadable sequencer and falls back to LastModified', () => {
    // Arrange
    const a = { ...KEY, sequencer: 'not-hex', lastModified: '2026-11-24T12:00:09Z' };
    const b = { ...KEY, sequencer: '01', lastModified: '2026-11-24T12:00:01Z' };

    // Act / Assert
    expect(compareBuilds(a, b)).toEqual({ order: 1, by: 'last-modified' });
  });

  it('says why a build counts as newer', () => {
    // Arrange
    const newer = { ...KEY, sequencer: '02' };
    const older = { ...KEY, sequencer: '01' };

    // Act / Assert
    expect(describeNewer(newer, older)).toBe('S3 event sequencer 02 > 01');
  });
});
