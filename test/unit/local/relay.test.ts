import { describe, expect, it } from 'vitest';
import { relayRuleName } from '../../../local/relay.ts';

/** What EventBridge accepts as a rule name. */
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

describe('relayRuleName', () => {
  it('names the rule after the state machine and the bucket when that fits', () => {
    // Arrange / Act
    const name = relayRuleName('artifact-relay', 'build-artifacts-oregon');

    // Assert
    expect(name).toBe('artifact-relay-build-artifacts-oregon');
  });

  it('gives two long bucket names that differ only at their end two different valid rule names', () => {
    // Arrange
    const stem = `build-artifacts-${'x'.repeat(40)}`;

    // Act
    const a = relayRuleName('artifact-relay', `${stem}-a`);
    const b = relayRuleName('artifact-relay', `${stem}-b`);

    // Assert
    expect(a).not.toBe(b);
    expect(a).toMatch(RULE_NAME);
    expect(b).toMatch(RULE_NAME);
    expect(a.startsWith('artifact-relay-build-artifacts-')).toBe(true);
    expect(relayRuleName('artifact-relay', `${stem}-a`)).toBe(a);
  });
});
