import { describe, expect, it } from 'vitest';
import { StateFailure } from '../../../../local/stepfunctions/errors.ts';
import {
  applyResultSelector,
  evaluatePath,
  isIndefinitePath,
  ownsResultSelector,
} from '../../../../local/stepfunctions/result-selector.ts';

const RESULTS = [
  { index: 0, status: 'copied' },
  { index: 1, status: 'failed' },
  { index: 2, status: 'copied' },
];
const FAILED = "$[?(@.status == 'failed')]";

describe('a Map ResultSelector applied by the local engine', () => {
  it('answers an empty list for a filter that matches nothing, as Step Functions does', () => {
    // Arrange
    const allCopied = RESULTS.filter((result) => result.status === 'copied');

    // Act
    const selected = applyResultSelector({ 'failed.$': FAILED }, allCopied, {});

    // Assert
    expect(selected).toEqual({ failed: [] });
  });

  it('answers a list of one for a filter that matches one element, not the bare element', () => {
    // Arrange / Act
    const selected = applyResultSelector({ 'results.$': '$', 'failed.$': FAILED }, RESULTS, {});

    // Assert
    expect(selected).toEqual({ results: RESULTS, failed: [{ index: 1, status: 'failed' }] });
  });

  it('keeps constants, nests templates and reads the context object with $$', () => {
    // Arrange
    const template = { kind: 'relay', nested: { 'first.$': '$[0].status' }, 'id.$': '$$.Execution.Id' };

    // Act
    const selected = applyResultSelector(template, RESULTS, { Execution: { Id: 'arn:execution' } });

    // Assert
    expect(selected).toEqual({ kind: 'relay', nested: { first: 'copied' }, id: 'arn:execution' });
  });

  it('fails the state with States.Runtime when a definite path selects nothing', () => {
    // Arrange / Act
    const evaluate = () => evaluatePath('$[7].status', RESULTS);

    // Assert
    expect(evaluate).toThrow(StateFailure);
    expect(evaluate).toThrow(/could not be found/);
  });

  it('tells definite paths from indefinite ones', () => {
    // Arrange
    const paths = ['$.a.b', '$[0]', FAILED, '$.a[*].b', '$..b', '$.a[1:2]', "$['a','b']"];

    // Act
    const indefinite = paths.map(isIndefinitePath);

    // Assert
    expect(indefinite).toEqual([false, false, true, true, true, true, true]);
  });

  it('leaves a template holding an intrinsic function to the library', () => {
    // Arrange / Act / Assert
    expect(ownsResultSelector({ 'n.$': 'States.ArrayLength($)' })).toBe(false);
    expect(ownsResultSelector({ 'all.$': '$', 'failed.$': FAILED })).toBe(true);
    expect(ownsResultSelector(undefined)).toBe(false);
  });
});
