import { describe, expect, it } from 'vitest';
import { globAdmits, isBucketGlob } from '../../../core/glob.ts';

describe('bucket globs', () => {
  it.each<[string, string, string, boolean]>([
    ['artifacts-*', 'artifacts-seoul', 'ap-northeast-2', true],
    ['artifacts-*', 'artifacts-', 'ap-northeast-2', true],
    ['artifacts-*', 'my-artifacts-seoul', 'ap-northeast-2', false],
    ['artifacts-??', 'artifacts-eu', 'eu-west-1', true],
    ['artifacts-??', 'artifacts-eu1', 'eu-west-1', false],
    ['a.b', 'a.b', 'eu-west-1', true],
    ['a.b', 'axb', 'eu-west-1', false],
    ['dr-*@eu-*', 'dr-one', 'eu-west-1', true],
    ['dr-*@eu-*', 'dr-one', 'us-east-1', false],
    ['exact-bucket', 'exact-bucket', 'us-east-1', true],
    ['exact-bucket', 'exact-bucket-2', 'us-east-1', false],
  ])('%s admits %s in %s: %s', (glob, bucket, region, expected) => {
    // Arrange / Act
    const admitted = globAdmits(glob, bucket, region);

    // Assert
    expect(admitted).toBe(expected);
  });

  it('accepts bucket characters and wildcards, refuses anything else', () => {
    // Arrange / Act / Assert
    expect(isBucketGlob('artifacts-*')).toBe(true);
    expect(isBucketGlob('dr-??@eu-*')).toBe(true);
    expect(isBucketGlob('Artifacts')).toBe(false);
    expect(isBucketGlob('a/b')).toBe(false);
    expect(isBucketGlob('a@b@c')).toBe(false);
    expect(isBucketGlob('')).toBe(false);
  });
});
