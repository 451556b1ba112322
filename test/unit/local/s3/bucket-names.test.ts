import { describe, expect, it } from 'vitest';
import { isValidBucketName } from '../../../../local/s3/bucket-names.ts';

describe('isValidBucketName', () => {
  it.each(['abc', 'build-artifacts-oregon', 'my.bucket.name', 'a1b', '0-9', 'x'.repeat(63)])(
    'accepts %s',
    (name) => {
      // Arrange
      const input = name;

      // Act
      const valid = isValidBucketName(input);

      // Assert
      expect(valid).toBe(true);
    },
  );

  it.each([
    'ab',
    'x'.repeat(64),
    'Upper',
    'under_score',
    '-leading',
    'trailing.',
    'two..dots',
    'dot.-dash',
    '10.0.0.1',
    'xn--abc',
    'sthree-bucket',
    'amzn-s3-demo-bucket',
    'bucket-s3alias',
    'bucket--ol-s3',
    'bucket.mrap',
    'bucket--x-s3',
    'space here',
  ])('rejects %s', (name) => {
    // Arrange
    const input = name;

    // Act
    const valid = isValidBucketName(input);

    // Assert
    expect(valid).toBe(false);
  });
});
