import type { VerifyMode } from './config/schema.ts';

/**
 * What verification evidence an encryption allows (DESIGN §2 "ETag is not a checksum") — the one
 * home of the rule, used by Verify at run time (`functions/shared/evidence.ts`) and by config
 * validation (`config/consistency.ts`), so that what validation accepts is what Verify can do.
 */

/** Encryptions under which S3's ETag is not the MD5 of the bytes (so two ETags prove nothing). */
export const ETAG_OPAQUE_ENCRYPTIONS: readonly string[] = ['aws:kms', 'aws:kms:dsse', 'SSE-C'];

/** Whether an object stored with this encryption has an ETag that is not its MD5 (unknown: no). */
export function etagHidesMd5(encryptionType: string | undefined): boolean {
  return encryptionType !== undefined && ETAG_OPAQUE_ENCRYPTIONS.includes(encryptionType);
}

/**
 * Why a forced verify mode can never verify a replica written with `targetEncryption`, or
 * `undefined` when it can (for some source objects at least). Only `etag` has such a case: a
 * replica under SSE-KMS never has an MD5 ETag, whatever the source. (`checksum` can always work:
 * every copy asks S3 for a checksum; `auto` and `stream` always work.)
 */
export function impossibleVerifyMode(mode: VerifyMode, targetEncryption: string): string | undefined {
  if (mode === 'etag' && etagHidesMd5(targetEncryption)) {
    return 'the ETag of an SSE-KMS object is not the MD5 of its bytes, so an ETag comparison can never verify this replica (Verify fails every copy with ConfigInvalid)';
  }
  return undefined;
}
