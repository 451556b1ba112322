/**
 * The Replicas view: for one source object, each target's replica and whether it is in sync — what
 * `relay status s3://bucket/key` says, by `relay status`'s own functions (cli/status/: the target
 * bucket tag, the routing, the source HEAD, checkTargetSafely's comparison). The replica's encryption
 * comes from a HEAD of the replica version the check judged (S3 API reference, HeadObject:
 * `ServerSideEncryption`, `SSEKMSKeyId`).
 */
import { mapConcurrently } from '../../cli/concurrency.ts';
import { checkTargetSafely, type TargetSync } from '../../cli/status/check.ts';
import { bucketTagValue, headObject } from '../../cli/status/objects.ts';
import { findSource, resolveTargets } from '../../core/routing.ts';
import type { ObjectEncryption } from '../../core/workflow.ts';
import type { EncryptionView, ReplicasView, ReplicaView } from '../api-types.ts';
import type { ConsoleBackend } from './api.ts';
import { NotFoundError } from './errors.ts';
import { configOf, optional, required } from './query.ts';

/** Targets checked at once (as `relay status`). */
const CHECK_CONCURRENCY = 4;

function encryptionView(encryption: ObjectEncryption | undefined): EncryptionView | null {
  return encryption === undefined ? null : { type: encryption.type, kmsKeyId: encryption.kmsKeyId ?? null };
}

function replicaView(sync: TargetSync): ReplicaView {
  return {
    target: sync.target.id,
    region: sync.target.region,
    bucket: sync.bucket,
    key: sync.key,
    status: sync.status,
    detail: sync.detail,
    versionId: sync.replica?.versionId ?? null,
    etag: sync.replica?.etag ?? null,
    size: sync.replica?.size ?? null,
    encryption: encryptionView(sync.replica?.encryption),
    deploy:
      sync.target.deploy === undefined
        ? null
        : {
            application: sync.target.deploy.application,
            deploymentGroup: sync.target.deploy.deploymentGroup,
            bundleType: sync.target.deploy.bundleType,
            deploymentConfigName: sync.target.deploy.deploymentConfigName ?? null,
          },
  };
}

/** GET /api/replicas?bucket=&key=&versionId= */
export async function replicasOf(backend: ConsoleBackend, query: URLSearchParams): Promise<ReplicasView> {
  const bucket = required(query, 'bucket');
  const key = required(query, 'key');
  const versionId = optional(query, 'versionId');
  const config = await configOf(backend);
  const source = findSource(config, bucket);
  if (source === undefined) {
    throw new NotFoundError(`s3://${bucket} is not a source bucket in the relay configuration`);
  }
  const s3 = backend.s3For(source.region);
  const tag = source.targetBucketTag;
  const tagValue = tag?.enabled
    ? await bucketTagValue(s3, { bucket, expectedOwner: source.account }, tag.tagKey)
    : undefined;
  const resolution = resolveTargets(
    config,
    { bucket, key },
    tagValue === undefined ? {} : { bucketTagValue: tagValue },
  );
  if (resolution.targets.length === 0) {
    throw new NotFoundError(
      `the relay configuration sends s3://${bucket}/${key} nowhere (${resolution.reason ?? 'no target'}): there is nothing to be in sync with`,
    );
  }
  const facts = await headObject(s3, { bucket, key, versionId });
  if (facts === undefined) {
    const version = versionId === undefined ? '' : ` (version ${versionId})`;
    throw new NotFoundError(`s3://${bucket}/${key}${version} does not exist in ${source.region}`);
  }
  const state = { config: source, key, facts, verify: config.defaults.verify };
  const targets = await mapConcurrently(resolution.targets, CHECK_CONCURRENCY, async (target) =>
    replicaView(await checkTargetSafely((region) => backend.s3For(region), state, target)),
  );
  return {
    source: {
      bucket,
      key,
      region: source.region,
      versionId: facts.versionId ?? null,
      etag: facts.etag,
      size: facts.size,
      encryption: encryptionView(facts.encryption),
    },
    inSync: targets.every((t) => t.status === 'in-sync'),
    targets,
  };
}
