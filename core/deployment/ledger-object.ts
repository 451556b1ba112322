/**
 * What both sides that write a deployment group's ledger (the StartDeployment task and `relay deploy`) say
 * to S3, as plain request data — each side sends it with its own SDK client: the conditional PutObject
 * (`If-None-Match: *` for a new ledger, `If-Match` on the ETag read otherwise; S3 User Guide, "How to
 * prevent object overwrites with conditional writes"), under the target's encryption; reading the stored
 * JSON back; and which failed write means that another execution wrote first.
 */
import type { TargetConfig } from '../config/schema.ts';
import { type LedgerRecord, ledgerRecordSchema } from '../deployment-ledger.ts';

/** Where a group's ledger lives and how it is written. */
export interface LedgerObject {
  readonly bucket: string;
  readonly key: string;
  /** The target's encryption: the ledger is written under it. */
  readonly encryption: TargetConfig['encryption'];
  /** The bucket's owner, sent as ExpectedBucketOwner when known. */
  readonly account?: string | undefined;
}

/** The PutObject input (SDK field names) of a conditional ledger write. */
export interface LedgerWriteInput {
  readonly Bucket: string;
  readonly Key: string;
  readonly Body: string;
  readonly ContentType: 'application/json';
  readonly IfNoneMatch?: '*';
  readonly IfMatch?: string;
  readonly ServerSideEncryption: 'aws:kms' | 'AES256';
  readonly SSEKMSKeyId?: string;
  readonly ExpectedBucketOwner?: string;
}

/** The conditional write of `record`: only if the ledger is still absent (`expected` undefined) or of ETag `expected`. */
export function ledgerWriteInput(
  ledger: LedgerObject,
  record: LedgerRecord,
  expected: string | undefined,
): LedgerWriteInput {
  const { encryption } = ledger;
  return {
    Bucket: ledger.bucket,
    Key: ledger.key,
    Body: `${JSON.stringify(record, null, 2)}\n`,
    ContentType: 'application/json',
    ...(expected === undefined ? { IfNoneMatch: '*' as const } : { IfMatch: `"${expected}"` }),
    ...(encryption.type === 'aws:kms'
      ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: encryption.kmsKeyArn }
      : { ServerSideEncryption: 'AES256' as const }),
    ...(ledger.account === undefined ? {} : { ExpectedBucketOwner: ledger.account }),
  };
}

/** The stored ledger, or `undefined` for text that is not a ledger record the relay wrote. */
export function parseLedgerText(text: string): LedgerRecord | undefined {
  try {
    const parsed = ledgerRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a conditional write failed because another writer came first: 412, or 409 ConditionalRequestConflict. */
export function lostLedgerRace(status: number | undefined, code: string | undefined): boolean {
  return (
    status === 412 || status === 409 || code === 'PreconditionFailed' || code === 'ConditionalRequestConflict'
  );
}
