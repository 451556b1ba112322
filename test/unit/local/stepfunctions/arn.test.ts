import { describe, expect, it } from 'vitest';
import {
  executionArn,
  isValidName,
  parseExecutionArn,
  parseStateMachineArn,
  stateMachineArn,
} from '../../../../local/stepfunctions/arn.ts';

describe('names', () => {
  it('accepts 1 to 80 characters of letters, digits, dashes, underscores and dots', () => {
    // Arrange
    const names = ['a', 'relay-2024_01.zip', 'x'.repeat(80), 'ünïcödé'];

    // Act
    const valid = names.map(isValidName);

    // Assert
    expect(valid).toEqual([true, true, true, true]);
  });

  it('rejects empty, too long, white space, brackets, wildcards, special and control characters', () => {
    // Arrange
    const names = ['', 'x'.repeat(81), 'a b', 'a<b', 'a{b', 'a[b', 'a?b', 'a*b', 'a"b', 'a#b', 'a%b', 'a\\b'];
    const more = [
      'a^b',
      'a|b',
      'a~b',
      'a`b',
      'a$b',
      'a&b',
      'a,b',
      'a;b',
      'a:b',
      'a/b',
      'a\u0001b',
      'a\u007fb',
    ];

    // Act
    const valid = [...names, ...more].map(isValidName);

    // Assert
    expect(valid.every((v) => v === false)).toBe(true);
  });
});

describe('ARNs', () => {
  it('builds and parses state machine and execution ARNs', () => {
    // Arrange
    const sm = stateMachineArn('eu-central-1', '111122223333', 'relay');
    const ex = executionArn('eu-central-1', '111122223333', 'relay', 'run-1');

    // Act
    const smParts = parseStateMachineArn(sm);
    const exParts = parseExecutionArn(ex);

    // Assert
    expect(sm).toBe('arn:aws:states:eu-central-1:111122223333:stateMachine:relay');
    expect(ex).toBe('arn:aws:states:eu-central-1:111122223333:execution:relay:run-1');
    expect(smParts).toEqual({ region: 'eu-central-1', accountId: '111122223333', name: 'relay' });
    expect(exParts).toEqual({
      region: 'eu-central-1',
      accountId: '111122223333',
      stateMachineName: 'relay',
      name: 'run-1',
    });
  });

  it('does not mistake one kind of ARN (or garbage) for the other', () => {
    // Arrange
    const ex = executionArn('us-east-1', '000000000000', 'relay', 'run');

    // Act
    const parsed = [
      parseStateMachineArn(ex),
      parseExecutionArn('relay'),
      parseStateMachineArn('arn:aws:s3:::b'),
    ];

    // Assert
    expect(parsed).toEqual([undefined, undefined, undefined]);
  });
});
