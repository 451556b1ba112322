/**
 * What the least-privilege scenarios (scenarios.ts, pipeline-scenarios.ts) share: their regions, the
 * one rule they configure, multipart settings, a deployable zip, expected outcomes, and the hooks that
 * change the world between two tasks of a run.
 */
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, PutBucketTaggingCommand } from '@aws-sdk/client-s3';
import type { RelayConfigInput } from '../../../core/config/schema.ts';
import type { CopyResult, TaskInput } from '../../../core/workflow.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import type { TargetInput, TaskHook, WorkflowHarness } from '../workflow/harness.ts';
import type { ExpectedTarget } from './outcomes.ts';

/** A mebibyte. */
export const MIB = 1024 * 1024;
/** The source region of every scenario (and the pipelines' region). */
export const SOURCE_REGION = 'us-west-2';
/** The target regions. */
export const EU = 'eu-central-1';
/** The other target region. */
export const AP = 'ap-northeast-2';
/** The key every workflow scenario uploads. */
export const KEY = 'build_artifacts/web.zip';
/** The one rule every scenario configures. */
export const RULE = { name: 'builds', prefix: 'build_artifacts/', suffix: '.zip' } as const;
/** Two 5 MiB parts and a bit: a multipart copy once the threshold is 1 MiB. */
export const MULTIPART_BYTES = 5 * MIB + 4096;
/** Just above the 1 MiB threshold: a multipart copy of one part (less to move than {@link MULTIPART_BYTES}). */
export const ONE_PART_MULTIPART_BYTES = MIB + 4096;
/** Copies of {@link MULTIPART_BYTES} and {@link ONE_PART_MULTIPART_BYTES} go multipart. */
export const MULTIPART_DEFAULTS = { multipartThresholdBytes: MIB, partSizeBytes: 5 * MIB } as const;

/** A source in {@link SOURCE_REGION} with the one rule and its targets. */
export function source(
  bucket: string,
  targets: readonly TargetInput[],
  extra: object = {},
): RelayConfigInput['sources'][number] {
  return { bucket, region: SOURCE_REGION, rules: [{ ...RULE, targets: [...targets] }], ...extra };
}

/** Sets the source bucket's `TargetBucket` tag to `value` (`bucket@region` entries, space-separated). */
export async function tagSourceBucket(h: WorkflowHarness, bucket: string, value: string): Promise<void> {
  await h.s3(SOURCE_REGION).send(
    new PutBucketTaggingCommand({
      Bucket: bucket,
      Tagging: { TagSet: [{ Key: 'TargetBucket', Value: value }] },
    }),
  );
}

/** A deployable zip whose bytes differ in every call. */
export async function zip(label: string): Promise<Buffer> {
  return zipWithAppspec({ 'index.html': `${label} ${randomBytes(8).toString('hex')}` });
}

/** The expected targets, by bucket. */
export function expect(
  entries: ReadonlyArray<readonly [string, ExpectedTarget]>,
): ReadonlyMap<string, ExpectedTarget> {
  return new Map(entries);
}

/** A target the relay copied to. */
export const COPIED: ExpectedTarget = { status: ['copied'] };

/** Deletes the pinned source version once, after the first Copy result whose status is `status`. */
export function deleteSourceAfterCopy(status: CopyResult['status']): (h: WorkflowHarness) => TaskHook {
  return (h) => {
    let done = false;
    return async (role, input, output) => {
      if (done || role !== 'copy-object' || (output as CopyResult | undefined)?.status !== status) return;
      done = true;
      const { source } = input as TaskInput;
      await h.s3(source.region).send(
        new DeleteObjectCommand({
          Bucket: source.bucket,
          Key: source.key,
          ...(source.versionId === undefined ? {} : { VersionId: source.versionId }),
        }),
      );
    };
  };
}

/**
 * Runs as an execution started before ResolveTargets carried the source's facts and Copy the
 * replica's (state an upgrade leaves to redrive for 14 days): their results lose `source.content` and
 * `replicaFacts`, so Copy and Verify read the source and the replica as they used to — the fallback
 * that keeps Verify's read grants needed. `then` runs after, as the scenario's own hook.
 */
export function asOlderExecution(then?: (h: WorkflowHarness) => TaskHook): (h: WorkflowHarness) => TaskHook {
  return (h) => {
    const own = then?.(h);
    return async (role, input, output) => {
      const result = output as { source?: { content?: unknown }; replicaFacts?: unknown } | undefined;
      if (role === 'resolve-targets' && result?.source !== undefined) delete result.source.content;
      if (role === 'copy-object' && result !== undefined) delete result.replicaFacts;
      await own?.(role, input, output);
    };
  };
}

/** Deletes the source version ResolveTargets pinned, as soon as it returns (before any Copy). */
export function deleteSourceAfterResolve(h: WorkflowHarness): TaskHook {
  return async (role, _input, output) => {
    const pinned = (
      output as { source?: { bucket: string; key: string; region: string; versionId?: string } } | undefined
    )?.source;
    if (role !== 'resolve-targets' || pinned === undefined) return;
    await h.s3(pinned.region).send(
      new DeleteObjectCommand({
        Bucket: pinned.bucket,
        Key: pinned.key,
        ...(pinned.versionId === undefined ? {} : { VersionId: pinned.versionId }),
      }),
    );
  };
}
