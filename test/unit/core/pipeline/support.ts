import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { pipelineJobEventSchema } from '../../../../core/pipeline/job.ts';
import type { TargetResult } from '../../../../core/workflow.ts';

/** The job event as the schema reads it. */
export type JobEvent = z.input<typeof pipelineJobEventSchema>;

/** The documented Lambda invoke job event (fixtures/lambda-invoke-job.json), fresh for each test. */
export function jobEventFixture(): JobEvent {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lambda-invoke-job.json');
  return JSON.parse(readFileSync(path, 'utf8')) as JobEvent;
}

/** The job event with `UserParameters` set to `params` (JSON-encoded unless a string). */
export function jobWithParameters(params: unknown, mutate: (event: JobEvent) => void = () => {}): JobEvent {
  const event = jobEventFixture();
  event['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters =
    typeof params === 'string' ? params : JSON.stringify(params);
  mutate(event);
  return event;
}

/** A delivered target result. */
export function delivered(bucket: string, region: string, extra: Partial<TargetResult> = {}): TargetResult {
  return {
    target: { bucket, region, encryption: { type: 'SSE-S3' } },
    status: 'copied',
    bytes: 10,
    verifiedBy: 'checksum:CRC64NVME',
    destination: { bucket, key: 'build_artifacts/app.zip', etag: 'abc', versionId: `v-${bucket}` },
    ...extra,
  } as TargetResult;
}

/** A failed target result. */
export function failed(bucket: string, region: string, error: string, cause?: string): TargetResult {
  return {
    target: { bucket, region, encryption: { type: 'SSE-S3' } },
    status: 'failed',
    error,
    ...(cause === undefined ? {} : { cause }),
  };
}
