import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../../local/s3/errors.ts';
import { parseCopySourceRange, parseRange } from '../../../../local/s3/range.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof S3Error ? err.code : 'not-an-S3Error';
  }
  return undefined;
}

describe('parseRange', () => {
  it.each([
    ['bytes=0-9', { start: 0, end: 9 }],
    ['bytes=90-', { start: 90, end: 99 }],
    ['bytes=-10', { start: 90, end: 99 }],
    ['bytes=-500', { start: 0, end: 99 }],
    ['bytes=50-5000', { start: 50, end: 99 }],
  ])('reads %s of a 100-byte object as %j', (header, expected) => {
    // Arrange
    const size = 100;

    // Act
    const range = parseRange(header, size);

    // Assert
    expect(range).toEqual(expected);
  });

  it.each(['items=0-9', 'bytes=9-0', 'bytes=0-1,5-6', 'bytes=-', 'garbage'])(
    'ignores %s (whole object)',
    (header) => {
      // Arrange
      const size = 100;

      // Act
      const range = parseRange(header, size);

      // Assert
      expect(range).toBeUndefined();
    },
  );

  it.each([
    ['bytes=100-', 100],
    ['bytes=-0', 100],
    ['bytes=0-', 0],
  ])('answers the unsatisfiable %s (size %i) with InvalidRange', (header, size) => {
    // Arrange
    const call = () => parseRange(header, size);

    // Act
    const code = codeOf(call);

    // Assert
    expect(code).toBe('InvalidRange');
  });
});

describe('parseCopySourceRange', () => {
  it('reads bytes=first-last inside the source', () => {
    // Arrange
    const header = 'bytes=5-9';

    // Act
    const range = parseCopySourceRange(header, 10);

    // Assert
    expect(range).toEqual({ start: 5, end: 9 });
  });

  it.each(['bytes=5-10', 'bytes=5-', 'bytes=-5', 'bytes=7-3'])(
    'rejects %s for a 10-byte source',
    (header) => {
      // Arrange
      const call = () => parseCopySourceRange(header, 10);

      // Act
      const code = codeOf(call);

      // Assert
      expect(code).toBe('InvalidArgument');
    },
  );
});
