import { describe, expect, it } from 'vitest';
import { causeMessage, describeFailure } from '../../../cli/executions/cause.ts';
import { formatBytes, formatDuration } from '../../../cli/output/format.ts';
import { createStyle, visibleLength } from '../../../cli/output/style.ts';
import { renderTable } from '../../../cli/output/table.ts';

describe('human output', () => {
  it('writes durations at a useful precision', () => {
    // Act / Assert
    expect([42, 1234, 185_000, 3_720_000, 90_000_000].map(formatDuration)).toEqual([
      '42 ms',
      '1.2 s',
      '3m 05s',
      '1h 02m',
      '1d 01h',
    ]);
    expect(formatBytes(262_850)).toBe('256.7 KiB');
  });

  it('aligns table columns by visible width, colours included', () => {
    // Arrange
    const style = createStyle(true);

    // Act
    const table = renderTable(
      ['A', 'B'],
      [
        [style.green('ok'), 'x'],
        ['longer', 'y'],
      ],
    );

    // Assert
    expect(table.split('\n').map(visibleLength)).toEqual([9, 9, 9]);
  });

  it('reads the message out of a Lambda error cause', () => {
    // Act / Assert
    expect(
      causeMessage('{"errorType":"NoSuchTargetBucket","errorMessage":"the bucket is gone","trace":[]}'),
    ).toBe('the bucket is gone');
    expect(causeMessage('plain words')).toBe('plain words');
    expect(describeFailure('States.Timeout', undefined)).toBe('States.Timeout');
    expect(describeFailure('NoSuchTargetBucket', '{"errorMessage":"gone"}')).toBe('NoSuchTargetBucket: gone');
  });
});
