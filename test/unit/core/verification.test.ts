import { describe, expect, it } from 'vitest';
import { VERIFY_MODES } from '../../../core/config/schema.ts';
import { etagHidesMd5, impossibleVerifyMode } from '../../../core/verification.ts';

describe('etagHidesMd5', () => {
  it.each([
    ['aws:kms', true],
    ['aws:kms:dsse', true],
    ['SSE-C', true],
    ['SSE-S3', false],
    [undefined, false],
  ])('is %s → %s', (encryption, hides) => {
    expect(etagHidesMd5(encryption)).toBe(hides);
  });
});

describe('impossibleVerifyMode', () => {
  it('rules out ETag verification of an SSE-KMS replica, saying why', () => {
    expect(impossibleVerifyMode('etag', 'aws:kms')).toContain(
      'the ETag of an SSE-KMS object is not the MD5 of its bytes',
    );
  });

  it.each(VERIFY_MODES.filter((mode) => mode !== 'etag'))(
    'leaves %s possible for an SSE-KMS replica',
    (mode) => {
      expect(impossibleVerifyMode(mode, 'aws:kms')).toBeUndefined();
    },
  );

  it.each(VERIFY_MODES)('leaves %s possible for an SSE-S3 replica', (mode) => {
    expect(impossibleVerifyMode(mode, 'SSE-S3')).toBeUndefined();
  });
});
