import { randomBytes } from 'node:crypto';
import {
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/parse.ts';
import type { RelayConfig } from '../../../core/config/schema.ts';
import { planPermissions } from '../../../core/permissions/plan.ts';
import { policyDocumentOf } from '../../../core/permissions/policy-document.ts';
import type { DeleteReplicaTargetResult, ResolveDeleteOutput } from '../../../core/workflow-delete.ts';
import { createDeleteReplicaHandler } from '../../../functions/delete-replica/index.ts';
import { createResolveRequestHandler } from '../../../functions/resolve-targets/index.ts';
import { createS3ClientFactory } from '../../../functions/shared/clients.ts';
import { localRoleArn } from '../../../local/relay-handlers.ts';
import type { S3BucketEvent } from '../../../local/types.ts';
import { firstTargetInput, type RelayHarness, startRelayHarness } from './harness.ts';

/**
 * DeleteReplica on the local stack through real SDK clients, signing as the delete-replica role with
 * exactly the statements the permission plan gives it: the deletions come from the local S3's own
 * "Object Deleted" events, the replicas from the relay's own Copy.
 */

const SOURCE = { bucket: 'build-artifacts-oregon', region: 'us-west-2' };
const PLAIN = { bucket: 'artifacts-frankfurt', region: 'eu-central-1' };
const VERSIONED = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };

const CONFIG: RelayConfig = parseConfig(
  {
    sources: [
      {
        ...SOURCE,
        rules: [
          {
            name: 'builds',
            prefix: 'builds/',
            propagateDeletes: true,
            targets: [
              { ...PLAIN, keyPrefix: 'releases/' },
              { ...VERSIONED, keyPrefix: 'releases/' },
            ],
          },
        ],
      },
    ],
  },
  'test',
);

describe('DeleteReplica on the local stack', () => {
  let relay: RelayHarness;
  let deleteReplica: (input: unknown) => Promise<DeleteReplicaTargetResult>;
  const events: S3BucketEvent[] = [];

  beforeAll(async () => {
    relay = await startRelayHarness();
    await relay.bucket(SOURCE.bucket, SOURCE.region, { versioned: true });
    await relay.bucket(PLAIN.bucket, PLAIN.region);
    await relay.bucket(VERSIONED.bucket, VERSIONED.region, { versioned: true });
    relay.stack.events.addRule({
      name: 'test-source-events',
      eventPattern: { source: ['aws.s3'], detail: { bucket: { name: [SOURCE.bucket] } } },
      target: async (event) => {
        events.push(event);
      },
    });
    const credentials = {
      accessKeyId: 'delete-replica-test',
      secretAccessKey: randomBytes(24).toString('base64'),
    };
    relay.stack.principals.register({
      ...credentials,
      arn: localRoleArn(relay.stack.accountId, 'delete-replica'),
      account: relay.stack.accountId,
      policies: [policyDocumentOf(planPermissions(CONFIG, relay.stack.accountId)['delete-replica'])],
    });
    deleteReplica = createDeleteReplicaHandler({
      s3ClientFor: createS3ClientFactory({
        endpoint: relay.stack.endpoint,
        forcePathStyle: true,
        credentials,
      }),
    });
  });

  afterAll(async () => {
    await relay?.dispose();
  });

  /** The latest event of `type` for `key`, once the bridge has delivered everything. */
  async function lastEvent(type: S3BucketEvent['detail-type'], key: string): Promise<S3BucketEvent> {
    await relay.stack.events.idle();
    const found = events
      .filter((event) => event['detail-type'] === type && event.detail.object.key === key)
      .at(-1);
    if (found === undefined) throw new Error(`no ${type} event for ${key}`);
    return found;
  }

  /** Uploads `key` and relays it to both targets with the relay's own Copy (from its real event). */
  async function uploadAndRelay(key: string, body: string): Promise<void> {
    await relay.s3(SOURCE.region).send(new PutObjectCommand({ Bucket: SOURCE.bucket, Key: key, Body: body }));
    const resolved = await relay.resolve(CONFIG, await lastEvent('Object Created', key));
    for (const index of [0, 1]) await relay.copyToEnd(firstTargetInput(resolved, index));
  }

  /** Deletes `key` at the source and resolves its Object Deleted event to the delete request. */
  async function deleteAtSource(key: string): Promise<ResolveDeleteOutput> {
    await relay.s3(SOURCE.region).send(new DeleteObjectCommand({ Bucket: SOURCE.bucket, Key: key }));
    const resolve = createResolveRequestHandler({
      s3ClientFor: (region) => relay.s3(region),
      loadConfig: async () => CONFIG,
    });
    const output = await resolve(await lastEvent('Object Deleted', key));
    if (!('operation' in output)) throw new Error('the deletion did not resolve to a delete request');
    return output;
  }

  async function exists(place: { bucket: string; region: string }, key: string): Promise<boolean> {
    try {
      await relay.s3(place.region).send(new HeadObjectCommand({ Bucket: place.bucket, Key: key }));
      return true;
    } catch {
      return false;
    }
  }

  it("deletes the relay's own replica, and gives the versioned target a delete marker", async () => {
    // Arrange
    await uploadAndRelay('builds/web-1.zip', 'build 1');
    const request = await deleteAtSource('builds/web-1.zip');

    // Act
    const results = [];
    for (const target of request.targets)
      results.push(await deleteReplica({ source: request.source, target }));

    // Assert
    expect(request.source.deletion).toBe('delete-marker');
    expect(results.map((result) => result.status)).toEqual(['deleted', 'deleted']);
    expect(results[0]!.destination).toEqual({ bucket: PLAIN.bucket, key: 'releases/web-1.zip' });
    expect(await exists(PLAIN, 'releases/web-1.zip')).toBe(false);
    expect(await exists(VERSIONED, 'releases/web-1.zip')).toBe(false);
    const versions = await relay
      .s3(VERSIONED.region)
      .send(new ListObjectVersionsCommand({ Bucket: VERSIONED.bucket, Prefix: 'releases/web-1.zip' }));
    expect(versions.DeleteMarkers?.map((marker) => marker.VersionId)).toEqual([
      results[1]!.deleteMarkerVersionId,
    ]);
    expect(versions.Versions).toHaveLength(1);
  });

  it('leaves a foreign object under the same key alone', async () => {
    // Arrange
    await uploadAndRelay('builds/web-2.zip', 'build 2');
    await relay
      .s3(PLAIN.region)
      .send(new PutObjectCommand({ Bucket: PLAIN.bucket, Key: 'releases/web-2.zip', Body: 'hand-made' }));
    const request = await deleteAtSource('builds/web-2.zip');

    // Act
    const result = await deleteReplica({ source: request.source, target: request.targets[0] });

    // Assert
    expect(result.status).toBe('not-a-replica');
    expect(await exists(PLAIN, 'releases/web-2.zip')).toBe(true);
  });

  it('leaves alone a replica of a build uploaded after the delete', async () => {
    // Arrange
    await uploadAndRelay('builds/web-3.zip', 'build 3');
    const request = await deleteAtSource('builds/web-3.zip');
    await uploadAndRelay('builds/web-3.zip', 'build 3, again');

    // Act
    const results = [];
    for (const target of request.targets)
      results.push(await deleteReplica({ source: request.source, target }));

    // Assert
    expect(results.map((result) => result.status)).toEqual(['newer-replica', 'newer-replica']);
    expect(await exists(PLAIN, 'releases/web-3.zip')).toBe(true);
    expect(await exists(VERSIONED, 'releases/web-3.zip')).toBe(true);
  });

  it('reports absent where nothing is left to delete', async () => {
    // Arrange
    await uploadAndRelay('builds/web-4.zip', 'build 4');
    const request = await deleteAtSource('builds/web-4.zip');
    await deleteReplica({ source: request.source, target: request.targets[0] });

    // Act
    const again = await deleteReplica({ source: request.source, target: request.targets[0] });

    // Assert
    expect(again.status).toBe('absent');
  });
});
