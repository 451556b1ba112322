import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import type { TargetConfig } from '../../core/config/schema.ts';
import { ledgerWriteInput, lostLedgerRace, parseLedgerText } from '../../core/deployment/ledger-object.ts';
import type { LedgerRead } from '../../core/deployment/ports.ts';
import type { LedgerRecord } from '../../core/deployment-ledger.ts';
import { unquoteEtag } from '../../core/etag.ts';
import { errorCodeOf, httpStatusOf, isMissingObject, sendOptions } from '../shared/aws-call.ts';

/**
 * Reads and conditionally writes a deployment group's ledger object (core/deployment-ledger.ts) in
 * the revision bucket.
 */

/** Where a ledger lives and how it is written there. */
export interface LedgerLocation {
  readonly bucket: string;
  readonly key: string;
  /** The target: its account (`ExpectedBucketOwner`) and encryption apply to the ledger too. */
  readonly target: Pick<TargetConfig, 'account' | 'encryption'>;
}

function ownerOf(location: LedgerLocation): { ExpectedBucketOwner?: string } {
  return location.target.account === undefined ? {} : { ExpectedBucketOwner: location.target.account };
}

/**
 * Reads the ledger. A ledger that is not a record this relay wrote (edited by hand, or from a future
 * format) reads as no record, with its ETag, so the next claim replaces it.
 */
export async function readLedger(
  s3: S3Client,
  location: LedgerLocation,
  signal: AbortSignal | undefined,
): Promise<LedgerRead> {
  try {
    const response = await s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, ...ownerOf(location) }),
      sendOptions(signal),
    );
    const text = (await response.Body?.transformToString('utf-8')) ?? '';
    return { record: parseLedgerText(text), etag: unquoteEtag(response.ETag ?? '') || undefined };
  } catch (err) {
    if (isMissingObject(err)) return { record: undefined, etag: undefined };
    throw classifyAwsError(err, {
      operation: 's3:GetObject',
      side: 'target',
      bucket: location.bucket,
      key: location.key,
    });
  }
}

/**
 * Writes `record` only if the ledger is still as read: absent (`If-None-Match: *`) or of the ETag
 * read (`If-Match`). Returns the new ETag, or `undefined` when another execution wrote first.
 */
export async function writeLedger(
  s3: S3Client,
  location: LedgerLocation,
  record: LedgerRecord,
  expected: string | undefined,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  try {
    const response = await s3.send(
      new PutObjectCommand(
        ledgerWriteInput(
          {
            bucket: location.bucket,
            key: location.key,
            encryption: location.target.encryption,
            account: location.target.account,
          },
          record,
          expected,
        ),
      ),
      sendOptions(signal),
    );
    return unquoteEtag(response.ETag ?? '');
  } catch (err) {
    if (lostLedgerRace(httpStatusOf(err), errorCodeOf(err))) return undefined;
    throw classifyAwsError(err, {
      operation: 's3:PutObject',
      side: 'target',
      bucket: location.bucket,
      key: location.key,
    });
  }
}
