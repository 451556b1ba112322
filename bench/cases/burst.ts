/**
 * Case 5 — a burst. N objects (1,000; quick: 50) of 64 KiB are uploaded at once (every PutObject issued
 * together through one SDK client with its default 50 sockets), each to 3 targets. (With one socket per
 * upload the local stack resets connections while it starts executions: see docs/performance.md.) The local stack with the relay deployed runs in a child
 * process (bench/children/relay-stack.ts) whose resident memory is read from /proc; this process only
 * uploads and polls ListExecutions once a second. Wall time runs from the first PutObject to the last
 * execution's stopDate. Every execution must SUCCEED with all three targets copied and verified, and each
 * target bucket must then hold N objects.
 */
import { join } from 'node:path';
import { ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { memoryAfterGc as heapAfterGc, REPO_ROOT, spawnNode } from '../lib/child.ts';
import { definitionValidationMs } from '../lib/definition-cost.ts';
import {
  allTargetsVerified,
  describeExecution,
  executionHistory,
  listExecutions,
  relayOutputOf,
} from '../lib/executions.ts';
import { benchConfig, RULE_PREFIX, SOURCE_REGION, sourceBucketOf, targetsOf } from '../lib/relay-config.ts';
import { type CaseContext, type CaseResult, figure } from '../lib/result.ts';
import { distinctBodies, LocalClients, provisionConfig } from '../lib/s3.ts';
import { mapLimit, mean, median, percentile, round } from '../lib/stats.ts';
import { KIB, MIB } from '../lib/units.ts';

const NAME = 'burst';
const TARGETS = 3;
const SIZE = 64 * KIB;
const TIME_SCALE = 0.001;
const POLL_MS = 1000;
/** Sockets of the uploading client (the SDK's default); the other PutObjects wait in the client. */
const UPLOAD_SOCKETS = 50;
const GIVE_UP_MS = 15 * 60_000;

async function countVersions(clients: LocalClients, bucket: string, region: string): Promise<number> {
  let count = 0;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await clients.s3(region).send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
      }),
    );
    count += page.Versions?.length ?? 0;
    if (!page.IsTruncated) return count;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

export async function burstCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const objects = ctx.quick ? 50 : 1000;
  const child = spawnNode(
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench', 'children', 'relay-stack.ts'),
      JSON.stringify({
        dataDir: join(ctx.workDir, 'stack'),
        name: NAME,
        targets: TARGETS,
        timeScale: TIME_SCALE,
      }),
    ],
    { ...process.env, NODE_NO_WARNINGS: '1' },
  );
  const ready = await child.waitForLine(/^ready (\S+) (\S+)$/m);
  const endpoint = ready[1]!;
  const stateMachineArn = ready[2]!;
  const clients = new LocalClients(endpoint, UPLOAD_SOCKETS);
  try {
    const config = benchConfig({ name: NAME, targets: TARGETS });
    await provisionConfig(clients, config, '000000000000');
    const sfn = clients.sfn(SOURCE_REGION);
    const bodies = distinctBodies(objects, SIZE);
    const idle = await child.memory();
    const idleHeap = await heapAfterGc(child, 1);

    ctx.progress(`${objects} uploads at once, ${TARGETS} targets each`);
    const t0 = Date.now();
    const uploads = await Promise.allSettled(
      bodies.map((body, i) =>
        clients.s3(SOURCE_REGION).send(
          new PutObjectCommand({
            Bucket: sourceBucketOf(NAME),
            Key: `${RULE_PREFIX}burst/artifact-${String(i).padStart(5, '0')}.zip`,
            Body: body,
            ContentType: 'application/zip',
          }),
        ),
      ),
    );
    const uploadsMs = Date.now() - t0;
    const refused = uploads.filter((u) => u.status === 'rejected');
    if (refused.length > 0) {
      const first = (refused[0] as PromiseRejectedResult).reason;
      throw new Error(`burst: ${refused.length}/${objects} uploads failed, e.g. ${String(first)}`);
    }
    ctx.progress(`uploads done in ${uploadsMs} ms; waiting for ${objects} executions`);

    let rssMax = 0;
    let listed = await listExecutions(sfn, stateMachineArn);
    for (;;) {
      rssMax = Math.max(rssMax, (await child.memory()).rss);
      const finished = listed.filter((e) => e.status !== 'RUNNING').length;
      if (listed.length >= objects && finished === listed.length) break;
      if (Date.now() - t0 > GIVE_UP_MS)
        throw new Error(`burst: ${finished}/${objects} executions finished after ${GIVE_UP_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      listed = await listExecutions(sfn, stateMachineArn);
    }
    const memory = await child.memory();
    const stopTimes = listed.map((e) => e.stopDate?.getTime() ?? Date.now());
    const startTimes = listed.map((e) => e.startDate?.getTime() ?? t0);
    const wallMs = Math.max(...stopTimes) - t0;
    const durations = stopTimes.map((stop, i) => stop - startTimes[i]!);

    ctx.progress('checking every execution and replica');
    const outcomes = await mapLimit(listed, 16, async (e) => {
      const d = await describeExecution(sfn, e.executionArn ?? '');
      return d.status === 'SUCCEEDED' && allTargetsVerified(relayOutputOf(d.output), TARGETS);
    });
    const verified = outcomes.filter(Boolean).length;
    const replicas: Record<string, number> = {};
    for (const t of targetsOf(NAME, TARGETS))
      replicas[t.bucket] = await countVersions(clients, t.bucket, t.region);
    const allReplicas = Object.values(replicas).every((n) => n === objects);
    const retained = await heapAfterGc(child, 2);
    // How big one execution's history is (events with their data), for the memory it keeps.
    const sample = listed.slice(0, 20);
    const historyChars = await mapLimit(
      sample,
      4,
      async (e) => JSON.stringify(await executionHistory(sfn, e.executionArn ?? '', true)).length,
    );
    const validationMs = definitionValidationMs();

    return {
      id: 'burst',
      title: 'Burst',
      inputs: {
        objects,
        objectBytes: SIZE,
        targetsPerObject: TARGETS,
        uploads: `all PutObjects issued together through one SDK client with ${UPLOAD_SOCKETS} sockets (the SDK default); the others wait in the client`,
        timeScale: TIME_SCALE,
        stack:
          'child process (node --import tsx bench/children/relay-stack.ts): local stack + relay handlers',
        pollIntervalMs: POLL_MS,
        ...(ctx.quick ? { scaledDown: '50 objects instead of 1,000 (quick run)' } : {}),
      },
      figures: [
        figure('all relayed and verified', verified === objects && allReplicas ? 1 : 0, 'yes=1', {
          op: '>=',
          value: 1,
        }),
        figure('wall time (first upload → last execution stopped)', wallMs, 'ms'),
        figure('executions per second', round(objects / (wallMs / 1000), 1), 'exec/s'),
        figure('stack peak RSS (VmHWM)', round(memory.peak / MIB, 0), 'MiB'),
        figure('stack RSS idle before the burst', round(idle.rss / MIB, 0), 'MiB'),
      ],
      details: {
        uploadsMs,
        verifiedExecutions: verified,
        executions: listed.length,
        replicasPerTargetBucket: replicas,
        executionMs: { p50: median(durations), p95: percentile(durations, 95), max: Math.max(...durations) },
        lastExecutionStartedAfterMs: Math.max(...startTimes) - t0,
        rss: { idle: idle.rss, maxSampled: rssMax, peak: memory.peak, end: memory.rss },
        historyJsonBytesPerExecution: Math.round(mean(historyChars)),
        idleAfterFullGc: { rss: idleHeap.rss, heapUsed: idleHeap.heapUsed },
        afterFullGc: {
          rss: retained.rss,
          heapUsed: retained.heapUsed,
          external: retained.external,
          arrayBuffers: retained.arrayBuffers,
        },
        definitionValidation: {
          msPerExecution: round(validationMs, 1),
          estimatedTotalMs: Math.round(validationMs * objects),
          shareOfWall: round((validationMs * objects) / wallMs, 2),
        },
      },
      notes: [],
      durationMs: performance.now() - started,
    };
  } finally {
    clients.destroy();
    await child.stop();
  }
}
