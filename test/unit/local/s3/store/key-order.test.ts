import { describe, expect, it } from 'vitest';
import { compareKeys } from '../../../../../local/s3/store/key-order.ts';

describe('compareKeys', () => {
  it('orders keys by UTF-8 bytes (code points), not UTF-16 units', () => {
    // Arrange
    const keys = ['\u{1F600}', '\uFF21', 'b', 'a', 'B'];

    // Act
    const sorted = [...keys].sort(compareKeys);

    // Assert
    expect(sorted).toEqual(['B', 'a', 'b', '\uFF21', '\u{1F600}']);
    expect([...sorted].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(sorted);
  });
});
