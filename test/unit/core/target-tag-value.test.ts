import { describe, expect, it } from 'vitest';
import { targetTagValue } from '../../../core/target-tag.ts';

describe('targetTagValue', () => {
  it('picks the value of the configured tag key from a bucket tag set', () => {
    // Arrange
    const tagSet = [
      { Key: 'team', Value: 'web' },
      { Key: 'TargetBucket', Value: 'artifacts-seoul@ap-northeast-2' },
    ];

    // Act / Assert
    expect(targetTagValue(tagSet, 'TargetBucket')).toBe('artifacts-seoul@ap-northeast-2');
  });

  it('is undefined when the bucket has no such tag, or no tag set', () => {
    // Act / Assert
    expect(targetTagValue([{ Key: 'team', Value: 'web' }], 'TargetBucket')).toBeUndefined();
    expect(targetTagValue(undefined, 'TargetBucket')).toBeUndefined();
  });
});
