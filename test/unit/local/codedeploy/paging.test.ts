import { describe, expect, it } from 'vitest';
import { paginate } from '../../../../local/codedeploy/paging.ts';

describe('paginate', () => {
  it('walks every item once, in key order', () => {
    // Arrange
    const items = ['e', 'a', 'd', 'b', 'c'];
    const seen: string[] = [];
    let token: string | undefined;

    // Act
    do {
      const page = paginate(items, (s) => s, token, 2);
      seen.push(...page.items);
      token = page.nextToken;
    } while (token);

    // Assert
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives no token on the last page', () => {
    // Act
    const page = paginate(['a', 'b'], (s) => s, undefined, 2);

    // Assert
    expect(page).toEqual({ items: ['a', 'b'] });
  });

  it('rejects a token that is not one of its own with InvalidNextTokenException', () => {
    // Act
    const run = () => paginate(['a'], (s) => s, Buffer.from('[1]').toString('base64url'), 2);

    // Assert
    expect(run).toThrow(expect.objectContaining({ code: 'InvalidNextTokenException' }));
  });
});
