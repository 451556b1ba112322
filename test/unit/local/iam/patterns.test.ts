import { describe, expect, it } from 'vitest';
import { matchesArn, matchesString } from '../../../../local/iam/patterns.ts';

const context = (values: Record<string, string>) =>
  new Map(Object.entries(values).map(([key, value]) => [key.toLowerCase(), [value]]));

describe('IAM pattern matching', () => {
  it('substitutes a policy variable from each request context, even for a pattern matched before', () => {
    // Arrange
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
    const pattern = 'arn:aws:s3:::bucket/home/${aws:username}/*';
    const alice = { variables: true, context: context({ 'aws:username': 'alice' }) };
    const bob = { variables: true, context: context({ 'aws:username': 'bob' }) };

    // Act
    const first = matchesArn(pattern, 'arn:aws:s3:::bucket/home/alice/a.zip', alice);
    const second = matchesArn(pattern, 'arn:aws:s3:::bucket/home/alice/a.zip', bob);

    // Assert
    expect(first).toBe(true);
    expect(second).toBe(false);
  });

  it('keeps `*` and `?` literal when wildcards are off, for a pattern first matched with them on', () => {
    // Arrange
    const options = { variables: false, context: new Map() };

    // Act
    const like = matchesString('app-?.zip', 'app-1.zip', { ...options, wildcards: true });
    const equals = matchesString('app-?.zip', 'app-1.zip', { ...options, wildcards: false });

    // Assert
    expect(like).toBe(true);
    expect(equals).toBe(false);
  });

  it('matches case-insensitively only when asked, for the same pattern', () => {
    // Arrange
    const options = { wildcards: true, variables: false, context: new Map() };

    // Act
    const action = matchesString('s3:Get*', 's3:getobject', options, true);
    const value = matchesString('s3:Get*', 's3:getobject', options, false);

    // Assert
    expect(action).toBe(true);
    expect(value).toBe(false);
  });

  it('lets a trailing `*` of a shorter ARN pattern run across the colons that follow', () => {
    // Arrange
    const options = { variables: false, context: new Map() };

    // Act
    const across = matchesArn('arn:aws:states:*', 'arn:aws:states:us-east-1:1:execution:m:n', options);
    const notAcross = matchesArn('arn:aws:states:us-*', 'arn:aws:states:eu-west-1:1:stateMachine:m', options);

    // Assert
    expect(across).toBe(true);
    expect(notAcross).toBe(false);
  });
});
