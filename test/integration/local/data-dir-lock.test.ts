/**
 * One data directory, one stack: a second `relay local` on a directory another one has open is refused before
 * it serves anything (the local S3's index is LevelDB, which one process opens at a time), with a message that
 * names the fix; once the first stops, the directory opens again with everything it held.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBucket } from '../../../cli/local-relay/provision.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';

const REGION = 'eu-west-1';

describe('a data directory in use', () => {
  let dir: string;
  const stacks: LocalStack[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-data-dir-lock-'));
  });

  afterEach(async () => {
    for (const stack of stacks.splice(0)) await stack.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a second stack on it, naming --data-dir, and opens again once the first has stopped', async () => {
    // Arrange
    const first = await startLocalStack({ port: 0, dataDir: dir });
    stacks.push(first);
    await createBucket(first.endpoint, 'kept', REGION);
    const s3 = new S3Client({
      endpoint: first.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a.zip', Body: 'abc' }));
    s3.destroy();

    // Act
    const second = startLocalStack({ port: 0, dataDir: dir });
    await expect(second).rejects.toThrow(/another process has the local S3 data in .* open .* --data-dir/);
    await stacks.splice(0)[0]?.stop();
    const reopened = await startLocalStack({ port: 0, dataDir: dir });
    stacks.push(reopened);

    // Assert
    const client = new S3Client({
      endpoint: reopened.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    const head = await client.send(new HeadObjectCommand({ Bucket: 'kept', Key: 'a.zip' }));
    client.destroy();
    expect(head.ContentLength).toBe(3);
  });
});
