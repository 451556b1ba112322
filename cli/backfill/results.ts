/**
 * The backfill's results (issue #15): what the Distributed Map's ResultWriter wrote — `manifest.json` and
 * the SUCCEEDED / FAILED / PENDING files it lists — read back and counted per target result, so
 * `relay backfill status` can say how many replicas were copied, already in sync, superseded or failed.
 * Each SUCCEEDED entry's `Output` is the child workflow's (state-machine/backfill.ts `RELAY_RESULT`): the
 * relay execution's ARN, status and output.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { relayOutputSchema } from '../../core/workflow.ts';

/** Where the ResultWriter put the manifest (the Map state's `ResultWriterDetails`). */
export interface ResultWriterDetails {
  readonly Bucket: string;
  readonly Key: string;
}

/** The counts a finished backfill reports. */
export interface BackfillTally {
  /** Objects whose relay execution succeeded / failed / never ran (PENDING: the map run stopped first). */
  readonly objects: { readonly succeeded: number; readonly failed: number; readonly pending: number };
  /** Target results of the succeeded relays, by status (copied, in-sync, superseded, source-gone, …). */
  readonly targets: Readonly<Record<string, number>>;
  /** The relay executions that failed (first 20), to look at with `relay show`. */
  readonly failedExecutions: readonly string[];
  /** `s3://bucket/key` of the manifest. */
  readonly manifestUrl: string;
}

interface ManifestFile {
  readonly Key: string;
}

interface Manifest {
  readonly ResultFiles?: {
    readonly SUCCEEDED?: readonly ManifestFile[];
    readonly FAILED?: readonly ManifestFile[];
    readonly PENDING?: readonly ManifestFile[];
  };
}

interface ResultEntry {
  readonly ExecutionArn?: string;
  readonly Output?: string;
  readonly Input?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound');
}

async function readJson<T>(s3: S3Client, bucket: string, key: string): Promise<T> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) ?? 'null') as T;
}

/** The relay execution's ARN named in a failed child's cause (`.sync:2` puts DescribeExecution's answer there). */
function failedRelayArn(entry: ResultEntry): string | undefined {
  try {
    const cause = JSON.parse(entry.Cause ?? '') as { ExecutionArn?: unknown };
    return typeof cause.ExecutionArn === 'string' ? cause.ExecutionArn : undefined;
  } catch {
    return entry.ExecutionArn;
  }
}

/**
 * Reads the manifest and every result file it lists, and counts them; `undefined` when the manifest is not
 * there — not written (a map run that failed before writing its results), or expired with the results
 * bucket's lifecycle rule.
 */
export async function readBackfillResults(
  s3: S3Client,
  details: ResultWriterDetails,
): Promise<BackfillTally | undefined> {
  let manifest: Manifest;
  try {
    manifest = await readJson<Manifest>(s3, details.Bucket, details.Key);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  const files = manifest.ResultFiles ?? {};
  const targets: Record<string, number> = {};
  const failedExecutions: string[] = [];
  let succeeded = 0;
  let failed = 0;
  let pending = 0;
  for (const file of files.SUCCEEDED ?? []) {
    for (const entry of await readJson<ResultEntry[]>(s3, details.Bucket, file.Key)) {
      succeeded += 1;
      let output: unknown;
      try {
        output = (JSON.parse(entry.Output ?? 'null') as { output?: unknown } | null)?.output;
      } catch {
        output = undefined;
      }
      const parsed = relayOutputSchema.safeParse(output);
      if (!parsed.success) {
        targets.unknown = (targets.unknown ?? 0) + 1;
        continue;
      }
      for (const result of parsed.data.results) targets[result.status] = (targets[result.status] ?? 0) + 1;
    }
  }
  for (const file of files.FAILED ?? []) {
    for (const entry of await readJson<ResultEntry[]>(s3, details.Bucket, file.Key)) {
      failed += 1;
      const arn = failedRelayArn(entry);
      if (arn !== undefined && failedExecutions.length < 20) failedExecutions.push(arn);
    }
  }
  for (const file of files.PENDING ?? []) {
    pending += (await readJson<ResultEntry[]>(s3, details.Bucket, file.Key)).length;
  }
  return {
    objects: { succeeded, failed, pending },
    targets,
    failedExecutions,
    manifestUrl: `s3://${details.Bucket}/${details.Key}`,
  };
}
