/** `relay status`: for each target the configuration routes the object to, is the replica in sync? */

import type { S3Client } from '@aws-sdk/client-s3';
import type { SourceConfig, VerifyMode } from '../../core/config/schema.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import { destinationKey, type ResolvedTarget } from '../../core/routing.ts';
import type { ObjectEncryption } from '../../core/workflow.ts';
import { translateError } from '../aws/translate-error.ts';
import { compareReplica, type SyncStatus, stampOfSameObject } from './compare.ts';
import { headObject, versionsOf } from './objects.ts';

export interface SourceState {
  readonly config: SourceConfig;
  readonly key: string;
  readonly facts: StoredObject;
  /** The configured `defaults.verify`: status proves a replica as Verify would. */
  readonly verify: VerifyMode;
}

export interface TargetSync {
  readonly target: ResolvedTarget;
  readonly bucket: string;
  readonly key: string;
  readonly status: SyncStatus;
  /** In sync: the evidence. Otherwise: what is there instead. */
  readonly detail: string;
  readonly replica?: {
    readonly versionId?: string;
    readonly etag: string;
    readonly size: number;
    /** As the replica's HEAD reported it (absent when S3 named none). */
    readonly encryption?: ObjectEncryption;
  };
}

/** Whether `newer` comes before `older` in the key's version list (newest first); undefined when unknown. */
async function isNewerVersion(
  s3: S3Client,
  source: SourceState,
  newer: string | undefined,
): Promise<boolean | undefined> {
  const current = source.facts.versionId;
  if (newer === undefined || current === undefined || newer === current) return undefined;
  const versions = await versionsOf(s3, source.config.bucket, source.key);
  const a = versions.indexOf(newer);
  const b = versions.indexOf(current);
  return a < 0 || b < 0 ? undefined : a < b;
}

function describeStamp(version: string | undefined, etag: string | undefined): string {
  return version !== undefined
    ? `version ${version}`
    : etag !== undefined
      ? `ETag ${etag}`
      : 'an unrecorded version';
}

/** Like {@link checkTarget}, but a target that cannot be read is reported (status `error`), not thrown. */
export async function checkTargetSafely(
  s3For: (region: string) => S3Client,
  source: SourceState,
  target: ResolvedTarget,
): Promise<TargetSync> {
  try {
    return await checkTarget(s3For, source, target);
  } catch (err) {
    const key = destinationKey(target, source.key);
    return { target, bucket: target.bucket, key, status: 'error', detail: translateError(err).message };
  }
}

export async function checkTarget(
  s3For: (region: string) => S3Client,
  source: SourceState,
  target: ResolvedTarget,
): Promise<TargetSync> {
  const key = destinationKey(target, source.key);
  const base = { target, bucket: target.bucket, key };
  const replica = await headObject(s3For(target.region), {
    bucket: target.bucket,
    key,
    expectedOwner: target.account,
  });
  if (replica === undefined)
    return { ...base, status: 'missing', detail: `no object at s3://${target.bucket}/${key}` };
  const replicaInfo = {
    ...(replica.versionId === undefined ? {} : { versionId: replica.versionId }),
    etag: replica.etag,
    size: replica.size,
    ...(replica.encryption === undefined ? {} : { encryption: replica.encryption }),
  };
  const comparison = await compareReplica(
    {
      s3: s3For(source.config.region),
      bucket: source.config.bucket,
      key: source.key,
      facts: source.facts,
      expectedOwner: source.config.account,
    },
    { s3: s3For(target.region), bucket: target.bucket, key, facts: replica, expectedOwner: target.account },
    source.verify,
  );
  if (comparison.status === 'in-sync') {
    return { ...base, status: 'in-sync', detail: comparison.evidence, replica: replicaInfo };
  }
  const stamp = stampOfSameObject(replica, { bucket: source.config.bucket, key: source.key });
  const unverifiable = comparison.status === 'unverifiable';
  if (stamp === undefined) {
    if (unverifiable) return { ...base, status: 'error', detail: comparison.evidence, replica: replicaInfo };
    return {
      ...base,
      status: 'different',
      detail: `${comparison.evidence}; not a replica of this object`,
      replica: replicaInfo,
    };
  }
  const made = describeStamp(stamp.versionId, stamp.etag);
  if (await isNewerVersion(s3For(source.config.region), source, stamp.versionId)) {
    return {
      ...base,
      status: 'superseded',
      detail: `holds a replica of ${made}, newer than this one`,
      replica: replicaInfo,
    };
  }
  return {
    ...base,
    status: unverifiable ? 'error' : 'different',
    detail: `${comparison.evidence}; holds a replica of ${made}`,
    replica: replicaInfo,
  };
}
