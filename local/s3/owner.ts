/**
 * The owner S3 reports in listings: a canonical user id (64 hex characters) derived from the account.
 */
import { createHash } from 'node:crypto';
import type { XmlNode } from './xml.ts';

/** The canonical user id of an account (stable: a hash of the account id). */
export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`local-s3-owner:${accountId}`).digest('hex');
}

/** `<Owner><ID/><DisplayName/></Owner>` content. */
export function ownerXml(accountId: string): XmlNode {
  return { ID: canonicalUserId(accountId), DisplayName: 'local' };
}
