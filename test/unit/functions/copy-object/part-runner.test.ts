import { describe, expect, it } from 'vitest';
import { AccessDenied, TransientAwsError } from '../../../../core/errors.ts';
import { runParts } from '../../../../functions/copy-object/part-runner.ts';

describe('runParts', () => {
  it('copies every part when time allows', async () => {
    // Arrange
    const copied: number[] = [];

    // Act
    const result = await runParts({
      parts: [1, 2, 3, 4],
      concurrency: 2,
      expired: () => false,
      copy: async (n) => {
        copied.push(n);
        return n * 10;
      },
    });

    // Assert
    expect([...result.done.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
    ]);
    expect(result.error).toBeUndefined();
    expect(copied.sort()).toEqual([1, 2, 3, 4]);
  });

  it('always copies at least one part, even with the budget already spent', async () => {
    // Arrange / Act
    const result = await runParts({
      parts: [3, 4, 5],
      concurrency: 4,
      expired: () => true,
      copy: async () => 1,
    });

    // Assert
    expect([...result.done.keys()]).toEqual([3]);
  });

  it('starts no part after a failure, and reports a permanent failure over a transient one', async () => {
    // Arrange
    const started: number[] = [];

    // Act
    const result = await runParts({
      parts: [1, 2, 3, 4, 5],
      concurrency: 2,
      expired: () => false,
      copy: async (n) => {
        started.push(n);
        if (n === 1) throw new TransientAwsError('slow down');
        if (n === 2) throw new AccessDenied('denied');
        return 1;
      },
    });

    // Assert
    expect(started).toEqual([1, 2]);
    expect(result.error).toBeInstanceOf(AccessDenied);
    expect(result.done.size).toBe(0);
  });
});
