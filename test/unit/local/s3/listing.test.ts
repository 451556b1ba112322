import { describe, expect, it } from 'vitest';
import { encodeKey, maxParam, paginate } from '../../../../local/s3/listing.ts';

const entries = ['a/1', 'a/2', 'b', 'c/x/1', 'd'].map((key) => ({ key }));

describe('paginate', () => {
  it('groups keys at the delimiter and counts prefixes toward the page size', async () => {
    // Arrange
    const options = { prefix: '', delimiter: '/', max: 3 };

    // Act
    const page = await paginate(entries, options);

    // Assert
    expect(page.prefixes).toEqual(['a/', 'c/']);
    expect(page.entries.map((e) => e.key)).toEqual(['b']);
    expect(page.truncated).toBe(true);
    expect(page.last?.key).toBe('c/');
  });

  it('skips common prefixes at or before the marker', async () => {
    // Arrange
    const after = entries.filter((e) => e.key > 'a/');

    // Act
    const page = await paginate(after, { prefix: '', delimiter: '/', max: 10, marker: 'a/' });

    // Assert
    expect(page.prefixes).toEqual(['c/']);
    expect(page.entries.map((e) => e.key)).toEqual(['b', 'd']);
    expect(page.truncated).toBe(false);
  });

  it('filters by prefix and rolls up only below it', async () => {
    // Arrange
    const options = { prefix: 'c/', delimiter: '/', max: 10 };

    // Act
    const page = await paginate(entries, options);

    // Assert
    expect(page.prefixes).toEqual(['c/x/']);
    expect(page.entries).toEqual([]);
  });

  it('returns an empty, untruncated page for max 0', async () => {
    // Arrange
    const options = { prefix: '', max: 0 };

    // Act
    const page = await paginate(entries, options);

    // Assert
    expect(page.entries).toEqual([]);
    expect(page.truncated).toBe(false);
  });
});

describe('maxParam', () => {
  it('defaults to and caps at 1,000', () => {
    // Arrange
    const none = new URLSearchParams('');
    const big = new URLSearchParams('max-keys=5000');

    // Act
    const values = [maxParam(none, 'max-keys'), maxParam(big, 'max-keys')];

    // Assert
    expect(values).toEqual([1000, 1000]);
  });

  it('rejects a non-integer', () => {
    // Arrange
    const query = new URLSearchParams('max-keys=ten');

    // Act
    const call = () => maxParam(query, 'max-keys');

    // Assert
    expect(call).toThrow(/max-keys/);
  });
});

describe('encodeKey', () => {
  it('URL-encodes with + for spaces and keeps slashes when asked to', () => {
    // Arrange
    const key = 'dir/a b+c&d.txt';

    // Act
    const encoded = encodeKey(key, true);
    const untouched = encodeKey(key, false);

    // Assert
    expect(encoded).toBe('dir/a+b%2Bc%26d.txt');
    expect(untouched).toBe(key);
  });
});
