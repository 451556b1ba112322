/**
 * An S3Service behind the local stack's real endpoint (local/server.ts) on a free port, in a fresh data
 * directory, with the events it emits captured — for the S3 integration tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { FaultPlan } from '../../../../local/faults.ts';
import { Authenticator } from '../../../../local/protocol/authentication.ts';
import { S3Service, type S3ServiceOptions } from '../../../../local/s3/service.ts';
import { startEndpoint, stopEndpoint } from '../../../../local/server.ts';
import type { JsonService, S3ObjectCreatedEvent, S3ObjectDeletedEvent } from '../../../../local/types.ts';

export const ACCOUNT_ID = '111122223333';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface S3Harness {
  readonly endpoint: string;
  readonly dataDir: string;
  readonly service: S3Service;
  readonly faults: FaultPlan;
  readonly events: S3ObjectCreatedEvent[];
  /** The "Object Deleted" events, apart, so that `events` stays the creations. */
  readonly deletedEvents: S3ObjectDeletedEvent[];
  readonly logs: string[];
  /** A path-style SDK v3 client signing for `region`. */
  client(region?: string, options?: { readonly forcePathStyle?: boolean }): S3Client;
  /** Stops the endpoint (the data directory is kept until {@link S3Harness.dispose}). */
  stop(): Promise<void>;
  /** A new service and endpoint on the same data directory, as a restarted process would see it. */
  restart(): Promise<S3Harness>;
  dispose(): Promise<void>;
}

const noJson: JsonService = {
  handle: async () => {
    throw new Error('not part of the S3 tests');
  },
};

async function start(dataDir: string, limits: S3ServiceOptions['limits'] | undefined): Promise<S3Harness> {
  const events: S3ObjectCreatedEvent[] = [];
  const deletedEvents: S3ObjectDeletedEvent[] = [];
  const logs: string[] = [];
  const faults = new FaultPlan();
  const service = new S3Service({
    dataDir: join(dataDir, 's3'),
    accountId: ACCOUNT_ID,
    faults,
    ...(limits ? { limits } : {}),
    onObjectCreated: (event) => events.push(event),
    onObjectDeleted: (event) => deletedEvents.push(event),
    log: (line) => logs.push(line),
  });
  await service.init();
  const endpoint = await startEndpoint(
    { s3: service, stepFunctions: noJson, codeDeploy: noJson },
    {
      host: '127.0.0.1',
      port: 0,
      accountId: ACCOUNT_ID,
      authentication: new Authenticator({
        verifySignatures: true,
        secretOf: (id) => (id === CREDENTIALS.accessKeyId ? CREDENTIALS.secretAccessKey : undefined),
      }),
    },
  );
  const clients: S3Client[] = [];
  let stopped = false;
  const harness: S3Harness = {
    endpoint: endpoint.url,
    dataDir,
    service,
    faults,
    events,
    deletedEvents,
    logs,
    client(region = 'us-east-1', options = {}) {
      const client = new S3Client({
        endpoint: endpoint.url,
        region,
        forcePathStyle: options.forcePathStyle ?? true,
        credentials: CREDENTIALS,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of clients) c.destroy();
      await stopEndpoint(endpoint.server);
      await service.close();
    },
    async restart() {
      await harness.stop();
      return start(dataDir, limits);
    },
    async dispose() {
      await harness.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Starts the local S3 alone; `limits` lowers CopyObject's maximum and the minimum part size. */
export async function startS3(limits?: S3ServiceOptions['limits']): Promise<S3Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relay-s3-test-'));
  return start(dataDir, limits);
}
