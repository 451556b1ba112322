/**
 * Case — a backfill at scale (issue #15 point 4): N small objects (100,000; quick: 1,000) already in a source
 * bucket, each to 2 targets, relayed once by the backfill workflow and once by the per-object replay, side by
 * side in one run.
 *
 * - **Seeding.** `relay local --no-relay` (no relay deployed: no EventBridge rule, so nothing is relayed as the
 *   objects land) with the source bucket created as `relay local` creates it (versioned); N PutObjects of 4 KiB,
 *   {@link SEED_CONCURRENCY} in flight. The data directory is then copied, so both sides start from the same
 *   bytes.
 * - **(a) Backfill.** `relay local --config …` (a child process, as a person runs it, `MALLOC_ARENA_MAX=2` as
 *   bin/relay.mjs sets) on the seeded directory; `relay replay s3://… --distributed` (a second child: it lists
 *   the source, prints the estimate and starts the backfill workflow — BuildWorkList, then a Distributed Map
 *   whose every item starts one relay execution and waits for it). The case follows the backfill execution
 *   and its map run through the SDK (once a second) and reads, once it ended, the work-list phase from its history and the map-run phase from
 *   DescribeMapRun.
 * - **(b) Per-object replay.** A fresh `relay local --config …` on the copy; `relay replay s3://…` with the
 *   threshold raised so it stays per-object: the CLI lists the source and starts one relay execution per object
 *   itself ({@link CLI_CONCURRENCY} StartExecution calls in flight, its default), with at most as many relay
 *   executions running at once as the backfill's map run ({@link BACKFILL_CONCURRENCY}, `--max-in-flight`),
 *   so both run the same number of relays at once. Done when every execution has stopped.
 *
 * Memory and CPU: the stack's resident set and CPU time (/proc/<pid>/status, /proc/<pid>/stat) are sampled
 * every {@link SAMPLE_MS} ms from this process; its VmHWM is the peak. Objects done at a sample come from the
 * relay executions' stop dates (read once at the end), so the RSS at 10%, 20%, … 100% of the objects needs no
 * polling of the stack. The stack runs with bench/children/heap-report.mjs preloaded: on SIGUSR2 it runs full
 * GCs (until V8's committed heap stops shrinking) and reports its memory — in (a) at each tenth of the objects
 * done, 10% … 90% (the same executions in flight at each: the slope from 10% to 90% is the heap kept per object,
 * and the least-squares trend of the RSS through the nine is beside it), and at the end; the flat-memory goal
 * holds the RSS after them from 10% to 90% and from 10% to the end. Its two parts are reported beside it: anonymous (what the stack allocated) and
 * file-backed (pages of files it maps — LevelDB maps the local S3's index files; page cache the kernel may take
 * back), so that growth from reading a bigger index on disk is told apart from memory the stack holds. A CLI process's peak RSS and CPU are its own getrusage, written at exit by
 * bench/children/rusage.mjs. Every object must be relayed: each target bucket then holds N replicas, on both
 * sides. Should `relay local` die under the per-object replay (its executions pile up in flight), that is
 * reported as (b)'s outcome.
 *
 * `BENCH_STACK_NODE_ARGS` adds Node.js options to the stack processes (e.g. `--cpu-prof --cpu-prof-dir=…` to
 * see where a relayed object's time goes).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
} from '@aws-sdk/client-sfn';
import { DEFAULT_BACKFILL_CONCURRENCY } from '../../core/backfill.ts';
import { LOCAL_DEFAULTS } from '../../local/index.ts';
import { DEFAULT_STATE_MACHINE_NAME } from '../../local/relay.ts';
import { stateMachineArn } from '../../local/stepfunctions/arn.ts';
import { BACKFILL_STATES } from '../../state-machine/backfill.ts';
import {
  BACKFILL_OBJECTS_ENV,
  backfillObjectCount,
  cpuBetween,
  FULL_BACKFILL_OBJECTS,
  growthFromTenthToEnd,
  type HeapAtTenth,
  heapSlope,
  inFlightAt,
  latestStop,
  maxInFlight,
  perSecond,
  progressOf,
  type RssAtTenth,
  type RssSample,
  rssByTenth,
  rssTrend,
  workListPhase,
} from '../lib/backfill-measure.ts';
import {
  type MemoryAfterGc,
  memoryAfterGc,
  processCpuMs,
  REPO_ROOT,
  type RunningChild,
  spawnNode,
} from '../lib/child.ts';
import { executionHistory, listExecutions } from '../lib/executions.ts';
import { RULE_PREFIX, RULE_SUFFIX, SOURCE_REGION, sourceBucketOf, targetsOf } from '../lib/relay-config.ts';
import { type CaseContext, type CaseResult, figure } from '../lib/result.ts';
import { createVersionedBucket, LocalClients } from '../lib/s3.ts';
import { mapLimit, round } from '../lib/stats.ts';
import { KIB, MIB } from '../lib/units.ts';

const run = promisify(execFile);

const NAME = 'backfill';
const TARGETS = 2;
const SIZE = 4 * KIB;
const TIME_SCALE = 0.001;
/** PutObjects in flight while seeding (one socket each). */
const SEED_CONCURRENCY = 64;
/** The CLI's own default for `--concurrency` (StartExecution calls in flight, per-object). */
const CLI_CONCURRENCY = 8;
/** Relay executions the backfill runs at once (`--concurrency` of `relay replay --distributed`): the workflow's default. */
const BACKFILL_CONCURRENCY = DEFAULT_BACKFILL_CONCURRENCY;
const SAMPLE_MS = 250;
/** The tenths of the backfill at which the stack's memory is read after full GCs. */
const HEAP_READINGS_AT = [1, 2, 3, 4, 5, 6, 7, 8, 9] as const;
/** A side that has not ended after this long (plus {@link GIVE_UP_MS_PER_OBJECT} per object) has failed. */
const GIVE_UP_MS = 10 * 60_000;
/** Ten times what an object takes on two shared cores. */
const GIVE_UP_MS_PER_OBJECT = 100;
const POLL_MS = 1000;
/** Flat: the stack's RSS from 10% to 100% of the objects relayed by the backfill should grow less than this. */
const GOAL_GROWTH_MIB = 50;
const RELAY_BIN = join(REPO_ROOT, 'bin', 'relay.mjs');
const HEAP_REPORT_PRELOAD = pathToFileURL(join(REPO_ROOT, 'bench', 'children', 'heap-report.mjs')).href;
const RUSAGE_PRELOAD = pathToFileURL(join(REPO_ROOT, 'bench', 'children', 'rusage.mjs')).href;
/** The relay `relay local` deploys (in the region of the configuration's source). */
const RELAY_STATE_MACHINE = stateMachineArn(
  SOURCE_REGION,
  LOCAL_DEFAULTS.accountId,
  DEFAULT_STATE_MACHINE_NAME,
);

/** The configuration both stacks deploy: `relay/*.zip` of the source to two targets in other regions. */
function configDocument(): Record<string, unknown> {
  return {
    sources: [
      {
        bucket: sourceBucketOf(NAME),
        region: SOURCE_REGION,
        rules: [
          { name: 'artifacts', prefix: RULE_PREFIX, suffix: RULE_SUFFIX, targets: targetsOf(NAME, TARGETS) },
        ],
      },
    ],
  };
}

function keyOf(i: number): string {
  return `${RULE_PREFIX}artifact-${String(i).padStart(6, '0')}${RULE_SUFFIX}`;
}

/** The environment of a `relay` process: no AWS settings of the person running the bench, no colours. */
function relayEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', NODE_NO_WARNINGS: '1', ...extra };
  for (const name of ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'FORCE_COLOR'])
    delete env[name];
  return env;
}

interface LocalStackChild {
  readonly child: RunningChild;
  readonly endpoint: string;
}

/**
 * The heap in use and the resident set (with its anonymous and file-backed parts when reported); beside them,
 * for reading where a growth is, the heap V8 has committed and the memory outside it (`external`, of which
 * `arrayBuffers`: typed arrays, Buffers).
 */
function residentOf(usage: MemoryAfterGc): {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  rss: number;
  rssAnon?: number;
  rssFile?: number;
} {
  return {
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    rss: usage.rss,
    ...(usage.rssAnon !== undefined ? { rssAnon: usage.rssAnon } : {}),
    ...(usage.rssFile !== undefined ? { rssFile: usage.rssFile } : {}),
  };
}

/** `relay local` on `dataDir`: with the relay deployed from `configPath`, or (without) no relay at all. */
async function startRelayLocal(dataDir: string, configPath?: string): Promise<LocalStackChild> {
  const child = spawnNode(
    [
      ...(process.env.BENCH_STACK_NODE_ARGS ?? '').split(' ').filter(Boolean),
      '--expose-gc',
      '--import',
      HEAP_REPORT_PRELOAD,
      RELAY_BIN,
      'local',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--quiet',
      '--no-console',
      '--time-scale',
      String(TIME_SCALE),
      ...(configPath === undefined ? ['--no-relay'] : ['--config', configPath]),
    ],
    relayEnv({ MALLOC_ARENA_MAX: '2' }),
  );
  try {
    const ready = await child.waitForLine(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    return { child, endpoint: ready[1]! };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Samples a process's resident set every {@link SAMPLE_MS} ms until stopped. */
class RssSampler {
  readonly samples: RssSample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly child: RunningChild) {
    this.#timer = setInterval(() => void this.take(), SAMPLE_MS);
  }

  async take(): Promise<RssSample | undefined> {
    try {
      const [memory, cpuMs] = await Promise.all([this.child.memory(), processCpuMs(this.child.pid)]);
      const sample = { at: Date.now(), rss: memory.rss, cpuMs };
      this.samples.push(sample);
      return sample;
    } catch {
      return undefined; // the process is gone
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The largest resident set sampled (a sample read while the process was dying may be NaN: skipped). */
  max(): number {
    return this.samples.reduce((max, s) => (Number.isFinite(s.rss) && s.rss > max ? s.rss : max), 0);
  }
}

interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** Peak resident set of the CLI process, bytes. */
  readonly maxRss: number;
  /** CPU time the CLI process used, ms. */
  readonly cpuMs: number;
}

/** Runs `relay …args` to its end, with its peak RSS and CPU time. */
async function runRelayCli(args: readonly string[], rusageFile: string): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', RUSAGE_PRELOAD, RELAY_BIN, ...args], {
    cwd: REPO_ROOT,
    env: relayEnv({ RELAY_BENCH_RUSAGE_FILE: rusageFile }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  const ms = performance.now() - started;
  const usage = JSON.parse(
    await readFile(rusageFile, 'utf8').catch(() => '{"maxRss":null,"cpuMs":null}'),
  ) as { maxRss: number | null; cpuMs: number | null };
  return { code, stdout, stderr, ms, maxRss: usage.maxRss ?? Number.NaN, cpuMs: usage.cpuMs ?? Number.NaN };
}

function check(cli: CliRun, what: string): void {
  if (cli.code !== 0) {
    throw new Error(`${what} exited with ${cli.code}: ${(cli.stderr || cli.stdout).slice(-2000)}`);
  }
}

/** Objects in a bucket (ListObjectsV2, every page). */
async function countObjects(clients: LocalClients, bucket: string, region: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await clients
      .s3(region)
      .send(new ListObjectsV2Command({ Bucket: bucket, ...(token ? { ContinuationToken: token } : {}) }));
    count += page.KeyCount ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return count;
}

/** Replicas at each target (each should hold every object). */
async function replicasPerTarget(clients: LocalClients): Promise<number[]> {
  const counts: number[] = [];
  for (const target of targetsOf(NAME, TARGETS)) {
    counts.push(await countObjects(clients, target.bucket, target.region));
  }
  return counts;
}

/** Seeds N objects with no relay deployed; the seeding time and rate. */
async function seed(ctx: CaseContext, dataDir: string, objects: number) {
  const stack = await startRelayLocal(dataDir);
  const clients = new LocalClients(stack.endpoint, SEED_CONCURRENCY);
  try {
    await createVersionedBucket(clients, sourceBucketOf(NAME), SOURCE_REGION);
    const base = randomBytes(SIZE);
    const s3 = clients.s3(SOURCE_REGION);
    const started = performance.now();
    let done = 0;
    await mapLimit(
      Array.from({ length: objects }, (_, i) => i),
      SEED_CONCURRENCY,
      async (i) => {
        const body = Buffer.from(base);
        body.writeUInt32BE(i, 0);
        await s3.send(new PutObjectCommand({ Bucket: sourceBucketOf(NAME), Key: keyOf(i), Body: body }));
        done += 1;
        if (done % 10_000 === 0) ctx.progress(`seeded ${done} of ${objects}`);
      },
    );
    const ms = performance.now() - started;
    const listed = await countObjects(clients, sourceBucketOf(NAME), SOURCE_REGION);
    if (listed !== objects) throw new Error(`seeding: ${listed} objects listed, ${objects} put`);
    return { ms, objectsPerSecond: round(perSecond(objects, ms), 0) };
  } finally {
    clients.destroy();
    await stack.child.stop();
  }
}

/** The relay executions, with the stack's RSS at each tenth of them done and the most in flight at once. */
async function relayExecutionsOf(clients: LocalClients, samples: readonly RssSample[], objects: number) {
  const executions = await listExecutions(clients.sfn(SOURCE_REGION), RELAY_STATE_MACHINE);
  const byStatus: Record<string, number> = {};
  for (const e of executions) byStatus[e.status ?? '?'] = (byStatus[e.status ?? '?'] ?? 0) + 1;
  const tenths = rssByTenth(progressOf(samples, executions), objects);
  return {
    executions,
    byStatus,
    tenths,
    maxInFlight: maxInFlight(executions),
    lastStop: latestStop(executions),
  };
}

function tenthsMiB(tenths: readonly RssAtTenth[]): Array<{ percent: number; rssMiB: number }> {
  return tenths.map((t) => ({ percent: t.percent, rssMiB: round(t.rss / MIB, 1) }));
}

/** (a): the backfill workflow through `relay replay --distributed`. */
async function backfillSide(ctx: CaseContext, dataDir: string, configPath: string, objects: number) {
  const stack = await startRelayLocal(dataDir, configPath);
  const clients = new LocalClients(stack.endpoint);
  const sampler = new RssSampler(stack.child);
  try {
    const sfn = clients.sfn(SOURCE_REGION);
    const before = await listExecutions(sfn, RELAY_STATE_MACHINE);
    if (before.length !== 0) throw new Error(`seeding started ${before.length} relay executions`);
    const idle = await stack.child.memory();
    const heapIdle = await memoryAfterGc(stack.child, 1);
    const startedAt = Date.now();
    const cli = await runRelayCli(
      [
        'replay',
        `s3://${sourceBucketOf(NAME)}/${RULE_PREFIX}`,
        '--distributed',
        '--concurrency',
        String(BACKFILL_CONCURRENCY),
        '--json',
        '--endpoint-url',
        stack.endpoint,
        '--config',
        configPath,
      ],
      join(ctx.workDir, 'cli-distributed.rusage.json'),
    );
    check(cli, 'relay replay --distributed');
    const { backfill } = JSON.parse(cli.stdout) as { backfill: { name: string; executionArn: string } };
    ctx.progress(
      `(a) backfill ${backfill.name} started after ${round(cli.ms / 1000, 1)} s (listing, estimate)`,
    );
    let lastReport = Date.now();
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn: backfill.executionArn }));
    let mapRunArn: string | undefined;
    let reports = 1;
    /**
     * The stack's memory after full GCs once 10%, 20%, … 90% of the objects were done (nine pauses of a
     * fraction of a second in a run of minutes).
     */
    const heapByTenth: HeapAtTenth[] = [];
    const deadline = giveUpAt(startedAt, objects);
    while ((described.status ?? 'RUNNING') === 'RUNNING') {
      if (Date.now() > deadline)
        throw new Error(`(a) the backfill ${backfill.name} is still running: gave up`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: backfill.executionArn }));
      mapRunArn ??= (await sfn.send(new ListMapRunsCommand({ executionArn: backfill.executionArn })))
        .mapRuns?.[0]?.mapRunArn;
      const counts = mapRunArn
        ? (await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).itemCounts
        : undefined;
      const done = (counts?.succeeded ?? 0) + (counts?.failed ?? 0);
      const tenth = HEAP_READINGS_AT[heapByTenth.length];
      if (tenth !== undefined && done >= Math.ceil((objects * tenth) / 10)) {
        const usage = await memoryAfterGc(stack.child, ++reports);
        heapByTenth.push({ percent: tenth * 10, done, ...residentOf(usage) });
      }
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        ctx.progress(
          `(a) ${counts ? `${counts.succeeded} of ${counts.total} objects relayed` : 'building the work list'}, RSS ${round(sampler.max() / MIB, 0)} MiB at most so far`,
        );
      }
    }
    const status = described.status ?? 'RUNNING';
    await sampler.take();
    sampler.stop();
    const memory = await stack.child.memory();
    const heapAtEnd = await memoryAfterGc(stack.child, ++reports);
    const endedAt = described.stopDate?.getTime() ?? Date.now();
    const history = await executionHistory(sfn, backfill.executionArn);
    const workList = workListPhase(history, BACKFILL_STATES.buildWorkList);
    mapRunArn ??= (await sfn.send(new ListMapRunsCommand({ executionArn: backfill.executionArn })))
      .mapRuns?.[0]?.mapRunArn;
    const mapRun = mapRunArn ? await sfn.send(new DescribeMapRunCommand({ mapRunArn })) : undefined;
    const mapRunFrom = mapRun?.startDate?.getTime() ?? Number.NaN;
    const mapRunTo = mapRun?.stopDate?.getTime() ?? Number.NaN;
    const relays = await relayExecutionsOf(clients, sampler.samples, objects);
    const replicas = await replicasPerTarget(clients);
    const cpu = (from: number, to: number) => cpuBetween(sampler.samples, from, to);
    return {
      status,
      backfill: backfill.name,
      endToEndMs: endedAt - startedAt,
      cliMs: round(cli.ms, 0),
      cliMaxRss: cli.maxRss,
      cliCpuMs: cli.cpuMs,
      workList,
      mapRunMs: mapRunTo - mapRunFrom,
      stackCpuMs: {
        total: cpu(startedAt, endedAt),
        workList: cpu(workList.from, workList.to),
        mapRun: cpu(mapRunFrom, mapRunTo),
      },
      mapRunItems: mapRun?.itemCounts,
      relayExecutions: relays.byStatus,
      maxInFlight: relays.maxInFlight,
      tenths: relays.tenths,
      replicas,
      idleRss: idle.rss,
      maxSampledRss: sampler.max(),
      vmHwm: memory.peak,
      endRss: memory.rss,
      heapAfterGc: {
        idle: heapIdle.heapUsed,
        byTenth: heapByTenth,
        atEnd: heapAtEnd.heapUsed,
        rssAtEnd: heapAtEnd.rss,
        residentAtEnd: residentOf(heapAtEnd),
      },
      heapPerObjectBytes: heapSlope(heapByTenth),
      /** RSS after a full GC, from 10% of the objects done to the end. */
      rssGrowthAfterGc: heapAtEnd.rss - (heapByTenth[0]?.rss ?? Number.NaN),
      /** The same from 10% to 90%: as many executions in flight at both readings. */
      rssGrowthTo90AfterGc:
        (heapByTenth.find((r) => r.percent === 90)?.rss ?? Number.NaN) - (heapByTenth[0]?.rss ?? Number.NaN),
      /** The least-squares trend of the RSS after full GCs through the nine readings, bytes per object. */
      rssTrendPerObject: rssTrend(heapByTenth),
      /** Its anonymous part (what the stack allocated): the flat-memory figure. */
      anonGrowthAfterGc: (heapAtEnd.rssAnon ?? Number.NaN) - (heapByTenth[0]?.rssAnon ?? Number.NaN),
      /** Its file-backed part (mapped index files: page cache). */
      fileGrowthAfterGc: (heapAtEnd.rssFile ?? Number.NaN) - (heapByTenth[0]?.rssFile ?? Number.NaN),
    };
  } finally {
    sampler.stop();
    clients.destroy();
    await stack.child.stop();
  }
}

/** How (b) ended when `relay local` itself died under it (out of memory, most likely). */
interface StackDied {
  readonly died: true;
  /** Since the CLI started. */
  readonly afterMs: number;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderrTail: string;
  readonly maxSampledRss: number;
  readonly error: string;
}

/**
 * (b): the per-object replay — the CLI starts one relay execution per object. Should `relay local` die under
 * it, that is the outcome reported, not an error of the case.
 */
async function perObjectSide(ctx: CaseContext, dataDir: string, configPath: string, objects: number) {
  const stack = await startRelayLocal(dataDir, configPath);
  const clients = new LocalClients(stack.endpoint);
  const sampler = new RssSampler(stack.child);
  let startedAt = Date.now();
  try {
    const idle = await stack.child.memory();
    const heapIdle = await memoryAfterGc(stack.child, 1);
    startedAt = Date.now();
    const cli = await runRelayCli(
      [
        'replay',
        `s3://${sourceBucketOf(NAME)}/${RULE_PREFIX}`,
        '--threshold',
        String(objects + 1),
        '--concurrency',
        String(CLI_CONCURRENCY),
        '--max-in-flight',
        String(BACKFILL_CONCURRENCY),
        '--endpoint-url',
        stack.endpoint,
        '--config',
        configPath,
      ],
      join(ctx.workDir, 'cli-per-object.rusage.json'),
    );
    check(cli, 'relay replay');
    const cliExitedAt = Date.now();
    const heapAtCliExit = await memoryAfterGc(stack.child, 2);
    ctx.progress(`(b) the CLI started every execution in ${round(cli.ms / 1000, 1)} s`);
    const deadline = giveUpAt(startedAt, objects);
    while ((await listRunning(clients)) > 0) {
      if (Date.now() > deadline) throw new Error('(b) relay executions are still running: gave up');
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await sampler.take();
    sampler.stop();
    const memory = await stack.child.memory();
    const heapAtEnd = await memoryAfterGc(stack.child, 3);
    const relays = await relayExecutionsOf(clients, sampler.samples, objects);
    const replicas = await replicasPerTarget(clients);
    return {
      died: false as const,
      endToEndMs: relays.lastStop - startedAt,
      cliMs: round(cli.ms, 0),
      cliMaxRss: cli.maxRss,
      cliCpuMs: cli.cpuMs,
      stackCpuMs: { total: cpuBetween(sampler.samples, startedAt, relays.lastStop) },
      relayExecutions: relays.byStatus,
      maxInFlight: relays.maxInFlight,
      atCliExit: {
        inFlight: inFlightAt(relays.executions, cliExitedAt),
        done: relays.executions.filter((e) => e.stopDate !== undefined && e.stopDate.getTime() <= cliExitedAt)
          .length,
        heapUsed: heapAtCliExit.heapUsed,
        rss: heapAtCliExit.rss,
      },
      tenths: relays.tenths,
      replicas,
      idleRss: idle.rss,
      maxSampledRss: sampler.max(),
      vmHwm: memory.peak,
      endRss: memory.rss,
      heapAfterGc: { idle: heapIdle.heapUsed, atEnd: heapAtEnd.heapUsed, rssAtEnd: heapAtEnd.rss },
    };
  } catch (error) {
    const { exitCode, signalCode } = stack.child.process;
    if (exitCode === null && signalCode === null) throw error;
    const died: StackDied = {
      died: true,
      afterMs: Date.now() - startedAt,
      exitCode,
      signal: signalCode,
      stderrTail: stack.child.stderr().slice(-1500),
      maxSampledRss: sampler.max(),
      error: error instanceof Error ? error.message.slice(0, 500) : String(error),
    };
    ctx.progress(
      `(b) relay local died after ${round(died.afterMs / 1000, 0)} s: ${died.stderrTail.slice(-200)}`,
    );
    return died;
  } finally {
    sampler.stop();
    clients.destroy();
    await stack.child.stop();
  }
}

function giveUpAt(startedAt: number, objects: number): number {
  return startedAt + GIVE_UP_MS + objects * GIVE_UP_MS_PER_OBJECT;
}

/** Relay executions still RUNNING (one page is enough to tell whether any is). */
async function listRunning(clients: LocalClients): Promise<number> {
  const page = await clients.sfn(SOURCE_REGION).send(
    new ListExecutionsCommand({
      stateMachineArn: RELAY_STATE_MACHINE,
      statusFilter: 'RUNNING',
      maxResults: 1,
    }),
  );
  return page.executions?.length ?? 0;
}

export async function backfillCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const objects = backfillObjectCount({
    quick: ctx.quick,
    flag: ctx.backfillObjects,
    env: process.env[BACKFILL_OBJECTS_ENV],
  });
  const configPath = join(ctx.workDir, 'relay.config.json');
  await writeFile(configPath, JSON.stringify(configDocument(), null, 2));
  const seedDir = join(ctx.workDir, 'backfill');
  const copyDir = join(ctx.workDir, 'per-object');
  ctx.progress(`seeding ${objects} objects of ${SIZE / KIB} KiB (no relay deployed)`);
  const seeded = await seed(ctx, seedDir, objects);
  await run('cp', ['-a', seedDir, copyDir]);
  ctx.progress(`seeded at ${seeded.objectsPerSecond} objects/s; (a) the backfill`);
  const a = await backfillSide(ctx, seedDir, configPath, objects);
  ctx.progress(
    `(a) ${a.status} in ${round(a.endToEndMs / 1000, 1)} s; peak RSS ${round(a.vmHwm / MIB, 0)} MiB; after full GCs: ` +
      `heap kept ${a.heapPerObjectBytes} B per object, RSS growth 10% → 100% ${round(a.rssGrowthAfterGc / MIB, 1)} MiB ` +
      `(10% → 90%: ${round(a.rssGrowthTo90AfterGc / MIB, 1)} MiB; trend ${round((a.rssTrendPerObject * objects * 0.9) / MIB, 1)} MiB) ` +
      `(anonymous ${round(a.anonGrowthAfterGc / MIB, 1)}, file-backed ${round(a.fileGrowthAfterGc / MIB, 1)}) ` +
      `(${a.heapAfterGc.byTenth.map((t) => `${t.percent}%: heap ${round(t.heapUsed / MIB, 0)}, RSS ${round(t.rss / MIB, 0)} MiB`).join('; ')}; ` +
      `end: heap ${round(a.heapAfterGc.atEnd / MIB, 0)}, RSS ${round(a.heapAfterGc.rssAtEnd / MIB, 0)} MiB); (b) the per-object replay`,
  );
  const b = await perObjectSide(ctx, copyDir, configPath, objects);
  if (!b.died) {
    ctx.progress(`(b) done in ${round(b.endToEndMs / 1000, 1)} s; peak RSS ${round(b.vmHwm / MIB, 0)} MiB`);
  }

  const aRate = perSecond(objects, a.endToEndMs);
  const allRelayed = (side: { replicas: number[]; relayExecutions: Record<string, number> }) =>
    side.replicas.every((n) => n === objects) && side.relayExecutions.SUCCEEDED === objects ? 1 : 0;
  const yes = { op: '>=', value: 1 } as const;
  const scaled = objects !== FULL_BACKFILL_OBJECTS;
  const backfillFigures = [
    figure(`backfill: all ${objects} objects relayed to both targets`, allRelayed(a), 'yes=1', yes),
    figure('backfill: throughput end to end', round(aRate, 1), 'objects/s'),
    figure('backfill: throughput of the map run', round(perSecond(objects, a.mapRunMs), 1), 'objects/s'),
    figure('backfill: work-list build', round(a.workList.ms / 1000, 1), 's'),
    figure('backfill: relay local peak RSS', round(a.vmHwm / MIB, 0), 'MiB'),
    figure(
      'backfill: relay local RSS growth from 10% to 100% of the objects (after full GCs)',
      round(a.rssGrowthAfterGc / MIB, 1),
      'MiB',
      { op: '<=', value: GOAL_GROWTH_MIB },
    ),
    figure(
      'backfill: … from 10% to 90% (as many executions in flight at both)',
      round(a.rssGrowthTo90AfterGc / MIB, 1),
      'MiB',
      { op: '<=', value: GOAL_GROWTH_MIB },
    ),
    figure(
      'backfill: … its trend through the nine readings (10% … 90%), over 90% of the objects',
      round((a.rssTrendPerObject * objects * 0.9) / MIB, 1),
      'MiB',
    ),
    figure(
      'backfill: … of it anonymous (memory relay local allocated)',
      round(a.anonGrowthAfterGc / MIB, 1),
      'MiB',
    ),
    figure(
      'backfill: … of it file-backed (mapped LevelDB index files: page cache)',
      round(a.fileGrowthAfterGc / MIB, 1),
      'MiB',
    ),
    figure('backfill: relay local JS heap kept per object', round(a.heapPerObjectBytes / KIB, 2), 'KiB'),
    ...(scaled
      ? [
          figure(
            `backfill: JS heap growth from 10% to 100% extrapolated to ${FULL_BACKFILL_OBJECTS.toLocaleString('en-US')} objects`,
            round((a.heapPerObjectBytes * FULL_BACKFILL_OBJECTS * 0.9) / MIB, 0),
            'MiB',
          ),
        ]
      : []),
    figure('backfill: relay local CPU per object, end to end', round(a.stackCpuMs.total / objects, 1), 'ms'),
    figure('backfill: relay local CPU per object, map run', round(a.stackCpuMs.mapRun / objects, 1), 'ms'),
  ];
  const perObjectFigures = b.died
    ? [
        figure(`per-object replay: all ${objects} objects relayed to both targets`, 0, 'yes=1', yes),
        figure('per-object replay: relay local died after', round(b.afterMs / 1000, 0), 's'),
        figure(
          'per-object replay: relay local RSS at most (sampled)',
          round(b.maxSampledRss / MIB, 0),
          'MiB',
        ),
      ]
    : [
        figure(
          `per-object replay: all ${objects} objects relayed to both targets`,
          allRelayed(b),
          'yes=1',
          yes,
        ),
        figure(
          'per-object replay: throughput end to end',
          round(perSecond(objects, b.endToEndMs), 1),
          'objects/s',
        ),
        figure('per-object replay: relay local CPU per object', round(b.stackCpuMs.total / objects, 1), 'ms'),
        figure('per-object replay: relay local peak RSS', round(b.vmHwm / MIB, 0), 'MiB'),
        figure('per-object replay: most relay executions in flight at once', b.maxInFlight, 'executions'),
        figure('per-object replay: CLI peak RSS', round(b.cliMaxRss / MIB, 0), 'MiB'),
        figure(
          'backfill ÷ per-object replay throughput',
          round(aRate / perSecond(objects, b.endToEndMs), 2),
          '×',
        ),
      ];
  /** What one running relay execution holds in the stack: (b)'s heap when the CLI exited, less what (a) keeps per finished object. */
  const heapPerExecutionInFlight = b.died
    ? undefined
    : Math.round(
        (b.atCliExit.heapUsed - b.heapAfterGc.idle - b.atCliExit.done * a.heapPerObjectBytes) /
          Math.max(1, b.atCliExit.inFlight),
      );
  return {
    id: 'backfill',
    title: 'A backfill against the per-object replay',
    inputs: {
      objects,
      objectBytes: SIZE,
      targetsPerObject: TARGETS,
      timeScale: TIME_SCALE,
      seeding: `relay local --no-relay (no relay deployed, so nothing relayed as the objects land), ${SEED_CONCURRENCY} PutObjects in flight; the data directory then copied for (b)`,
      backfill: `relay replay s3://… --distributed --concurrency ${BACKFILL_CONCURRENCY} (BuildWorkList, then a Distributed Map of relay executions)`,
      perObject: `relay replay s3://… (per-object: --threshold above the count, --concurrency ${CLI_CONCURRENCY}, the CLI's default, --max-in-flight ${BACKFILL_CONCURRENCY} as the backfill's concurrency)`,
      stack:
        'relay local as a child process (node --expose-gc with bench/children/heap-report.mjs preloaded, which answers SIGUSR2 with a full GC and its memory), MALLOC_ARENA_MAX=2 as bin/relay.mjs sets, --quiet --no-console',
      measuredAt: `stack VmRSS and CPU sampled every ${SAMPLE_MS} ms from the bench process; objects done at a sample from the relay executions' stop dates; (a) memory after full GCs at each tenth of the objects (10% … 90%) and at the end; CLI peak RSS and CPU from its getrusage at exit`,
      ...(scaled
        ? {
            scaledDown: `${objects} objects instead of the issue's ${FULL_BACKFILL_OBJECTS.toLocaleString('en-US')}`,
          }
        : {}),
    },
    figures: [...backfillFigures, ...perObjectFigures],
    details: {
      seeding: seeded,
      backfill: { ...a, tenths: tenthsMiB(a.tenths), sampledRssGrowthFromTenth: safeGrowth(a.tenths) },
      perObject: b.died
        ? b
        : {
            ...b,
            tenths: tenthsMiB(b.tenths),
            sampledRssGrowthFromTenth: safeGrowth(b.tenths),
            heapPerExecutionInFlight,
          },
    },
    notes: [
      'Both sides run the same relay executions (one per object, two targets each) on the same local stack; the backfill adds a BuildWorkList phase (the listing, and a HEAD of each target per object for the in-sync check) and one child workflow execution per object, and takes the CLI out of the loop.',
      'The per-object replay starts executions faster than the stack finishes them, so they pile up in flight (each holding its record, history and Map state in memory) until the CLI is done; the backfill runs at most its MaxConcurrency at once.',
    ],
    durationMs: performance.now() - started,
  };
}

function safeGrowth(tenths: readonly RssAtTenth[]): number | null {
  try {
    return growthFromTenthToEnd(tenths);
  } catch {
    return null;
  }
}
