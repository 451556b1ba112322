/**
 * Case — the console's executions list with 10,000 executions (issue 13: "it must stay responsive with
 * 10,000 executions"). The executions are written into a local Step Functions data directory through its
 * own store (test/integration/console/seed-executions.ts: each a real record and history that
 * ListExecutions, DescribeExecution and GetExecutionHistory answer; 96% SUCCEEDED with the relay's output,
 * 3% FAILED, 1% ABORTED, over 50 build folders), then a child process starts the local stack on that
 * directory and the console beside it (bench/cases/console-list-child.ts), as `relay local` runs them. The
 * case asks the console's API, one request at a time, for the first page, a status filter, a source-key
 * filter and a time window deep in the history (about 80% of the executions newer than it), and reports
 * the median milliseconds per request, and the child's resident memory. Quick: 1,000 executions.
 * Figures are printed, not asserted (console/server/list.ts says what each request costs against AWS).
 */
import { join } from 'node:path';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { relayExecution, SEED_APPS, seedExecutions } from '../../test/integration/console/seed-executions.ts';
import { memoryAfterGc, REPO_ROOT, spawnNode } from '../lib/child.ts';
import { type CaseContext, type CaseResult, figure } from '../lib/result.ts';
import { LOCAL_CREDENTIALS } from '../lib/s3.ts';
import { median, percentile, round } from '../lib/stats.ts';
import { MIB } from '../lib/units.ts';

const REGION = 'us-west-2';
const BUCKET = 'build-artifacts-oregon';
const BASE = new Date('2026-11-01T00:00:00Z');

interface Timed {
  readonly median: number;
  readonly p90: number;
  /** Rows of the last answer, and how many executions it looked at. */
  readonly rows: number;
  readonly scanned: number;
}

/** `reps` GETs of `path` one after another (after one unmeasured warm-up): their times in ms. */
async function measureRequest(base: string, path: string, reps: number): Promise<Timed> {
  const ask = async (): Promise<{ rows: number; scanned: number }> => {
    const response = await fetch(new URL(path, base));
    const body = (await response.json()) as { executions?: unknown[]; scanned?: number; message?: string };
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${body.message ?? ''}`);
    return { rows: body.executions?.length ?? 0, scanned: body.scanned ?? 0 };
  };
  await ask();
  const times: number[] = [];
  let last = { rows: 0, scanned: 0 };
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    last = await ask();
    times.push(performance.now() - t0);
  }
  return { median: round(median(times), 1), p90: round(percentile(times, 90), 1), ...last };
}

export async function consoleListCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const count = ctx.quick ? 1000 : 10_000;
  const reps = ctx.quick ? 5 : 15;
  const dataDir = join(ctx.workDir, 'data');

  ctx.progress(`writing ${count} executions into the local Step Functions store`);
  const t0 = performance.now();
  const stateMachineArn = await seedExecutions(
    dataDir,
    { name: 'artifact-relay', region: REGION },
    (function* () {
      for (let i = 0; i < count; i++) yield relayExecution(i, BASE, BUCKET);
    })(),
  );
  const seedMs = performance.now() - t0;

  const child = spawnNode(
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench', 'cases', 'console-list-child.ts'),
      JSON.stringify({ dataDir, stateMachineArn }),
    ],
    { ...process.env, NODE_NO_WARNINGS: '1', MALLOC_ARENA_MAX: '2' },
  );
  try {
    const ready = await child.waitForLine(/^ready (\S+) (\d+) (\S+)$/m);
    const url = ready[1] ?? '';
    const loadMs = Number(ready[2]);
    const sfn = new SFNClient({ endpoint: ready[3] ?? '', region: REGION, credentials: LOCAL_CREDENTIALS });
    const idle = await child.memory();
    // A window deep in the history: the 1% of executions that started after 20% of them had.
    const from = Math.floor(count * 0.2);
    const since = new Date(BASE.getTime() + from * 1000).toISOString();
    const until = new Date(BASE.getTime() + (from + Math.floor(count / 100)) * 1000).toISOString();
    const requests = {
      firstPage: '/api/executions',
      status: '/api/executions?status=FAILED',
      sourceKey: `/api/executions?key=${encodeURIComponent(`builds/app-${SEED_APPS - 1}/`)}`,
      timeWindow: `/api/executions?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`,
    } as const;
    const timed: Record<keyof typeof requests, Timed> = {
      firstPage: await measureRequest(url, requests.firstPage, reps),
      status: await measureRequest(url, requests.status, reps),
      sourceKey: await measureRequest(url, requests.sourceKey, reps),
      timeWindow: await measureRequest(url, requests.timeWindow, reps),
    };
    // The local stack's own share of a first page: one ListExecutions of 25, straight to the stack.
    const listAlone: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t1 = performance.now();
      await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 25 }));
      if (i > 0) listAlone.push(performance.now() - t1);
    }
    sfn.destroy();
    for (const [name, t] of Object.entries(timed)) {
      ctx.progress(`${name}: median ${t.median} ms (p90 ${t.p90}), ${t.rows} rows, ${t.scanned} looked at`);
    }
    const busy = await child.memory();
    const afterGc = await memoryAfterGc(child, 1);
    const settled = await child.memory();
    return {
      id: 'console-list',
      title: 'The console’s executions list with 10,000 executions',
      inputs: {
        executions: count,
        requestsPerFigure: reps,
        pageSize: 25,
        requests,
        executionsWrittenBy:
          'the local Step Functions store (test/integration/console/seed-executions.ts), loaded by the stack at start',
        server:
          'child process: the local stack and the console beside it, as `relay local` runs them (MALLOC_ARENA_MAX=2)',
        ...(ctx.quick ? { scaledDown: '1,000 executions instead of 10,000 (quick run)' } : {}),
      },
      figures: [
        figure('first page (25 rows), median per request', timed.firstPage.median, 'ms'),
        figure('status filter (FAILED), median per request', timed.status.median, 'ms'),
        figure('source-key filter (one build folder), median per request', timed.sourceKey.median, 'ms'),
        figure('time window 80% deep, median per request', timed.timeWindow.median, 'ms'),
        figure(
          'of which: one ListExecutions of 25 on the local stack, median',
          round(median(listAlone), 1),
          'ms',
        ),
        figure('stack + console RSS after the requests', round(busy.rss / MIB, 0), 'MiB'),
        figure('stack + console RSS after a full GC', round(settled.rss / MIB, 0), 'MiB'),
        figure(`stack start with ${count} executions on disk`, round(loadMs / 1000, 2), 's'),
      ],
      details: {
        timed,
        seedMs: Math.round(seedMs),
        loadMs,
        rss: { idle: idle.rss, afterRequests: busy.rss, afterGc: settled.rss, peak: settled.peak },
        heapAfterGc: { used: afterGc.heapUsed, total: afterGc.heapTotal },
      },
      notes: [
        'Each figure is the median of sequential requests to the console’s own HTTP API (the JSON the page reads), after one warm-up request.',
        'The source-key filter searches one page of executions per request (the rows it would show, 25), so its cost does not grow with the number of executions; the time window passes over the newer executions with ListExecutions pages of 1,000 and describes only those inside it.',
      ],
      durationMs: performance.now() - started,
    };
  } finally {
    await child.stop();
  }
}
