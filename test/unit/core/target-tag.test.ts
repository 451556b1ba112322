import { describe, expect, it } from 'vitest';
import { readTargetBucketTag, splitTagValue } from '../../../core/target-tag.ts';

const ENABLED = { enabled: true, allowedBuckets: ['artifacts-*', 'dr-??@eu-*'], tagKey: 'TargetBucket' };

describe('readTargetBucketTag', () => {
  it('splits on any whitespace and ignores empty entries', () => {
    // Arrange / Act / Assert
    expect(splitTagValue('  a-bucket\tb-bucket@eu-west-1\n c-bucket  ')).toEqual([
      'a-bucket',
      'b-bucket@eu-west-1',
      'c-bucket',
    ]);
    expect(splitTagValue('   ')).toEqual([]);
  });

  it('admits allowlisted entries, with the source region when none is given', () => {
    // Arrange / Act
    const entries = readTargetBucketTag(
      'artifacts-one artifacts-two@ap-south-1 dr-01@eu-west-1',
      ENABLED,
      'us-west-2',
    );

    // Assert
    expect(entries.admitted).toEqual([
      { entry: 'artifacts-one', bucket: 'artifacts-one', region: 'us-west-2' },
      { entry: 'artifacts-two@ap-south-1', bucket: 'artifacts-two', region: 'ap-south-1' },
      { entry: 'dr-01@eu-west-1', bucket: 'dr-01', region: 'eu-west-1' },
    ]);
    expect(entries.rejected).toEqual([]);
  });

  it('refuses a bucket nobody approved, and says which allowlist refused it', () => {
    // Arrange / Act
    const entries = readTargetBucketTag(
      'attacker-bucket dr-01@us-east-1 dr-001@eu-west-1',
      ENABLED,
      'us-west-2',
    );

    // Assert
    expect(entries.admitted).toEqual([]);
    expect(entries.rejected.map((r) => [r.entry, r.reason])).toEqual([
      ['attacker-bucket', 'not-allowed'],
      ['dr-01@us-east-1', 'not-allowed'],
      ['dr-001@eu-west-1', 'not-allowed'],
    ]);
    expect(entries.rejected[0]!.message).toContain('artifacts-*, dr-??@eu-*');
  });

  it('refuses malformed entries', () => {
    // Arrange / Act
    const entries = readTargetBucketTag('artifacts-ok@nowhere UPPER-case artifacts-x@', ENABLED, 'us-west-2');

    // Assert
    expect(entries.rejected.map((r) => r.reason)).toEqual(['malformed', 'malformed', 'malformed']);
  });

  it('refuses everything when the tag is disabled or not configured', () => {
    // Arrange / Act
    const disabled = readTargetBucketTag('artifacts-one', { ...ENABLED, enabled: false }, 'us-west-2');
    const absent = readTargetBucketTag('artifacts-one', undefined, 'us-west-2');

    // Assert
    expect(disabled).toEqual({
      admitted: [],
      rejected: [expect.objectContaining({ reason: 'tag-disabled' })],
    });
    expect(absent.rejected.map((r) => r.reason)).toEqual(['tag-disabled']);
  });

  it('admits a repeated entry once', () => {
    // Arrange / Act
    const entries = readTargetBucketTag('artifacts-one artifacts-one@us-west-2', ENABLED, 'us-west-2');

    // Assert
    expect(entries.admitted).toHaveLength(1);
  });
});
