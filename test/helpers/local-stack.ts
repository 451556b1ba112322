/** Starts a local stack on a free port in a fresh temporary data directory, for integration tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { createKmsKey } from '../../cli/local-relay/provision.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/index.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Signature verification on, accepting the key pair the test clients sign with (as administrator). */
export const TEST_AUTH = { verifySignatures: true, keyPairs: [TEST_CREDENTIALS] } as const;

export interface TestStack extends LocalStack {
  s3Client(region?: string, options?: { forcePathStyle?: boolean }): S3Client;
  sfnClient(region?: string): SFNClient;
  codeDeployClient(region?: string): CodeDeployClient;
  kmsClient(region?: string): KMSClient;
  /**
   * Creates the KMS key (or alias) an ARN names, in its region, as `relay local` does for a configuration:
   * the local KMS, like AWS, knows only keys that were created, so a test that writes SSE-KMS objects
   * creates its keys first.
   */
  createKmsKey(arn: string): Promise<void>;
  /** Stops the stack and removes its data directory. */
  dispose(): Promise<void>;
}

export async function startTestStack(
  options: Omit<LocalStackOptions, 'port' | 'dataDir'> = {},
): Promise<TestStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'relay-test-'));
  const stack = await startLocalStack({ ...options, port: 0, dataDir });
  const clients: Array<{ destroy(): void }> = [];
  const track = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };
  return Object.assign(stack, {
    s3Client: (region = 'us-east-1', opts: { forcePathStyle?: boolean } = {}) =>
      track(
        new S3Client({
          endpoint: stack.endpoint,
          region,
          forcePathStyle: opts.forcePathStyle ?? true,
          credentials: TEST_CREDENTIALS,
        }),
      ),
    sfnClient: (region = 'us-east-1') =>
      track(new SFNClient({ endpoint: stack.endpoint, region, credentials: TEST_CREDENTIALS })),
    codeDeployClient: (region = 'us-east-1') =>
      track(new CodeDeployClient({ endpoint: stack.endpoint, region, credentials: TEST_CREDENTIALS })),
    kmsClient: (region = 'us-east-1') =>
      track(new KMSClient({ endpoint: stack.endpoint, region, credentials: TEST_CREDENTIALS })),
    async createKmsKey(arn: string) {
      await createKmsKey(stack.endpoint, arn, TEST_CREDENTIALS);
    },
    async dispose() {
      for (const c of clients) c.destroy();
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
