/** Shared builders for the task-function unit tests: workflow inputs and AWS-shaped errors. */
import { S3Client } from '@aws-sdk/client-s3';
import type { TargetConfig } from '../../../core/config/schema.ts';
import type { RelaySettings, SourceObject, TaskInput } from '../../../core/workflow.ts';

export const MIB = 1024 * 1024;

/** An error as the AWS SDK raises it: `name` is the AWS code, `$metadata.httpStatusCode` the status. */
export function awsError(name: string, httpStatusCode: number, message = name): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode },
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
  });
}

export const SETTINGS: RelaySettings = {
  verify: 'auto',
  multipartThresholdBytes: 64 * MIB,
  partSizeBytes: 8 * MIB,
  copyTimeBudgetSeconds: 600,
};

/** The source's full-object checksum. */
export const SOURCE_CHECKSUM = {
  algorithm: 'CRC64NVME',
  value: 'AAAAAAAAAAA=',
  type: 'FULL_OBJECT',
} as const;

export const SOURCE: SourceObject = {
  bucket: 'build-artifacts-oregon',
  key: 'build_artifacts/web.zip',
  region: 'us-west-2',
  versionId: 'v-source-1',
  etag: '9b2cf535f27731c974343645a3985328',
  size: 1024,
  sequencer: '0062E99A88DC407460',
  checksum: SOURCE_CHECKSUM,
  encryption: { type: 'SSE-S3' },
};

export const TARGET: TargetConfig = {
  bucket: 'artifacts-seoul',
  region: 'ap-northeast-2',
  encryption: { type: 'SSE-S3' },
};

/** A per-target task input. */
export function taskInput(overrides: Partial<TaskInput> = {}): TaskInput {
  return { source: SOURCE, settings: SETTINGS, target: TARGET, ...overrides };
}

/** One S3 client per region, so a test can tell which region a request went to. */
export function regionalS3Clients(regions: readonly string[]): {
  clients: Map<string, S3Client>;
  s3ClientFor: (region: string) => S3Client;
} {
  const clients = new Map(
    regions.map((region) => [
      region,
      new S3Client({ region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    ]),
  );
  return {
    clients,
    s3ClientFor: (region) => {
      const client = clients.get(region);
      if (client === undefined) throw new Error(`no test client for ${region}`);
      return client;
    },
  };
}
