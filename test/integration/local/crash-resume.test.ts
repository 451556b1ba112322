/**
 * Durable local executions (issue 10 point 4): `kill -9` of `relay local` (a child process) while a
 * multipart copy is in flight, then a restart on the same data directory. The execution continues by itself
 * — not a redrive — and finishes as a Standard workflow would: every target holds the verified replica, and
 * no multipart upload is left behind in any target bucket.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayOutputSchema } from '../../../core/workflow.ts';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';

const MIB = 1024 * 1024;
const SOURCE_REGION = 'us-west-2';
const STATE_MACHINE_ARN = `arn:aws:states:${SOURCE_REGION}:000000000000:stateMachine:artifact-relay`;
const TARGETS = [
  { bucket: 'crash-eu', region: 'eu-central-1' },
  { bucket: 'crash-ap', region: 'ap-northeast-2' },
] as const;
/** Nine 5 MiB parts per target: eight copied at once, the ninth after them. */
const SIZE = 45 * MIB;
/** Each UploadPartCopy waits this long before the first run, so the kill lands mid-copy. */
const PART_LATENCY_MS = 2500;

const CONFIG = {
  sources: [
    {
      bucket: 'crash-src',
      region: SOURCE_REGION,
      rules: [{ name: 'builds', prefix: 'builds/', targets: TARGETS }],
    },
  ],
  defaults: { multipartThresholdBytes: MIB, partSizeBytes: 5 * MIB },
};

/** Polls `probe` until it returns a value (not `undefined`), failing after `timeoutMs`. */
async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs} ms (${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a crash of relay local in the middle of a multipart copy', () => {
  let dir: string;
  let stack: ChildStack | undefined;
  const clients: Array<{ destroy(): void }> = [];

  const s3 = (endpoint: string, region: string): S3Client => {
    const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: TEST_CREDENTIALS });
    clients.push(client);
    return client;
  };
  const sfnAt = (endpoint: string): SFNClient => {
    const client = new SFNClient({ endpoint, region: SOURCE_REGION, credentials: TEST_CREDENTIALS });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-crash-'));
    await writeFile(join(dir, 'relay.config.json'), JSON.stringify(CONFIG));
    await writeFile(
      join(dir, 'faults.json'),
      JSON.stringify([{ kind: 'latency', operations: ['UploadPartCopy'], latencyMs: PART_LATENCY_MS }]),
    );
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('continues the execution on restart: it succeeds without a redrive and leaves no upload behind', {
    timeout: 240_000,
  }, async () => {
    // Arrange: a relay whose part copies are slow
    const dataDir = join(dir, 'data');
    const config = ['--config', join(dir, 'relay.config.json'), '--time-scale', '0.01'];
    const first = await startChildStack(dataDir, [...config, '--faults', join(dir, 'faults.json')]);
    stack = first;
    const body = randomBytes(SIZE);
    await s3(first.endpoint, SOURCE_REGION).send(
      new PutObjectCommand({ Bucket: 'crash-src', Key: 'builds/big.bin', Body: body }),
    );

    // Act 1: kill -9 once a target's upload holds some parts and is still incomplete
    await poll(
      'a multipart copy in flight with parts copied',
      async () => {
        for (const target of TARGETS) {
          const client = s3(first.endpoint, target.region);
          const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: target.bucket }));
          for (const upload of listed.Uploads ?? []) {
            const parts = await client.send(
              new ListPartsCommand({ Bucket: target.bucket, Key: upload.Key, UploadId: upload.UploadId }),
            );
            if ((parts.Parts?.length ?? 0) > 0) return true;
          }
        }
        return undefined;
      },
      120_000,
    );
    await first.kill();

    // Act 2: the same data directory, without the slow parts
    const second = await startChildStack(dataDir, config);
    stack = second;
    const sfn = sfnAt(second.endpoint);
    const done = await poll<DescribeExecutionCommandOutput>(
      'the execution to finish',
      async () => {
        const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }));
        const [execution] = listed.executions ?? [];
        if (execution?.status === 'RUNNING' || execution === undefined) return undefined;
        return sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
      },
      120_000,
    );
    const history = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: done.executionArn, maxResults: 1000 }),
    );

    // Assert: it ended by itself, as the same run
    expect(done.status).toBe('SUCCEEDED');
    expect(done.redriveCount ?? 0).toBe(0);
    const types = (history.events ?? []).map((event) => event.type);
    expect(types).not.toContain('ExecutionRedriven');
    expect(types).not.toContain('ExecutionAborted');
    expect((history.events ?? []).map((event) => event.id)).toEqual(
      (history.events ?? []).map((_, i) => i + 1),
    );
    // Every target holds the verified replica, and no upload is left in any target bucket
    const output = relayOutputSchema.parse(JSON.parse(done.output ?? '{}'));
    expect(output.results).toHaveLength(TARGETS.length);
    for (const result of output.results) {
      expect(result.status).toMatch(/^(copied|in-sync)$/);
      expect('verifiedBy' in result && typeof result.verifiedBy).toBe('string');
    }
    for (const target of TARGETS) {
      const client = s3(second.endpoint, target.region);
      const head = await client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: 'builds/big.bin' }));
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: target.bucket }));
      expect(head.ContentLength).toBe(SIZE);
      expect(uploads.Uploads ?? []).toEqual([]);
    }
  });
});
