/**
 * `relay local --faults FILE`: every fault kind the file can hold takes effect on a real `relay local`
 * process, seen from an SDK client as an application would see it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind, FaultRule } from '../../../local/faults.ts';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { rejection, statusOf } from '../local/s3/support.ts';

const BUCKET = 'faults-file-bucket';
/** How long the latency rule holds a request: far beyond the client's patience below, so no race. */
const HELD_MS = 5_000;
const CLIENT_TIMEOUT_MS = 300;

/**
 * One rule per kind, each scoped to its own key prefix and used up after one hit. `satisfies Record<FaultKind, …>`
 * makes a new kind in local/faults.ts fail the typecheck until it has a rule (and a test) here.
 */
const RULES = {
  slowdown: { kind: 'slowdown', bucket: BUCKET, prefix: 'slowdown/', times: 1 },
  'internal-error': { kind: 'internal-error', bucket: BUCKET, prefix: 'internal-error/', times: 1 },
  reset: { kind: 'reset', bucket: BUCKET, prefix: 'reset/', times: 1 },
  latency: { kind: 'latency', bucket: BUCKET, prefix: 'latency/', latencyMs: HELD_MS, times: 1 },
  'access-denied': { kind: 'access-denied', bucket: BUCKET, prefix: 'access-denied/', times: 1 },
} as const satisfies Record<FaultKind, FaultRule>;

describe('relay local --faults FILE', () => {
  let dir: string;
  let stack: ChildStack;
  let s3: S3Client;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-local-faults-'));
    const file = join(dir, 'faults.json');
    await writeFile(file, JSON.stringify(Object.values(RULES), null, 2));
    stack = await startChildStack(join(dir, 'data'), ['--faults', file, '--no-relay', '--no-console']);
    // One attempt: the SDK would otherwise retry a 503, a 500 or a reset and hide the fault.
    s3 = new S3Client({
      endpoint: stack.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    s3.destroy();
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function put(key: string): Promise<unknown> {
    return s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'artifact' }));
  }

  it.each([
    ['slowdown', 'SlowDown', 503],
    ['internal-error', 'InternalError', 500],
    ['access-denied', 'AccessDenied', 403],
  ] as const)(
    'answers the first request under the %s rule with %s (%i), then serves it',
    async (kind, code, status) => {
      // Act
      const err = await rejection(put(`${kind}/a.zip`));
      const again = await put(`${kind}/a.zip`);

      // Assert
      expect(err.name).toBe(code);
      expect(statusOf(err)).toBe(status);
      expect(again).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    },
  );

  it('drops the connection of the first request under the reset rule without an answer, then serves it', async () => {
    // Act
    const err = await rejection(put('reset/a.zip'));
    const again = await put('reset/a.zip');

    // Assert
    expect(statusOf(err)).toBeUndefined();
    expect(again).toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });

  it('holds the first request under the latency rule past the client timeout, then serves it', async () => {
    // Act
    const held = await rejection(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'latency/a.zip', Body: 'artifact' }), {
        abortSignal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      }),
    );
    const again = await put('latency/b.zip');

    // Assert
    expect(held.name).toBe('AbortError');
    expect(statusOf(held)).toBeUndefined();
    expect(again).toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });
});
