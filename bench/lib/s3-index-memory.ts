/**
 * Heap the local S3 keeps per object version. Starts the local stack as `relay local` does (temp data
 * directory, free port), writes N small replica-like objects to a versioned bucket (4 KiB bodies, the
 * relay's replica metadata, ContentType, a CRC64NVME checksum, SSE-KMS on every other object), and prints
 * the heap kept per version after a full GC — once while the stack that wrote them runs, and once after a
 * restart on the same data directory (the store reloaded from disk).
 *
 *   node --expose-gc --import tsx bench/lib/s3-index-memory.ts [objects=20000] [concurrency=8]
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createBucket } from '../../cli/local-relay/provision.ts';
import { REPLICA_METADATA_KEYS } from '../../core/replica-metadata.ts';
import { type LocalStack, startLocalStack } from '../../local/index.ts';
import { memoryAfterFullGc } from './gc.ts';
import { KIB } from './units.ts';

const REGION = 'eu-west-1';
const BUCKET = 'memory-bench-replicas';
const SIZE = 4 * KIB;
/** Bodies are 4 KiB windows of this, so that ETags and checksums differ from object to object. */
const BODIES = randomBytes(2 * SIZE);
const WARM_UP = 1000;
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

if ((globalThis as { gc?: () => void }).gc === undefined) {
  console.error('run with: node --expose-gc --import tsx bench/lib/s3-index-memory.ts');
  process.exit(2);
}

/** Heap in use after full collections. */
async function settledHeap(): Promise<number> {
  return (await memoryAfterFullGc()).heapUsed;
}

function start(dataDir: string): Promise<LocalStack> {
  return startLocalStack({ port: 0, dataDir });
}

function s3Of(stack: LocalStack): S3Client {
  return new S3Client({
    endpoint: stack.endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: CREDENTIALS,
  });
}

async function putAll(
  client: S3Client,
  count: number,
  concurrency: number,
  kmsKey: string,
  prefix = 'builds/',
): Promise<void> {
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const i = next++;
      const key = `${prefix}app-${String(i % 100).padStart(3, '0')}/artifact-${String(i).padStart(6, '0')}.zip`;
      await client.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: BODIES.subarray(i % SIZE, (i % SIZE) + SIZE),
          ContentType: 'application/zip',
          ChecksumAlgorithm: 'CRC64NVME',
          Metadata: {
            [REPLICA_METADATA_KEYS.source]: `source-bucket/${key}`,
            [REPLICA_METADATA_KEYS.sourceVersion]: randomBytes(24).toString('base64url'),
            [REPLICA_METADATA_KEYS.sourceEtag]: randomBytes(16).toString('hex'),
            [REPLICA_METADATA_KEYS.sequencer]: randomBytes(8).toString('hex').toUpperCase(),
          },
          ...(i % 2 === 0
            ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKey }
            : { ServerSideEncryption: 'AES256' as const }),
        }),
      );
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function perVersion(label: string, bytes: number, count: number): void {
  console.log(
    `${label}: ${(bytes / 1024 / 1024).toFixed(1)} MiB kept, ${Math.round(bytes / count)} B per version`,
  );
}

/** Starts a stack on an empty data directory, writes `count` objects, stops it; the heap the objects kept. */
async function writePhase(dataDir: string, count: number, concurrency: number): Promise<number> {
  const stack = await start(dataDir);
  await createBucket(stack.endpoint, BUCKET, REGION);
  const kms = new KMSClient({ endpoint: stack.endpoint, region: REGION, credentials: CREDENTIALS });
  const kmsKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
  kms.destroy();
  const client = s3Of(stack);
  // Warm every code path (SDK, both encryptions, the store) until the JIT has settled, before the baseline;
  // the warm-up's own versions count in the fixed part.
  await putAll(client, WARM_UP, concurrency, kmsKey, 'warm-up/');
  const before = await settledHeap();
  const started = Date.now();
  await putAll(client, count, concurrency, kmsKey);
  const seconds = (Date.now() - started) / 1000;
  const written = await settledHeap();
  console.log(`${count} objects written in ${seconds.toFixed(1)} s (concurrency ${concurrency})`);
  client.destroy();
  await stack.stop();
  return written - before;
}

/** The heap a stack started on `dataDir` keeps, above what the process kept before it started. */
async function heapOfStack(dataDir: string): Promise<number> {
  const idle = await settledHeap();
  const stack = await start(dataDir);
  const held = (await settledHeap()) - idle;
  await stack.stop();
  return held;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  const concurrency = Number(process.argv[3] ?? 8);
  const dataDir = await mkdtemp(join(tmpdir(), 's3-index-memory-'));
  const emptyDir = await mkdtemp(join(tmpdir(), 's3-index-memory-empty-'));
  try {
    const kept = await writePhase(dataDir, count, concurrency);
    perVersion('while running', kept, count);
    // Restarted: what a stack reloading every version (the warm-up's included) keeps, less what a stack
    // started on an empty data directory keeps.
    const empty = await heapOfStack(emptyDir);
    const reloaded = await heapOfStack(dataDir);
    perVersion('after restart', reloaded - empty, count + WARM_UP);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await rm(emptyDir, { recursive: true, force: true });
  }
}

await main();
