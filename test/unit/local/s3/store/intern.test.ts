import { describe, expect, it } from 'vitest';
import { InternTable, StringTable } from '../../../../../local/s3/store/intern.ts';

describe('InternTable', () => {
  it('hands back the first value kept for a key instead of a new one', () => {
    // Arrange
    const table = new InternTable<string, { readonly algorithm: string }>(10);
    const first = { algorithm: 'AES256' };
    table.share('AES256', () => first);

    // Act
    const second = table.share('AES256', () => ({ algorithm: 'AES256' }));

    // Assert
    expect(second).toBe(first);
    expect(table.size).toBe(1);
  });

  it('starts over when full instead of growing, still answering with the value it was given', () => {
    // Arrange
    const table = new InternTable<number, string>(2);
    table.share(1, () => 'one');
    table.share(2, () => 'two');

    // Act
    const third = table.share(3, () => 'three');

    // Assert
    expect(third).toBe('three');
    expect(table.size).toBe(1);
    expect(table.share(1, () => 'one again')).toBe('one again');
  });

  it('refuses a table that could hold nothing', () => {
    // Act / Assert
    expect(() => new InternTable<string, string>(0)).toThrow(RangeError);
  });
});

describe('StringTable', () => {
  it('keeps one string per distinct value', () => {
    // Arrange
    const table = new StringTable(10);

    // Act
    const values = ['STANDARD', `STAND${'ARD'}`, 'GLACIER', `GLAC${'IER'}`].map((v) => table.intern(v));

    // Assert
    expect(values).toEqual(['STANDARD', 'STANDARD', 'GLACIER', 'GLACIER']);
    expect(table.size).toBe(2);
  });
});
