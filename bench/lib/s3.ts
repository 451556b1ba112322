/** SDK clients against the local stack and the small S3 chores the cases share. */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Agent } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createBucket, provisionConfig as provisionConfigOnStack } from '../../cli/local-relay/provision.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import { MIB } from './units.ts';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * Clients per region for one endpoint, created once — like the relay's own client factories, each S3
 * client has its own connection pool (the SDK's default: keep-alive, 50 sockets) unless `maxSockets` says
 * otherwise.
 */
export class LocalClients {
  readonly #s3 = new Map<string, S3Client>();
  readonly #sfn = new Map<string, SFNClient>();
  readonly #agents: Agent[] = [];

  constructor(
    readonly endpoint: string,
    private readonly maxSockets?: number,
  ) {}

  s3(region: string): S3Client {
    let client = this.#s3.get(region);
    if (!client) {
      client = new S3Client({
        endpoint: this.endpoint,
        region,
        forcePathStyle: true,
        credentials: LOCAL_CREDENTIALS,
        ...(this.maxSockets === undefined
          ? {}
          : { requestHandler: { httpAgent: this.#agent(this.maxSockets) } }),
      });
      this.#s3.set(region, client);
    }
    return client;
  }

  #agent(maxSockets: number): Agent {
    const agent = new Agent({ keepAlive: true, maxSockets });
    this.#agents.push(agent);
    return agent;
  }

  sfn(region: string): SFNClient {
    let client = this.#sfn.get(region);
    if (!client) {
      client = new SFNClient({ endpoint: this.endpoint, region, credentials: LOCAL_CREDENTIALS });
      this.#sfn.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.#s3.values()) client.destroy();
    for (const client of this.#sfn.values()) client.destroy();
    for (const agent of this.#agents) agent.destroy();
  }
}

/** Creates a versioned bucket in `region` (idempotent) — the same chore `relay local` does. */
export async function createVersionedBucket(
  clients: LocalClients,
  bucket: string,
  region: string,
): Promise<void> {
  await createBucket(clients.endpoint, bucket, region);
}

/** Every bucket a configuration names (sources and targets), versioned, and its deployment groups. */
export async function provisionConfig(
  clients: LocalClients,
  config: RelayConfig,
  accountId: string,
): Promise<void> {
  await provisionConfigOnStack(clients.endpoint, config, accountId);
}

/** `count` distinct bodies of `size` bytes (random, each with its index stamped at the front). */
export function distinctBodies(count: number, size: number): Buffer[] {
  const base = randomBytes(size);
  return Array.from({ length: count }, (_, i) => {
    const body = Buffer.from(base);
    body.writeUInt32BE(i, 0);
    body.writeUInt32BE(Math.floor(Math.random() * 0xffffffff), 4);
    return body;
  });
}

/** Writes `size` bytes of random-looking data (1 MiB blocks, each stamped) to `path`. */
export async function writeRandomFile(path: string, size: number): Promise<void> {
  const block = randomBytes(MIB);
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += MIB) {
    block.writeUInt32BE(written / MIB, 0);
    const chunk = size - written >= MIB ? block : block.subarray(0, size - written);
    if (!out.write(Buffer.from(chunk)))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}
