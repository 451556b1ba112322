/**
 * Objects are streamed to and from disk: a 1 GiB upload and copy must not grow the stack's memory with the
 * object's size. The bound is on resident memory, never on time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

async function writeLargeFile(path: string, size: number): Promise<string> {
  const md5 = createHash('md5');
  const block = randomBytes(MiB);
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += MiB) {
    block.writeUInt32BE(written / MiB, 0); // every block differs
    md5.update(block);
    if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return md5.digest('hex');
}

describe('a 1 GiB object on the local S3', () => {
  let dir: string;
  let stack: ChildStack;
  let s3: S3Client;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-large-'));
    stack = await startChildStack(join(dir, 'data'));
    s3 = new S3Client({
      endpoint: stack.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
  });

  afterAll(async () => {
    s3?.destroy();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads and copies 1 GiB while the server grows by less than 300 MiB', {
    timeout: 600_000,
  }, async () => {
    // Arrange
    const file = join(dir, 'artifact.bin');
    const md5 = await writeLargeFile(file, GiB);
    await s3.send(new CreateBucketCommand({ Bucket: 'large' }));
    await s3.send(new HeadObjectCommand({ Bucket: 'large', Key: 'missing' })).catch(() => undefined);
    const before = await stack.memory();

    // Act: a streamed PutObject (aws-chunked with a trailing checksum) and a server-side copy
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'large',
        Key: 'artifact.bin',
        Body: createReadStream(file),
        ContentLength: GiB,
      }),
    );
    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: 'large', Key: 'artifact-copy.bin', CopySource: 'large/artifact.bin' }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'large', Key: 'artifact-copy.bin' }));
    const after = await stack.memory();

    // Assert
    expect(put.ETag).toBe(`"${md5}"`);
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5}"`);
    expect(head.ContentLength).toBe(GiB);
    const growth = after.peak - before.rss;
    expect(growth, `peak ${after.peak} vs baseline ${before.rss}`).toBeLessThan(300 * MiB);
  });
});
