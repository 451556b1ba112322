/**
 * `relay deploy`: the StartDeployment task input for a replica the relay wrote, read from the replica
 * itself — its stamp names the source build (bucket, key, version, sequencer, LastModified), which is
 * what the deployment ledger orders by.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { BUNDLE_TYPES } from '../../core/config/schema.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import { parseReplicaMetadata } from '../../core/replica-metadata.ts';
import type { TaskInput } from '../../core/workflow.ts';
import { settingsFromDefaults } from '../../core/workflow.ts';
import { CliError, EXIT_CODES } from '../errors.ts';

/** A CodeDeploy revision bundle type. */
export type BundleType = (typeof BUNDLE_TYPES)[number];

/** What `relay deploy` deploys, and how. */
export interface DeployRequest {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly application: string;
  readonly deploymentGroup: string;
  readonly bundleType?: BundleType | undefined;
  readonly deploymentConfigName?: string | undefined;
  readonly waitTimeoutSeconds: number;
}

const BY_EXTENSION: ReadonlyArray<readonly [RegExp, BundleType]> = [
  [/\.zip$/i, 'zip'],
  [/\.(tgz|tar\.gz)$/i, 'tgz'],
  [/\.tar$/i, 'tar'],
  [/\.ya?ml$/i, 'YAML'],
  [/\.json$/i, 'JSON'],
];

/** `--bundle-type`, else the one the key's extension names. */
export function bundleTypeOf(key: string, given: BundleType | undefined): BundleType {
  if (given !== undefined) return given;
  const found = BY_EXTENSION.find(([pattern]) => pattern.test(key))?.[1];
  if (found === undefined) {
    throw new CliError(
      `cannot tell the bundle type of ${key} from its name: pass --bundle-type (${BUNDLE_TYPES.join(', ')})`,
      EXIT_CODES.usage,
    );
  }
  return found;
}

/**
 * The operator's claim: a fresh id per command, and a redrive count of 1 — an operator's deployment is a
 * deliberate attempt, like a redrive, so it may deploy again a revision whose deployment failed.
 */
function operatorExecution(): { id: string; redriveCount: number } {
  let user = 'operator';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): keep the generic name
  }
  return { id: `relay-deploy:${user}@${hostname()}:${randomUUID()}`, redriveCount: 1 };
}

/** The task input deploying `replica` (as HEAD read it) to the requested group. */
export function replicaDeployInput(request: DeployRequest, replica: StoredObject): TaskInput {
  const stamp = parseReplicaMetadata(replica.metadata);
  if (stamp === undefined) {
    throw new CliError(
      `s3://${request.bucket}/${request.key} is not a replica the relay wrote (it has no x-amz-meta-relay-source): relay deploy deploys relay replicas; deploy other objects with aws deploy create-deployment`,
    );
  }
  const encryption =
    replica.encryption?.type === 'aws:kms' && replica.encryption.kmsKeyId !== undefined
      ? { type: 'aws:kms' as const, kmsKeyArn: replica.encryption.kmsKeyId }
      : { type: 'SSE-S3' as const };
  return {
    source: {
      bucket: stamp.bucket,
      key: stamp.key ?? `#sha256:${stamp.keyHash ?? ''}`,
      // The source's region is not on the replica; StartDeployment does not use it.
      region: request.region,
      etag: stamp.etag ?? replica.etag,
      size: replica.size,
      ...(stamp.versionId === undefined ? {} : { versionId: stamp.versionId }),
      ...(stamp.sequencer === undefined ? {} : { sequencer: stamp.sequencer }),
      ...(stamp.lastModified === undefined ? {} : { lastModified: stamp.lastModified }),
    },
    settings: settingsFromDefaults({
      maxConcurrency: 1,
      verify: 'auto',
      multipartThresholdBytes: 5 * 1024 ** 3,
      partSizeBytes: 64 * 1024 ** 2,
    }),
    target: {
      bucket: request.bucket,
      region: request.region,
      encryption,
      deploy: {
        application: request.application,
        deploymentGroup: request.deploymentGroup,
        bundleType: bundleTypeOf(request.key, request.bundleType),
        waitTimeoutSeconds: request.waitTimeoutSeconds,
        ...(request.deploymentConfigName === undefined
          ? {}
          : { deploymentConfigName: request.deploymentConfigName }),
      },
    },
    copy: {
      status: 'in-sync',
      bytes: replica.size,
      destination: {
        bucket: request.bucket,
        key: request.key,
        etag: replica.etag,
        ...(replica.versionId === undefined ? {} : { versionId: replica.versionId }),
      },
    },
    execution: operatorExecution(),
  };
}
