import { describe, expect, it } from 'vitest';
import { buildEventPattern, escapeWildcard, type KeyFilter } from '../../../core/event-pattern.ts';
import { ruleMatchesKey } from '../../../core/routing.ts';
import { matchesEventPattern, parseEventPattern } from '../../../local/eventbridge/pattern.ts';
import { loadEventFixture, randomString, seededRandom } from './load-fixture.ts';

/** An independent reading of the EventBridge key filters this module emits (prefix, suffix, escaped wildcard). */
function filterAdmits(filter: KeyFilter, key: string): boolean {
  if ('prefix' in filter) return key.startsWith(filter.prefix);
  if ('suffix' in filter) return key.endsWith(filter.suffix);
  const pattern = filter.wildcard;
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new Error(`invalid escape in ${pattern}`);
      regex += next === '*' ? '\\*' : '\\\\';
      i++;
    } else if (char === '*') {
      if (pattern[i + 1] === '*') throw new Error(`consecutive wildcards in ${pattern}`);
      regex += '[\\s\\S]*';
    } else regex += char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`).test(key);
}

const SOURCE = { bucket: 'build-artifacts-oregon' };

describe('buildEventPattern', () => {
  it('builds the Object Created pattern with one wildcard for a prefix and a suffix', () => {
    // Arrange
    const rules = [{ name: 'web-bundles', prefix: 'build_artifacts/', suffix: '.zip', targets: [] }];

    // Act
    const pattern = buildEventPattern({ ...SOURCE, rules });

    // Assert
    expect(pattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: ['build-artifacts-oregon'] },
        object: { key: [{ wildcard: 'build_artifacts/*.zip' }] },
      },
    });
  });

  it('uses plain prefix and suffix filters when a rule has only one of them, one entry per rule', () => {
    // Arrange
    const rules = [
      { name: 'a', prefix: 'releases/', targets: [] },
      { name: 'b', suffix: '.tgz', targets: [] },
      { name: 'c', prefix: 'releases/', targets: [] },
    ];

    // Act
    const pattern = buildEventPattern({ ...SOURCE, rules });

    // Assert
    expect(pattern.detail).toEqual({
      bucket: { name: ['build-artifacts-oregon'] },
      object: { key: [{ prefix: 'releases/' }, { suffix: '.tgz' }] },
    });
  });

  it('leaves the key unfiltered when a rule matches every key', () => {
    // Arrange
    const rules = [
      { name: 'zips', suffix: '.zip', targets: [] },
      { name: 'everything', targets: [] },
    ];

    // Act
    const pattern = buildEventPattern({ ...SOURCE, rules });

    // Assert
    expect(pattern.detail).toEqual({ bucket: { name: ['build-artifacts-oregon'] } });
    expect(JSON.stringify(pattern)).not.toContain('"object"');
  });

  it('escapes * and \\ inside a wildcard so they match literally', () => {
    // Arrange
    const rules = [{ name: 'odd', prefix: 'a*b\\', suffix: '*.zip', targets: [] }];

    // Act
    const pattern = buildEventPattern({ ...SOURCE, rules });

    // Assert
    expect(pattern.detail.object?.key).toEqual([{ wildcard: 'a\\*b\\\\*\\*.zip' }]);
    expect(escapeWildcard('x*y\\z')).toBe('x\\*y\\\\z');
    const filter = pattern.detail.object!.key[0]!;
    expect(filterAdmits(filter, 'a*b\\/v1/*.zip')).toBe(true);
    expect(filterAdmits(filter, 'aXb\\/v1/*.zip')).toBe(false);
  });

  it('admits exactly the keys matchRules routes, over many random keys and rules', () => {
    // Arrange
    const random = seededRandom(20240514);
    const alphabet = ['a', 'b', '/', '.', '*', '\\', ' ', '+', '%', 'é', '日'];
    const mismatches: string[] = [];

    // Act
    for (let round = 0; round < 300; round++) {
      const rules = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => {
        const prefix =
          random() < 0.7 ? randomString(random, alphabet, 1 + Math.floor(random() * 3)) : undefined;
        const suffix =
          random() < 0.7 ? randomString(random, alphabet, 1 + Math.floor(random() * 3)) : undefined;
        return {
          name: `r${i}`,
          targets: [],
          ...(prefix === undefined ? {} : { prefix }),
          ...(suffix === undefined ? {} : { suffix }),
        };
      });
      const pattern = buildEventPattern({ ...SOURCE, rules });
      for (let k = 0; k < 40; k++) {
        const key = randomString(random, alphabet, Math.floor(random() * 7));
        const routed = rules.some((rule) => ruleMatchesKey(rule, key));
        const filters = pattern.detail.object?.key;
        const triggered = filters === undefined || filters.some((filter) => filterAdmits(filter, key));
        if (routed !== triggered) mismatches.push(JSON.stringify({ rules, key, routed, triggered }));
      }
    }

    // Assert
    expect(mismatches).toEqual([]);
  });
});

describe('buildEventPattern with propagateDeletes', () => {
  const created = loadEventFixture('eventbridge-object-created.json') as Record<string, unknown>;
  const deleted = loadEventFixture('eventbridge-object-deleted.json') as Record<string, unknown>;

  /** The fixture event with another key. */
  function withKey(event: Record<string, unknown>, key: string): Record<string, unknown> {
    const detail = event.detail as { object: Record<string, unknown> };
    return {
      ...event,
      detail: { ...detail, bucket: { name: SOURCE.bucket }, object: { ...detail.object, key } },
    };
  }

  it('admits Object Deleted for no key when no rule propagates deletes', () => {
    // Arrange
    const rules = [{ name: 'web', prefix: 'build_artifacts/', targets: [] }];

    // Act
    const pattern = buildEventPattern({ ...SOURCE, rules });

    // Assert
    expect(pattern['detail-type']).toEqual(['Object Created']);
    expect(matchesEventPattern(parseEventPattern(pattern), withKey(deleted, 'build_artifacts/web.zip'))).toBe(
      false,
    );
  });

  it('adds Object Deleted without a $or when every rule propagates deletes', () => {
    // Arrange
    const rules = [{ name: 'web', prefix: 'build_artifacts/', targets: [], propagateDeletes: true }];

    // Act
    const pattern = buildEventPattern({ ...SOURCE, rules });

    // Assert
    expect(pattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created', 'Object Deleted'],
      detail: {
        bucket: { name: ['build-artifacts-oregon'] },
        object: { key: [{ prefix: 'build_artifacts/' }] },
      },
    });
  });

  it("admits deletions of the propagating rule's keys only, telling them apart by deletion-type", () => {
    // Arrange
    const rules = [
      { name: 'web', prefix: 'build_artifacts/', suffix: '.zip', targets: [], propagateDeletes: true },
      { name: 'docs', prefix: 'docs/', targets: [] },
    ];

    // Act
    const pattern = buildEventPattern({ ...SOURCE, rules });

    // Assert
    expect(pattern.detail.$or).toEqual([
      { 'deletion-type': [{ exists: false }] },
      { 'deletion-type': [{ exists: true }], object: { key: [{ wildcard: 'build_artifacts/*.zip' }] } },
    ]);
    expect(matchesEventPattern(parseEventPattern(pattern), withKey(created, 'docs/a.html'))).toBe(true);
    expect(matchesEventPattern(parseEventPattern(pattern), withKey(created, 'build_artifacts/web.zip'))).toBe(
      true,
    );
    expect(matchesEventPattern(parseEventPattern(pattern), withKey(deleted, 'build_artifacts/web.zip'))).toBe(
      true,
    );
    expect(matchesEventPattern(parseEventPattern(pattern), withKey(deleted, 'docs/a.html'))).toBe(false);
  });

  it('admits exactly what routing resolves, creations and deletions, over many random rules and keys', () => {
    // Arrange
    const random = seededRandom(20261202);
    const alphabet = ['a', 'b', '/', '.', '*', '\\'];
    const mismatches: string[] = [];

    // Act
    for (let round = 0; round < 200; round++) {
      const rules = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => {
        const prefix =
          random() < 0.7 ? randomString(random, alphabet, 1 + Math.floor(random() * 2)) : undefined;
        const suffix =
          random() < 0.5 ? randomString(random, alphabet, 1 + Math.floor(random() * 2)) : undefined;
        return {
          name: `r${i}`,
          targets: [],
          propagateDeletes: random() < 0.5,
          ...(prefix === undefined ? {} : { prefix }),
          ...(suffix === undefined ? {} : { suffix }),
        };
      });
      const pattern = buildEventPattern({ ...SOURCE, rules });
      for (let k = 0; k < 30; k++) {
        const key = randomString(random, alphabet, Math.floor(random() * 6));
        const relayed = rules.some((rule) => ruleMatchesKey(rule, key));
        const propagated = rules.some((rule) => rule.propagateDeletes && ruleMatchesKey(rule, key));
        const onCreate = matchesEventPattern(parseEventPattern(pattern), withKey(created, key));
        const onDelete = matchesEventPattern(parseEventPattern(pattern), withKey(deleted, key));
        if (relayed !== onCreate || propagated !== onDelete) {
          mismatches.push(JSON.stringify({ rules, key, relayed, onCreate, propagated, onDelete }));
        }
      }
    }

    // Assert
    expect(mismatches).toEqual([]);
  });
});
