import { describe, expect, it } from 'vitest';
import { etagPartCount, sameEtag, unquoteEtag } from '../../../core/etag.ts';

describe('ETags', () => {
  it('unquotes S3 response ETags and leaves event ETags alone', () => {
    // Arrange / Act / Assert
    expect(unquoteEtag('"9b2cf535f27731c974343645a3985328"')).toBe('9b2cf535f27731c974343645a3985328');
    expect(unquoteEtag('9b2cf535f27731c974343645a3985328')).toBe('9b2cf535f27731c974343645a3985328');
    expect(unquoteEtag('W/"abc"')).toBe('abc');
    expect(unquoteEtag('"')).toBe('"');
  });

  it('compares ETags ignoring quotes and letter case', () => {
    // Arrange / Act / Assert
    expect(sameEtag('"ABC-2"', 'abc-2')).toBe(true);
    expect(sameEtag('abc-2', 'abc-3')).toBe(false);
  });

  it('reads the part count of a multipart ETag', () => {
    // Arrange / Act / Assert
    expect(etagPartCount('"4af981f98d22a0b9979da24b259e5e42-12"')).toBe(12);
    expect(etagPartCount('4af981f98d22a0b9979da24b259e5e42')).toBeUndefined();
  });
});
