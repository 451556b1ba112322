/**
 * `relay deploy`'s S3 adapters for the deployment logic's ports (core/deployment/ports.ts), with the
 * operator's credentials: the group's ledger object — GetObject, and PutObject made conditional with
 * `If-None-Match: *` / `If-Match` (S3 User Guide, "Conditional writes": 412 PreconditionFailed or
 * 409 ConditionalRequestConflict when another writer came first) — and a HEAD of the replica's key.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import {
  type LedgerObject,
  ledgerWriteInput,
  lostLedgerRace,
  parseLedgerText,
} from '../../core/deployment/ledger-object.ts';
import type { LedgerPort, ReplicaPort } from '../../core/deployment/ports.ts';
import { unquoteEtag } from '../../core/etag.ts';

function facts(err: unknown): { name?: string; status?: number } {
  const value = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  const status = value?.$metadata?.httpStatusCode;
  return {
    ...(typeof value?.name === 'string' ? { name: value.name } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}

function isMissing(err: unknown): boolean {
  const { name, status } = facts(err);
  return status === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/** The ledger port over `s3`; a ledger that is not a record the relay wrote reads as none (with its ETag). */
export function s3LedgerPort(s3: S3Client, ledger: LedgerObject): LedgerPort {
  const where = { side: 'target' as const, bucket: ledger.bucket, key: ledger.key };
  return {
    async read() {
      try {
        const response = await s3.send(new GetObjectCommand({ Bucket: ledger.bucket, Key: ledger.key }));
        const text = (await response.Body?.transformToString('utf-8')) ?? '';
        return { record: parseLedgerText(text), etag: unquoteEtag(response.ETag ?? '') || undefined };
      } catch (err) {
        if (isMissing(err)) return { record: undefined, etag: undefined };
        throw classifyAwsError(err, { operation: 's3:GetObject', ...where });
      }
    },
    async write(record, expected) {
      try {
        const response = await s3.send(new PutObjectCommand(ledgerWriteInput(ledger, record, expected)));
        return unquoteEtag(response.ETag ?? '');
      } catch (err) {
        if (lostLedgerRace(facts(err).status, facts(err).name)) return undefined;
        throw classifyAwsError(err, { operation: 's3:PutObject', ...where });
      }
    },
  };
}

/** The replica port over `s3`: what `bucket`/`key` holds now. */
export function s3ReplicaPort(s3: S3Client, bucket: string, key: string): ReplicaPort {
  return {
    async head() {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { versionId: head.VersionId, etag: unquoteEtag(head.ETag ?? ''), metadata: head.Metadata };
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw classifyAwsError(err, { operation: 's3:HeadObject', side: 'target', bucket, key });
      }
    },
  };
}
