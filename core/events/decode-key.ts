import { InvalidInput } from '../errors.ts';

/**
 * Decodes an object key as classic S3 event notifications (`Records[]`) carry it: URL-encoded,
 * with `+` for a space. A literal `+` arrives as `%2B` and a literal `%` as `%25`.
 *
 * EventBridge events carry the raw key and must NOT go through this.
 *
 * @throws InvalidInput when the key is not valid URL encoding (a stray `%`, or bytes that are not UTF-8)
 */
export function decodeNotificationKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (err) {
    throw new InvalidInput(
      `The S3 notification's object key ${JSON.stringify(encoded)} is not valid URL encoding (S3 encodes keys with %XX and + for a space)`,
      { cause: err },
    );
  }
}
