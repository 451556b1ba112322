/**
 * Case 6 — memory over a long history (issue 10 point 5: "`relay local` RSS after 1,000 executions is
 * within 50 MiB of its RSS after 100"). The local stack with the relay deployed — what `relay local` runs —
 * in a child process (bench/children/relay-stack.ts) relays small objects (4 KiB, 2 targets) in batches of 20,
 * each batch's executions finished before the next is uploaded: 100 executions, then 900 more (quick: 20,
 * then 180). After each phase, once every execution has
 * finished, the child runs a full GC and its resident set (VmRSS, /proc) is read. The figure is the growth
 * between the two; finished executions should leave memory (kept on disk, read back on demand), so it
 * stays flat however long the stack has run.
 */
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { memoryAfterGc, REPO_ROOT, spawnNode } from '../lib/child.ts';
import { listExecutions } from '../lib/executions.ts';
import { benchConfig, RULE_PREFIX, SOURCE_REGION, sourceBucketOf } from '../lib/relay-config.ts';
import { type CaseContext, type CaseResult, figure } from '../lib/result.ts';
import { distinctBodies, LocalClients, provisionConfig } from '../lib/s3.ts';
import { mapLimit, round } from '../lib/stats.ts';
import { KIB, MIB } from '../lib/units.ts';

const NAME = 'hist';
const TARGETS = 2;
const SIZE = 4 * KIB;
const TIME_SCALE = 0.001;
/** Objects uploaded together; the next batch waits until their executions have finished. */
const BATCH = 20;
const POLL_MS = 100;
const GIVE_UP_MS = 20 * 60_000;
/** The bound on the growth from 100 to 1,000 executions. */
const GOAL_MIB = 50;

/** One stack, one history: the memory after `first` and after `total` executions. */
async function measure(
  ctx: CaseContext,
  label: string,
  env: NodeJS.ProcessEnv,
  first: number,
  total: number,
) {
  const child = spawnNode(
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench', 'children', 'relay-stack.ts'),
      JSON.stringify({
        dataDir: join(ctx.workDir, label),
        name: NAME,
        targets: TARGETS,
        timeScale: TIME_SCALE,
      }),
    ],
    { ...process.env, NODE_NO_WARNINGS: '1', ...env },
  );
  const ready = await child.waitForLine(/^ready (\S+) (\S+)$/m);
  const endpoint = ready[1]!;
  const stateMachineArn = ready[2]!;
  const clients = new LocalClients(endpoint);
  let reports = 0;
  try {
    await provisionConfig(clients, benchConfig({ name: NAME, targets: TARGETS }), '000000000000');
    const sfn = clients.sfn(SOURCE_REGION);
    const bodies = distinctBodies(total, SIZE);
    const idle = await memoryAfterGc(child, ++reports);

    /** Waits until `count` executions exist and none is running. */
    const settled = async (count: number, since: number) => {
      for (;;) {
        const listed = await listExecutions(sfn, stateMachineArn);
        if (listed.length >= count && listed.every((e) => e.status !== 'RUNNING')) return listed;
        if (Date.now() - since > GIVE_UP_MS)
          throw new Error(`history-memory: executions still running after ${GIVE_UP_MS} ms`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    };

    /**
     * Relays objects [from, to) in batches of {@link BATCH}, each batch's executions finished before the next
     * is uploaded — a history that grows at a steady pace, never a pile of executions in flight (case 5
     * measures bursts) — then reads the memory.
     */
    const phase = async (from: number, to: number) => {
      const t0 = Date.now();
      for (let start = from; start < to; start += BATCH) {
        const end = Math.min(to, start + BATCH);
        await mapLimit(
          bodies.slice(start, end).map((body, i) => ({ body, i: start + i })),
          BATCH,
          ({ body, i }) =>
            clients.s3(SOURCE_REGION).send(
              new PutObjectCommand({
                Bucket: sourceBucketOf(NAME),
                Key: `${RULE_PREFIX}history/artifact-${String(i).padStart(5, '0')}.zip`,
                Body: body,
              }),
            ),
        );
        await settled(end, t0);
      }
      const listed = await settled(to, t0);
      const after = await memoryAfterGc(child, ++reports);
      const proc = await child.memory();
      return {
        ms: Date.now() - t0,
        succeeded: listed.filter((e) => e.status === 'SUCCEEDED').length,
        executions: listed.length,
        rss: proc.rss,
        heapUsed: after.heapUsed,
        heapTotal: after.heapTotal,
        external: after.external,
        arrayBuffers: after.arrayBuffers,
        peak: proc.peak,
      };
    };

    ctx.progress(`${label}: ${first} executions (${TARGETS} targets each)`);
    const atFirst = await phase(0, first);
    ctx.progress(
      `${label}: RSS ${round(atFirst.rss / MIB, 0)} MiB after ${first}; ${total - first} more executions`,
    );
    const atTotal = await phase(first, total);
    ctx.progress(`${label}: RSS ${round(atTotal.rss / MIB, 0)} MiB after ${total}`);
    return {
      idle: { heapUsed: idle.heapUsed, rss: idle.rss },
      atFirst,
      atTotal,
      rssGrowthBytes: atTotal.rss - atFirst.rss,
      heapBytesPerExecution: Math.round((atTotal.heapUsed - atFirst.heapUsed) / (total - first)),
    };
  } finally {
    clients.destroy();
    await child.stop();
  }
}

export async function historyMemoryCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const [first, total] = ctx.quick ? [20, 200] : [100, 1000];
  // `npx relay local` runs with MALLOC_ARENA_MAX=2 (the shebang of bin/relay.mjs sets it): the figure the goal is
  // about. The same history with glibc's default arenas is measured for comparison.
  const stack = await measure(ctx, 'two-arenas', { MALLOC_ARENA_MAX: '2' }, first, total);
  const arenas = await measure(ctx, 'default-arenas', { MALLOC_ARENA_MAX: undefined }, first, total);
  return {
    id: 'history-memory',
    title: 'Memory over a long history',
    inputs: {
      executions: [first, total],
      objectBytes: SIZE,
      targetsPerObject: TARGETS,
      batch: BATCH,
      timeScale: TIME_SCALE,
      stack:
        "child process (node --expose-gc --import tsx bench/children/relay-stack.ts): the local stack with the relay deployed, as `npx relay local` runs it — with MALLOC_ARENA_MAX=2, which bin/relay.mjs's shebang sets — and once more with glibc's default malloc arenas for comparison",
      measuredAt: 'every execution finished, then a full GC in the child, then VmRSS from /proc',
      ...(ctx.quick ? { scaledDown: '20 then 200 executions instead of 100 then 1,000 (quick run)' } : {}),
    },
    figures: [
      figure(
        `all ${total} executions succeeded`,
        stack.atTotal.succeeded === total && arenas.atTotal.succeeded === total ? 1 : 0,
        'yes=1',
        { op: '>=', value: 1 },
      ),
      figure(
        `stack RSS growth from ${first} to ${total} executions`,
        round(stack.rssGrowthBytes / MIB, 1),
        'MiB',
        {
          op: '<=',
          value: GOAL_MIB,
        },
      ),
      figure(`stack RSS after ${first} executions`, round(stack.atFirst.rss / MIB, 0), 'MiB'),
      figure(`stack RSS after ${total} executions`, round(stack.atTotal.rss / MIB, 0), 'MiB'),
      figure(
        'JS heap kept per further finished execution',
        round(stack.heapBytesPerExecution / KIB, 1),
        'KiB',
      ),
      figure(
        `stack RSS growth from ${first} to ${total} executions, glibc's default arenas`,
        round(arenas.rssGrowthBytes / MIB, 1),
        'MiB',
      ),
    ],
    details: { ...stack, defaultArenas: arenas },
    notes: [],
    durationMs: performance.now() - started,
  };
}
