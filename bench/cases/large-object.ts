/**
 * Case 4 — a large object. The local S3 runs as a child process (`relay local`); the copy handler runs in a
 * second child (bench/children/copy-large.ts, bundled like a Lambda) with the multipart threshold lowered
 * to 16 MiB, so it copies with CreateMultipartUpload + UploadPartCopy (64 MiB parts, 8 in flight) +
 * CompleteMultipartUpload. The baseline is `fs.copyFile` of the same bytes on the same disk in the same run,
 * before and after the handler's copy (mean of the two). Both are timed until `sync` has put the bytes on
 * the disk (a 1 GiB copy fits in the page cache, so without it the baseline measures memory and whatever
 * writeback happens to be going on); the ratio without sync is reported too. Figures: throughput ratio
 * (handler ÷ copyFile) and the handler process's peak resident memory (VmHWM), at 1 GiB and 4 GiB (quick:
 * 64 MiB).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { createResolveTargetsHandler } from '../../functions/index.ts';
import { REPO_ROOT, spawnNode } from '../lib/child.ts';
import { benchConfig, RULE_PREFIX, SOURCE_REGION, sourceBucketOf } from '../lib/relay-config.ts';
import { type CaseContext, type CaseResult, type Figure, figure } from '../lib/result.ts';
import { LocalClients, provisionConfig, writeRandomFile } from '../lib/s3.ts';
import { mean, round } from '../lib/stats.ts';
import { formatBytes, GIB, MIB } from '../lib/units.ts';

const run = promisify(execFile);
const NAME = 'large';
const THRESHOLD = 16 * MIB;
const RSS_GOAL = 200 * MIB;

interface ChildReport {
  readonly copyMs: number;
  /** Until `sync` returned after the copy: the bytes on the disk. */
  readonly durableMs: number;
  readonly invocations: number;
  readonly status: string;
  readonly bytes: number;
  readonly destination: { bucket: string; key: string; versionId?: string };
  readonly before: { rss: number; peak: number };
  readonly after: { rss: number; peak: number };
  readonly verified: { verifiedBy: string; bytes: number };
}

/** Bundles the child like a deployed Lambda (SDK inside, minified), so it runs with plain `node`. */
async function bundleChild(): Promise<string> {
  const outfile = join(REPO_ROOT, 'bench', '.out', 'children', 'copy-large.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, 'bench', 'children', 'copy-large.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    outfile,
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

/** MD5 over 256 MiB on one core (what the local S3 computes for every byte it stores), MiB/s. */
function md5Throughput(): number {
  const block = Buffer.alloc(4 * MIB, 7);
  const hash = createHash('md5');
  const start = performance.now();
  for (let i = 0; i < 64; i++) hash.update(block);
  hash.digest();
  return Math.round(256 / ((performance.now() - start) / 1000));
}

/**
 * The same bytes through a Node.js stream on one thread, digested with MD5 and CRC32 on the way (what the
 * local S3 does for each part), until on disk: what a JavaScript copier on one core can reach here.
 */
async function timedDigestingStreamCopy(from: string, to: string): Promise<number> {
  await sync();
  const start = performance.now();
  const md5 = createHash('md5');
  let crc = 0;
  const digest = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
  });
  await pipeline(
    createReadStream(from, { highWaterMark: MIB }),
    digest,
    createWriteStream(to, { highWaterMark: MIB }),
  );
  md5.digest();
  await sync();
  const ms = performance.now() - start;
  await rm(to, { force: true });
  return ms;
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

/** Flushes dirty pages so one phase's writes do not slow the next one down. */
async function sync(): Promise<void> {
  await run('sync').catch(() => undefined);
}

interface Timed {
  /** Until the copy returned (its bytes possibly still in the page cache). */
  readonly ms: number;
  /** Until `sync` returned after it: the bytes on the disk. */
  readonly durableMs: number;
}

async function timedCopyFile(from: string, to: string): Promise<Timed> {
  await sync();
  const start = performance.now();
  await copyFile(from, to);
  const ms = performance.now() - start;
  await sync();
  const durableMs = performance.now() - start;
  await rm(to, { force: true });
  return { ms, durableMs };
}

export async function largeObjectCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const sizes = ctx.quick ? [64 * MIB] : [GIB, 4 * GIB];
  const child = await bundleChild();
  const stackDir = join(ctx.workDir, 'stack');
  const filesDir = join(ctx.workDir, 'files');
  await mkdir(filesDir, { recursive: true });
  const stack = spawnNode(
    [join(REPO_ROOT, 'bin', 'relay.mjs'), 'local', '--port', '0', '--data-dir', stackDir, '--quiet'],
    {
      ...process.env,
      NODE_NO_WARNINGS: '1',
    },
  );
  const endpoint = (await stack.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
  const clients = new LocalClients(endpoint);
  const config = benchConfig({ name: NAME, targets: 1, multipartThresholdBytes: THRESHOLD });
  const figures: Figure[] = [];
  const runs: Record<string, unknown>[] = [];
  const notes: string[] = [];
  let md5MiBps = Number.NaN;
  try {
    await provisionConfig(clients, config, '000000000000');
    const stackIdle = await stack.memory();
    const resolve = createResolveTargetsHandler({
      s3ClientFor: (r) => clients.s3(r),
      loadConfig: async () => config,
    });
    for (const size of sizes) {
      const label = formatBytes(size);
      const free = await freeBytes(ctx.workDir);
      // source file + stored object + replica (parts) + baseline copy, and 1 GiB to spare
      if (free < 4 * size + GIB) {
        notes.push(
          `${label} skipped: ${formatBytes(free)} free on the disk, ${formatBytes(4 * size + GIB)} needed.`,
        );
        continue;
      }
      ctx.progress(`${label}: writing the source file and uploading it`);
      const file = join(filesDir, `source-${size}.bin`);
      await writeRandomFile(file, size);
      const key = `${RULE_PREFIX}large-${size}.zip`;
      const put = await clients.s3(SOURCE_REGION).send(
        new PutObjectCommand({
          Bucket: sourceBucketOf(NAME),
          Key: key,
          Body: createReadStream(file),
          ContentLength: size,
          ContentType: 'application/zip',
        }),
      );
      const resolved = await resolve({ bucket: sourceBucketOf(NAME), key, versionId: put.VersionId });
      const destination = resolved.targets[0];
      if (!resolved.source || !destination) throw new Error(`${label}: ResolveTargets found no target`);
      const task = { source: resolved.source, settings: resolved.settings, target: destination };

      ctx.progress(
        `${label}: fs.copyFile, copy handler (UploadPartCopy), fs.copyFile, digesting stream copy`,
      );
      const baselineA = await timedCopyFile(file, join(filesDir, 'copy-a.bin'));
      await sync();
      const copier = spawnNode([child, JSON.stringify({ endpoint, task })]);
      const line = await copier.waitForLine(/^result (.+)$/m);
      await copier.exited();
      const report = JSON.parse(line[1]!) as ChildReport;
      const baselineB = await timedCopyFile(file, join(filesDir, 'copy-b.bin'));
      const streamMs = await timedDigestingStreamCopy(file, join(filesDir, 'copy-stream.bin'));
      const stackMemory = await stack.memory();
      const baselineMs = mean([baselineA.durableMs, baselineB.durableMs]);
      const baselineCachedMs = mean([baselineA.ms, baselineB.ms]);
      const ratio = baselineMs / report.durableMs;
      const cachedRatio = baselineCachedMs / report.copyMs;
      const mibPerS = (ms: number) => round(size / MIB / (ms / 1000), 0);

      // The goal is set at 1 GiB; other sizes report the ratio only.
      figures.push(
        figure(
          `${label}: throughput handler ÷ fs.copyFile (to disk)`,
          round(ratio, 2),
          '×',
          size === GIB ? { op: '>=', value: 0.5 } : undefined,
        ),
      );
      figures.push(figure(`${label}: copy handler throughput (to disk)`, mibPerS(report.durableMs), 'MiB/s'));
      figures.push(figure(`${label}: fs.copyFile throughput (to disk)`, mibPerS(baselineMs), 'MiB/s'));
      figures.push(
        figure(`${label}: throughput ratio into the page cache (no sync)`, round(cachedRatio, 2), '×'),
      );
      figures.push(
        figure(
          `${label}: Node stream copy with MD5 + CRC32, one thread (to disk)`,
          mibPerS(streamMs),
          'MiB/s',
        ),
      );
      figures.push(
        figure(`${label}: handler process peak RSS`, round(report.after.peak / MIB, 0), 'MiB', {
          op: '<=',
          value: RSS_GOAL / MIB,
        }),
      );
      runs.push({
        bytes: size,
        copyMs: { toDisk: round(report.durableMs, 0), returned: round(report.copyMs, 0) },
        invocations: report.invocations,
        status: report.status,
        verifiedBy: report.verified.verifiedBy,
        copyFileMs: {
          toDisk: [round(baselineA.durableMs, 0), round(baselineB.durableMs, 0)],
          returned: [round(baselineA.ms, 0), round(baselineB.ms, 0)],
        },
        throughputMiBps: {
          handler: mibPerS(report.durableMs),
          copyFile: mibPerS(baselineMs),
          handlerIntoPageCache: mibPerS(report.copyMs),
          copyFileIntoPageCache: mibPerS(baselineCachedMs),
          digestingStreamCopy: mibPerS(streamMs),
        },
        handlerRss: { beforeCopy: report.before.rss, peak: report.after.peak, afterCopy: report.after.rss },
        stackRss: { idle: stackIdle.rss, now: stackMemory.rss, peakSoFar: stackMemory.peak },
      });

      // Free the disk: the stored versions and the source file.
      await clients.s3(SOURCE_REGION).send(
        new DeleteObjectCommand({
          Bucket: sourceBucketOf(NAME),
          Key: key,
          ...(put.VersionId ? { VersionId: put.VersionId } : {}),
        }),
      );
      await clients.s3(destination.region).send(
        new DeleteObjectCommand({
          Bucket: report.destination.bucket,
          Key: report.destination.key,
          ...(report.destination.versionId ? { VersionId: report.destination.versionId } : {}),
        }),
      );
      await rm(file, { force: true });
    }
    md5MiBps = md5Throughput();
    const sizesPeak = runs.map((r) => (r.handlerRss as { peak: number }).peak);
    if (sizesPeak.length === 2) {
      figures.push(
        figure(
          'handler peak RSS growth 1 GiB → 4 GiB',
          round((sizesPeak[1]! - sizesPeak[0]!) / MIB, 1),
          'MiB',
        ),
      );
    }
  } finally {
    clients.destroy();
    await stack.stop();
    await rm(stackDir, { recursive: true, force: true });
  }

  return {
    id: 'large-object',
    title: 'Large object',
    inputs: {
      sizes,
      multipartThresholdBytes: THRESHOLD,
      partSizeBytes: config.defaults.partSizeBytes,
      partConcurrency: 8,
      baseline: 'fs.copyFile of the same file on the same disk, before and after the handler copy (mean)',
      timing:
        'to disk: from the start of the copy until `sync` returned after it (dirty pages flushed with `sync` before each timed copy); the ratio without sync is reported too',
      stack: 'child process: node bin/relay.mjs local',
      handler: 'child process: bench/children/copy-large.ts bundled with esbuild (SDK inside), plain node',
      ...(ctx.quick ? { scaledDown: '64 MiB instead of 1 GiB and 4 GiB (quick run)' } : {}),
    },
    figures,
    details: { runs, md5MiBps },
    notes,
    durationMs: performance.now() - started,
  };
}
