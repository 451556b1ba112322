import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Invocation } from '../../../../local/stepfunctions/invocation.ts';

describe('Invocation', () => {
  it('aborts with its parent while it runs', () => {
    // Arrange
    const parent = new AbortController();
    const invocation = new Invocation('Copy', {}, parent.signal);

    // Act
    parent.abort();

    // Assert
    expect(invocation.signal.aborted).toBe(true);
  });

  it('leaves no listener on the parent signal once it succeeded, failed or was cancelled', () => {
    // Arrange: a long execution runs many invocations under one signal.
    const parent = new AbortController();

    // Act
    for (let i = 0; i < 20; i++) {
      const invocation = new Invocation(`Task${i}`, {}, parent.signal);
      if (i % 3 === 0) invocation.succeed({});
      else if (i % 3 === 1) invocation.fail('States.TaskFailed', 'boom');
      else invocation.cancel();
    }

    // Assert
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });
});
