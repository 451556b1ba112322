import { describe, expect, it } from 'vitest';
import { CopyTooLarge } from '../../../../core/errors.ts';
import { GIB, MAX_PARTS } from '../../../../core/s3-limits.ts';
import { parseContentRange, planParts, uniformRange } from '../../../../functions/copy-object/part-plan.ts';
import { MIB, SOURCE } from '../fixtures.ts';

describe('planParts', () => {
  it("reuses a multipart source's own part layout", () => {
    // Arrange
    const source = { ...SOURCE, size: 40 * MIB, partCount: 5 };

    // Act / Assert
    expect(planParts(source, 8 * MIB)).toEqual({ layout: 'source', count: 5 });
  });

  it('cuts a single-part source into parts of the configured size, the last one shorter', () => {
    // Arrange
    const source = { ...SOURCE, size: 20 * MIB };

    // Act
    const plan = planParts(source, 8 * MIB);

    // Assert
    expect(plan).toEqual({ layout: 'uniform', count: 3, partSize: 8 * MIB, size: 20 * MIB });
    if (plan.layout !== 'uniform') throw new Error('uniform expected');
    expect(uniformRange(plan, 1)).toEqual({ start: 0, end: 8 * MIB - 1 });
    expect(uniformRange(plan, 3)).toEqual({ start: 16 * MIB, end: 20 * MIB - 1 });
  });

  it('enlarges the parts to stay within 10,000 parts', () => {
    // Arrange
    const source = { ...SOURCE, size: 100 * GIB };

    // Act
    const plan = planParts(source, 5 * MIB);

    // Assert
    expect(plan.count).toBeLessThanOrEqual(MAX_PARTS);
    expect(plan.layout === 'uniform' && plan.partSize % MIB).toBe(0);
  });

  it('refuses an object over 5 TiB', () => {
    // Arrange
    const source = { ...SOURCE, size: 5 * 1024 * GIB + 1 };

    // Act / Assert
    expect(() => planParts(source, 64 * MIB)).toThrow(CopyTooLarge);
  });

  it('reads a Content-Range header', () => {
    // Arrange / Act / Assert
    expect(parseContentRange('bytes 8388608-16777215/41943040')).toEqual({ start: 8388608, end: 16777215 });
    expect(parseContentRange(undefined)).toBeUndefined();
    expect(parseContentRange('items 1-2/3')).toBeUndefined();
  });
});
