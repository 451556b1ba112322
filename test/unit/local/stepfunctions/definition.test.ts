import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../../../local/stepfunctions/definition.ts';

const VALID = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
const INVALID = JSON.stringify({ StartAt: 'Missing', States: { Done: { Type: 'Pass', End: true } } });

describe('parseDefinition', () => {
  it('hands out a fresh document each time, even for a definition it has validated before', () => {
    // Arrange
    const first = parseDefinition(VALID);

    // Act
    (first.States.Done as Record<string, unknown>).Comment = 'changed by a caller';
    const second = parseDefinition(VALID);

    // Assert
    expect(second).not.toBe(first);
    expect(second.States.Done).toEqual({ Type: 'Pass', End: true });
  });

  it('rejects an invalid definition every time it is given', () => {
    // Arrange / Act / Assert
    expect(() => parseDefinition(INVALID)).toThrow(/Missing|StartAt/);
    expect(() => parseDefinition(INVALID)).toThrow(/Missing|StartAt/);
  });
});
