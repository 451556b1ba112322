import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { decodeNotificationKey } from '../../../../core/events/decode-key.ts';

/** How S3 writes a key into a classic notification: URL-encoded, space as '+'. */
function encodeLikeS3(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+');
}

describe('decodeNotificationKey', () => {
  it.each([
    ['a+b.zip', 'a b.zip'],
    ['a%2Bb.zip', 'a+b.zip'],
    ['a+%2B+b.zip', 'a + b.zip'],
    ['100%25.zip', '100%.zip'],
    ['build_artifacts/10%3A47%3A07+web.zip', 'build_artifacts/10:47:07 web.zip'],
    ['caf%C3%A9/%E6%97%A5%E6%9C%AC.zip', 'café/日本.zip'],
    ['emoji-%F0%9F%93%A6.zip', 'emoji-📦.zip'],
    ['plain/key.zip', 'plain/key.zip'],
    ['%252B', '%2B'],
  ])('decodes %s as %s', (encoded, expected) => {
    // Arrange / Act
    const decoded = decodeNotificationKey(encoded);

    // Assert
    expect(decoded).toBe(expected);
  });

  it.each(['100%.zip', '%E0%A4%A', '%ZZ', '%C3'])(
    'rejects the malformed encoding %s as InvalidInput',
    (encoded) => {
      // Arrange / Act
      const act = () => decodeNotificationKey(encoded);

      // Assert
      expect(act).toThrow(InvalidInput);
    },
  );

  it('inverts S3 encoding for keys with spaces, plus signs, percent signs and unicode', () => {
    // Arrange
    const keys = ['a b+c%d', ' leading and trailing ', '++', '%%', 'ü ö ä/ß+€', 'tab\there', '日本 語+%'];

    // Act
    const roundTripped = keys.map((key) => decodeNotificationKey(encodeLikeS3(key)));

    // Assert
    expect(roundTripped).toEqual(keys);
  });
});
