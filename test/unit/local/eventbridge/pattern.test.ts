import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type EventPattern,
  type EventPatternMatcher,
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from '../../../../local/eventbridge/pattern.ts';
import type { S3ObjectCreatedEvent } from '../../../../local/types.ts';

const objectCreated = JSON.parse(
  readFileSync(new URL('../../../fixtures/events/eventbridge-object-created.json', import.meta.url), 'utf8'),
) as S3ObjectCreatedEvent;

/** The fixture with `detail.object` fields replaced. */
function withObject(fields: Record<string, unknown>): unknown {
  return {
    ...objectCreated,
    detail: { ...objectCreated.detail, object: { ...objectCreated.detail.object, ...fields } },
  };
}

function keyPattern(matchers: readonly EventPatternMatcher[]): EventPattern {
  return { detail: { object: { key: matchers } } };
}

function invalidity(pattern: unknown): InvalidEventPatternError {
  try {
    matchesEventPattern(pattern as EventPattern, objectCreated);
  } catch (err) {
    if (err instanceof InvalidEventPatternError) return err;
    throw err;
  }
  throw new Error('expected an InvalidEventPatternError');
}

describe('matchesEventPattern', () => {
  describe('the fixture', () => {
    it('carries the raw key with its space and colons', () => {
      // Arrange
      const key = objectCreated.detail.object.key;

      // Act
      const raw = key.includes(' ') && key.includes(':') && !key.includes('%') && !key.includes('+');

      // Assert
      expect(raw).toBe(true);
    });
  });

  describe('structure', () => {
    it('matches the rule the relay deploys for a source bucket and prefix', () => {
      // Arrange
      const pattern: EventPattern = {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: ['build-artifacts-oregon'] },
          object: { key: [{ prefix: 'build_artifacts/' }] },
        },
      };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(true);
    });

    it('requires every field of the pattern to match', () => {
      // Arrange
      const pattern: EventPattern = { source: ['aws.s3'], detail: { bucket: { name: ['another-bucket'] } } };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(false);
    });

    it('matches a field when any value of its array matches', () => {
      // Arrange
      const pattern: EventPattern = { source: ['aws.ec2', 'aws.s3'] };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(true);
    });

    it('does not match a field the event lacks', () => {
      // Arrange
      const pattern: EventPattern = { detail: { object: { 'storage-class': ['STANDARD'] } } };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(false);
    });

    it('does not match a nested pattern against a missing parent', () => {
      // Arrange
      const pattern: EventPattern = { detail: { destination: { name: ['x'] } } };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(false);
    });

    it('matches an event array when any element matches', () => {
      // Arrange
      const hit: EventPattern = {
        resources: ['arn:aws:s3:::unrelated', 'arn:aws:s3:::build-artifacts-oregon'],
      };
      const miss: EventPattern = { resources: ['arn:aws:s3:::unrelated'] };

      // Act
      const results = [matchesEventPattern(hit, objectCreated), matchesEventPattern(miss, objectCreated)];

      // Assert
      expect(results).toEqual([true, false]);
    });

    it('matches a nested pattern against any object of an event array, within one element', () => {
      // Arrange
      const event = {
        detail: {
          targets: [
            { region: 'eu-central-1', ok: false },
            { region: 'ap-northeast-2', ok: true },
          ],
        },
      };
      const sameElement: EventPattern = { detail: { targets: { region: ['ap-northeast-2'], ok: [true] } } };
      const acrossElements: EventPattern = { detail: { targets: { region: ['eu-central-1'], ok: [true] } } };

      // Act
      const results = [matchesEventPattern(sameElement, event), matchesEventPattern(acrossElements, event)];

      // Assert
      expect(results).toEqual([true, false]);
    });

    it('matches either branch of $or', () => {
      // Arrange
      const pattern: EventPattern = {
        source: ['aws.s3'],
        detail: {
          $or: [
            { object: { key: [{ suffix: '.tar' }] } },
            { object: { size: [{ numeric: ['>', 1_000_000] }] } },
          ],
        },
      };
      const small = withObject({ size: 10 });

      // Act
      const results = [matchesEventPattern(pattern, objectCreated), matchesEventPattern(pattern, small)];

      // Assert
      expect(results).toEqual([true, false]);
    });

    it('never matches a non-object event against a value pattern', () => {
      // Arrange
      const pattern: EventPattern = { source: ['aws.s3'] };

      // Act
      const results = [matchesEventPattern(pattern, 'aws.s3'), matchesEventPattern(pattern, null)];

      // Assert
      expect(results).toEqual([false, false]);
    });
  });

  describe('exact values', () => {
    it('compares strings exactly and case-sensitively', () => {
      // Arrange
      const exact: EventPattern = { 'detail-type': ['Object Created'] };
      const otherCase: EventPattern = { 'detail-type': ['object created'] };

      // Act
      const results = [
        matchesEventPattern(exact, objectCreated),
        matchesEventPattern(otherCase, objectCreated),
      ];

      // Assert
      expect(results).toEqual([true, false]);
    });

    it('compares numbers by value and never against a string', () => {
      // Arrange
      const exponent: EventPattern = { detail: { object: { size: [5.24288e6] } } };
      const asString: EventPattern = { detail: { object: { size: ['5242880'] } } };

      // Act
      const results = [
        matchesEventPattern(exponent, objectCreated),
        matchesEventPattern(asString, objectCreated),
      ];

      // Assert
      expect(results).toEqual([true, false]);
    });

    it('matches booleans and null, and keeps null distinct from the empty string', () => {
      // Arrange
      const event = { detail: { replicated: false, responseElements: null, eventVersion: '' } };

      // Act
      const results = [
        matchesEventPattern({ detail: { replicated: [false] } }, event),
        matchesEventPattern({ detail: { replicated: [true] } }, event),
        matchesEventPattern({ detail: { responseElements: [null] } }, event),
        matchesEventPattern({ detail: { responseElements: [''] } }, event),
        matchesEventPattern({ detail: { eventVersion: [''] } }, event),
        matchesEventPattern({ detail: { eventVersion: [null] } }, event),
      ];

      // Assert
      expect(results).toEqual([true, false, true, false, true, false]);
    });
  });

  describe('prefix, suffix and equals-ignore-case', () => {
    it.each([
      ['prefix', { prefix: 'build_artifacts/10:' }, true],
      ['prefix that differs', { prefix: 'releases/' }, false],
      ['prefix ignoring case', { prefix: { 'equals-ignore-case': 'BUILD_ARTIFACTS/' } }, true],
      ['case-sensitive prefix', { prefix: 'BUILD_ARTIFACTS/' }, false],
      ['suffix', { suffix: ' web.zip' }, true],
      ['suffix that differs', { suffix: '.tar.gz' }, false],
      ['suffix ignoring case', { suffix: { 'equals-ignore-case': 'WEB.ZIP' } }, true],
      ['equals-ignore-case', { 'equals-ignore-case': 'BUILD_ARTIFACTS/10:47:07 WEB.ZIP' }, true],
      [
        'equals-ignore-case that differs',
        { 'equals-ignore-case': 'build_artifacts/10:47:07 web.tar' },
        false,
      ],
    ] as const)('%s on the key gives %s', (_name, matcher, expected) => {
      // Arrange
      const pattern = keyPattern([matcher]);

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(expected);
    });

    it('applies string operators to strings only', () => {
      // Arrange
      const pattern: EventPattern = { detail: { object: { size: [{ prefix: '52' }] } } };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(false);
    });
  });

  describe('wildcard', () => {
    it.each([
      ['a prefix and suffix around *', 'build_artifacts/*.zip', true],
      ['a wrong extension', 'build_artifacts/*.tar', false],
      ['several stars across colons and the space', '*:47:* *.zip', true],
      ['a star matching nothing', 'build_artifacts/*10:47:07 web.zip', true],
      ['no star: the whole value', 'build_artifacts/10:47:07 web.zip', true],
      ['a question mark taken literally', 'build_artifacts/10:47:07 web?zip', false],
      ['a partial value without star', 'build_artifacts/', false],
    ])('%s (%s) gives %s', (_name, wildcard, expected) => {
      // Arrange
      const pattern = keyPattern([{ wildcard }]);

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(expected);
    });

    it('takes regular-expression characters literally', () => {
      // Arrange
      const dotless = withObject({ key: 'build_artifacts/10:47:07 webXzip' });
      const pattern = keyPattern([{ wildcard: 'build_artifacts/*.zip' }]);

      // Act
      const matched = matchesEventPattern(pattern, dotless);

      // Assert
      expect(matched).toBe(false);
    });

    it('treats \\* as a literal star and \\\\ as a literal backslash', () => {
      // Arrange
      const star = withObject({ key: 'a/*/b' });
      const other = withObject({ key: 'a/x/b' });
      const backslash = withObject({ key: 'dir\\file' });
      const literalStar = keyPattern([{ wildcard: 'a/\\*/b' }]);
      const literalBackslash = keyPattern([{ wildcard: 'dir\\\\*' }]);

      // Act
      const results = [
        matchesEventPattern(literalStar, star),
        matchesEventPattern(literalStar, other),
        matchesEventPattern(literalBackslash, backslash),
      ];

      // Assert
      expect(results).toEqual([true, false, true]);
    });
  });

  describe('anything-but', () => {
    it.each([
      ['a different string', { 'anything-but': 'CopyObject' }, true],
      ['the same string', { 'anything-but': 'PutObject' }, false],
      ['a list without the value', { 'anything-but': ['CopyObject', 'CompleteMultipartUpload'] }, true],
      ['a list with the value', { 'anything-but': ['CopyObject', 'PutObject'] }, false],
      ['a prefix the value lacks', { 'anything-but': { prefix: 'Copy' } }, true],
      ['a prefix the value has', { 'anything-but': { prefix: 'Put' } }, false],
      ['a suffix the value lacks', { 'anything-but': { suffix: 'Upload' } }, true],
      ['a suffix the value has', { 'anything-but': { suffix: 'Object' } }, false],
      ['another value ignoring case', { 'anything-but': { 'equals-ignore-case': ['copyobject'] } }, true],
      ['the value ignoring case', { 'anything-but': { 'equals-ignore-case': 'PUTOBJECT' } }, false],
      ['a wildcard the value escapes', { 'anything-but': { wildcard: 'Copy*' } }, true],
      ['a wildcard the value matches', { 'anything-but': { wildcard: ['Copy*', 'Put*'] } }, false],
    ] as const)('against %s on reason gives %s', (_name, matcher, expected) => {
      // Arrange
      const pattern: EventPattern = { detail: { reason: [matcher] } };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(expected);
    });

    it('excludes numbers', () => {
      // Arrange
      const excluded: EventPattern = { detail: { object: { size: [{ 'anything-but': [0, 5242880] }] } } };
      const other: EventPattern = { detail: { object: { size: [{ 'anything-but': 0 }] } } };

      // Act
      const results = [
        matchesEventPattern(excluded, objectCreated),
        matchesEventPattern(other, objectCreated),
      ];

      // Assert
      expect(results).toEqual([false, true]);
    });

    it('does not match an absent field', () => {
      // Arrange
      const pattern: EventPattern = {
        detail: { object: { 'storage-class': [{ 'anything-but': 'GLACIER' }] } },
      };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(false);
    });

    it('matches an event array when any element is not excluded', () => {
      // Arrange
      const pattern: EventPattern = {
        resources: [{ 'anything-but': 'arn:aws:s3:::build-artifacts-oregon' }],
      };
      const twoResources = {
        ...objectCreated,
        resources: [...objectCreated.resources, 'arn:aws:s3:::other'],
      };

      // Act
      const results = [
        matchesEventPattern(pattern, objectCreated),
        matchesEventPattern(pattern, twoResources),
      ];

      // Assert
      expect(results).toEqual([false, true]);
    });
  });

  describe('exists', () => {
    it('matches a present leaf with true and an absent one with false', () => {
      // Arrange
      const unversioned = withObject({ 'version-id': undefined });
      const present: EventPattern = { detail: { object: { 'version-id': [{ exists: true }] } } };
      const absent: EventPattern = { detail: { object: { 'version-id': [{ exists: false }] } } };

      // Act
      const results = [
        matchesEventPattern(present, objectCreated),
        matchesEventPattern(present, unversioned),
        matchesEventPattern(absent, objectCreated),
        matchesEventPattern(absent, unversioned),
      ];

      // Assert
      expect(results).toEqual([true, false, false, true]);
    });

    it('treats an intermediate node as not existing, as EventBridge does', () => {
      // Arrange
      const isObject: EventPattern = { detail: { object: [{ exists: true }] } };
      const notLeaf: EventPattern = { detail: { object: [{ exists: false }] } };

      // Act
      const results = [
        matchesEventPattern(isObject, objectCreated),
        matchesEventPattern(notLeaf, objectCreated),
      ];

      // Assert
      expect(results).toEqual([false, true]);
    });

    it('matches exists false when the whole parent is absent', () => {
      // Arrange
      const pattern: EventPattern = { detail: { 'replication-status': { state: [{ exists: false }] } } };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(true);
    });
  });

  describe('numeric', () => {
    it.each([
      ['inside an open-closed range', ['>', 0, '<=', 5242880], true],
      ['at an exclusive upper bound', ['>', 0, '<', 5242880], false],
      ['with bounds in either order', ['<=', 6e6, '>=', 5e6], true],
      ['above a lower bound only', ['>=', 5 * 1024 * 1024], true],
      ['below an upper bound only', ['<', 1024], false],
      ['equal', ['=', 5.24288e6], true],
      ['not equal', ['=', 5242881], false],
    ] as const)('on size %s (%j) gives %s', (_name, numeric, expected) => {
      // Arrange
      const pattern: EventPattern = { detail: { object: { size: [{ numeric }] } } };

      // Act
      const matched = matchesEventPattern(pattern, objectCreated);

      // Assert
      expect(matched).toBe(expected);
    });

    it('never matches a string, even a numeric-looking one', () => {
      // Arrange
      const event = { detail: { count: '3' } };
      const pattern: EventPattern = { detail: { count: [{ numeric: ['>', 0] }] } };

      // Act
      const matched = matchesEventPattern(pattern, event);

      // Assert
      expect(matched).toBe(false);
    });
  });
});

describe('invalid patterns', () => {
  it.each([
    ['a bare value instead of an array', { source: 'aws.s3' }, 'source', 'must be an array'],
    ['an empty array', { detail: { reason: [] } }, 'detail.reason', 'at least one value'],
    ['an empty nested object', { detail: {} }, 'detail', 'at least one field'],
    [
      'an unknown operator',
      { detail: { reason: [{ contains: 'Put' }] } },
      'detail.reason[0].contains',
      'unknown operator',
    ],
    [
      'two operators in one object',
      { source: [{ prefix: 'a', suffix: 'b' }] },
      'source[0]',
      'exactly one operator',
    ],
    ['a nested array inside a leaf array', { source: [['aws.s3']] }, 'source[0]', 'JSON scalar'],
    ['consecutive stars', { source: [{ wildcard: 'a**b' }] }, 'source[0].wildcard', 'consecutive'],
    ['an unknown escape', { source: [{ wildcard: 'a\\b' }] }, 'source[0].wildcard', 'invalid escape'],
    ['a non-string prefix', { source: [{ prefix: 3 }] }, 'source[0].prefix', 'takes a string'],
    [
      'a mixed anything-but list',
      { source: [{ 'anything-but': ['a', 1] }] },
      'source[0].anything-but',
      'only strings',
    ],
    [
      'an anything-but prefix list',
      { source: [{ 'anything-but': { prefix: ['a'] } }] },
      'source[0].anything-but.prefix',
      'one string',
    ],
    ['a non-boolean exists', { source: [{ exists: 'yes' }] }, 'source[0].exists', 'true or false'],
    [
      'an unknown numeric operator',
      { size: [{ numeric: ['>>', 1] }] },
      'size[0].numeric[0]',
      'numeric operator',
    ],
    [
      'a numeric range without bounds',
      { size: [{ numeric: ['>', 1, '>', 2] }] },
      'size[0].numeric',
      'one lower',
    ],
    ['an inverted numeric range', { size: [{ numeric: ['>', 5, '<', 1] }] }, 'size[0].numeric', 'less than'],
    ['a non-numeric bound', { size: [{ numeric: ['>', '1'] }] }, 'size[0].numeric[1]', 'finite number'],
    ['$or with a scalar branch', { $or: ['a'] }, '$or', 'list of pattern objects'],
    ['cidr', { detail: { 'source-ip-address': [{ cidr: '10.0.0.0/24' }] } }, 'cidr', 'not supported'],
  ])('rejects %s, naming the path', (_name, pattern, path, reason) => {
    // Arrange
    const candidate: unknown = pattern;

    // Act
    const error = invalidity(candidate);

    // Assert
    expect(error.path).toContain(path);
    expect(error.message).toContain(reason);
  });

  it('rejects a top-level value that is not an object', () => {
    // Arrange
    const candidate: unknown = ['aws.s3'];

    // Act
    const act = () => parseEventPattern(candidate);

    // Assert
    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow('Invalid event pattern at (root): a pattern must be a JSON object, got an array');
  });

  it('returns a valid pattern unchanged', () => {
    // Arrange
    const candidate: unknown = JSON.parse(
      '{"source":["aws.s3"],"detail":{"object":{"key":[{"prefix":"b/"}]}}}',
    );

    // Act
    const pattern = parseEventPattern(candidate);

    // Assert
    expect(pattern).toBe(candidate);
    expect(matchesEventPattern(pattern, objectCreated)).toBe(false);
  });
});
