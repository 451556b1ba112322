import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../core/errors.ts';
import { compareSequencers, executionName, isValidExecutionName } from '../../../core/naming.ts';
import { randomString, seededRandom } from './load-fixture.ts';

const KEY_ALPHABET = [
  'a',
  'Z',
  '0',
  '/',
  ' ',
  '+',
  '%',
  '.',
  '-',
  '_',
  ':',
  '*',
  '?',
  '"',
  'é',
  '日',
  '📦',
  '\t',
  '#',
];

describe('executionName', () => {
  it('starts with a readable part of the key and ends with a hash', () => {
    // Arrange / Act
    const name = executionName('build-artifacts-oregon', 'build_artifacts/10:47:07 web.zip', 'v1');

    // Assert
    expect(name).toMatch(/^10-47-07-web-zip-[0-9a-f]{24}$/);
    expect(isValidExecutionName(name)).toBe(true);
  });

  it('is deterministic, and differs by bucket, key, version and salt', () => {
    // Arrange
    const base = executionName('bucket-a', 'k/web.zip', 'v1');

    // Act
    const variants = [
      executionName('bucket-b', 'k/web.zip', 'v1'),
      executionName('bucket-a', 'k2/web.zip', 'v1'),
      executionName('bucket-a', 'k/web.zip', 'v2'),
      executionName('bucket-a', 'k/web.zip', undefined),
      executionName('bucket-a', 'k/web.zip', 'v1', 'replay-1'),
    ];

    // Assert
    expect(executionName('bucket-a', 'k/web.zip', 'v1')).toBe(base);
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('does not confuse inputs whose concatenations are equal', () => {
    // Arrange / Act
    const a = executionName('bucket-a', 'b/c', 'd');
    const b = executionName('bucket-a', 'b', '/cd');

    // Assert
    expect(a.slice(-24)).not.toBe(b.slice(-24));
  });

  it('falls back to "object" when the key has nothing readable', () => {
    // Arrange / Act / Assert
    expect(executionName('b-b-b', '日本/', 'v')).toMatch(/^object-[0-9a-f]{24}$/);
    expect(executionName('b-b-b', '/', undefined)).toMatch(/^object-[0-9a-f]{24}$/);
  });

  it('is a valid, distinct name of at most 80 characters for thousands of random keys', () => {
    // Arrange
    const random = seededRandom(7);
    const keys = new Set<string>();
    while (keys.size < 3000) keys.add(randomString(random, KEY_ALPHABET, 1 + Math.floor(random() * 300)));

    // Act
    const names = [...keys].map((key) => executionName('build-artifacts-oregon', key, 'etag-1'));

    // Assert
    expect(names.filter((name) => !isValidExecutionName(name))).toEqual([]);
    expect(Math.max(...names.map((name) => name.length))).toBeLessThanOrEqual(80);
    expect(new Set(names).size).toBe(keys.size);
  });
});

describe('compareSequencers', () => {
  it('orders sequencers of different lengths after zero-padding', () => {
    // Arrange / Act / Assert
    expect(compareSequencers('0055AED6DCD90281E5', '0055AED6DCD90281E6')).toBe(-1);
    expect(compareSequencers('FF', '0100')).toBe(-1);
    expect(compareSequencers('100', 'FF')).toBe(1);
    expect(compareSequencers('00ab', 'AB')).toBe(0);
  });

  it('ignores letter case', () => {
    // Arrange / Act / Assert
    expect(compareSequencers('00664340dc5a8b4c2e', '00664340DC5A8B4C2E')).toBe(0);
    expect(compareSequencers('0a', '09')).toBe(1);
  });

  it('agrees with numeric order over random hex values', () => {
    // Arrange
    const random = seededRandom(99);
    const hex = [...'0123456789abcdefABCDEF'];
    const disagreements: string[] = [];

    // Act
    for (let i = 0; i < 2000; i++) {
      const a = randomString(random, hex, 1 + Math.floor(random() * 20));
      const b = randomString(random, hex, 1 + Math.floor(random() * 20));
      const expected = Math.sign(Number(BigInt(`0x${a}`) - BigInt(`0x${b}`)));
      if (compareSequencers(a, b) !== expected) disagreements.push(`${a} vs ${b}`);
    }

    // Assert
    expect(disagreements).toEqual([]);
  });

  it('refuses values that are not hexadecimal', () => {
    // Arrange / Act
    const act = () => compareSequencers('00AG', '00AB');

    // Assert
    expect(act).toThrow(InvalidInput);
  });
});
