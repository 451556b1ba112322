/**
 * Case — a Distributed Map of 100,000 items on the local stack (issue 15 point 3/4: "`relay local` must stay
 * flat in memory through a 100,000-item backfill"). The local stack runs in a child process — this file,
 * started again with a JSON argument — with `MALLOC_ARENA_MAX=2`, as `npx relay local` runs. It writes a
 * JSONL manifest of N small items to its own S3, and runs a state machine whose Distributed Map reads the
 * manifest (`ItemReader` getObject, JSONL), runs each item as a child execution of a trivial processor (one
 * Pass state), and writes the results to S3 (`ResultWriter`). The child samples its resident set every
 * 250 ms while the map run works; the figures are the peak, the growth between 10% and 100% of the items
 * done (flat: finished children live on disk), and the throughput of the engine itself (no relay work).
 * Quick run: 5,000 items.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { spawnNode } from '../lib/child.ts';
import { type CaseContext, type CaseResult, figure } from '../lib/result.ts';
import { LocalClients } from '../lib/s3.ts';
import { round } from '../lib/stats.ts';
import { MIB } from '../lib/units.ts';

const REGION = 'us-east-1';
const BUCKET = 'backfill-bench';
const TIME_SCALE = 0.001;
const SAMPLE_MS = 250;
/** Flat: RSS from 10% to 100% of the items done should grow less than this. */
const GOAL_GROWTH_MIB = 50;

interface ChildInput {
  readonly dataDir: string;
  readonly items: number;
}

interface ChildResult {
  readonly items: number;
  readonly status: string;
  readonly succeeded: number;
  readonly runMs: number;
  readonly idleRss: number;
  readonly peakRssDuringRun: number;
  readonly rssAtTenth: number;
  readonly rssAtEnd: number;
  readonly rssAfterGc: number;
  readonly vmHwm: number;
  readonly heapUsedAfterGc: number;
  readonly samples: number;
}

async function vm(field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** The child: the local stack, the manifest, the map run; prints `result <json>`. */
async function child(input: ChildInput): Promise<void> {
  const { startLocalStack } = await import('../../local/index.ts');
  const stack = await startLocalStack({ port: 0, dataDir: input.dataDir, timeScale: TIME_SCALE });
  const clients = new LocalClients(stack.endpoint);
  try {
    const s3 = clients.s3(REGION);
    const sfn = clients.sfn(REGION);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const lines: string[] = [];
    for (let i = 0; i < input.items; i += 1) {
      lines.push(JSON.stringify({ key: `builds/artifact-${String(i).padStart(6, '0')}.zip`, size: 4096 }));
    }
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'manifests/backfill.jsonl', Body: lines.join('\n') }),
    );
    lines.length = 0;
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'backfill-bench',
        roleArn: 'arn:aws:iam::000000000000:role/backfill-bench',
        definition: JSON.stringify({
          StartAt: 'Backfill',
          States: {
            Backfill: {
              Type: 'Map',
              ItemReader: {
                Resource: 'arn:aws:states:::s3:getObject',
                ReaderConfig: { InputType: 'JSONL' },
                Parameters: { Bucket: BUCKET, Key: 'manifests/backfill.jsonl' },
              },
              ItemProcessor: {
                ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
                StartAt: 'Relay',
                States: {
                  Relay: { Type: 'Pass', Result: { status: 'copied' }, ResultPath: '$.result', End: true },
                },
              },
              MaxConcurrency: 1000,
              ResultWriter: {
                Resource: 'arn:aws:states:::s3:putObject',
                Parameters: { Bucket: BUCKET, Prefix: 'results' },
              },
              End: true,
            },
          },
        }),
      }),
    );
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const idleRss = await vm('VmRSS');
    const started = performance.now();
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    let peak = 0;
    let samples = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
      samples += 1;
    }, SAMPLE_MS);
    let rssAtTenth = 0;
    let mapRunArn: string | undefined;
    let status = 'RUNNING';
    while (status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status ?? 'RUNNING';
      mapRunArn ??= (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns?.[0]?.mapRunArn;
      if (mapRunArn && rssAtTenth === 0) {
        const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
        if ((run.executionCounts?.succeeded ?? 0) >= input.items / 10) rssAtTenth = process.memoryUsage.rss();
      }
    }
    const runMs = performance.now() - started;
    clearInterval(sampler);
    const rssAtEnd = process.memoryUsage.rss();
    peak = Math.max(peak, rssAtEnd);
    const run = mapRunArn ? await sfn.send(new DescribeMapRunCommand({ mapRunArn })) : undefined;
    gc?.();
    const result: ChildResult = {
      items: input.items,
      status,
      succeeded: run?.itemCounts?.succeeded ?? 0,
      runMs,
      idleRss,
      peakRssDuringRun: peak,
      rssAtTenth,
      rssAtEnd,
      rssAfterGc: await vm('VmRSS'),
      vmHwm: await vm('VmHWM'),
      heapUsedAfterGc: process.memoryUsage().heapUsed,
      samples,
    };
    process.stdout.write(`result ${JSON.stringify(result)}\n`);
  } finally {
    clients.destroy();
    await stack.stop();
  }
}

export async function distributedMapCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const items = ctx.quick ? 5_000 : 100_000;
  ctx.progress(`${items} items through a Distributed Map (child executions of one Pass state)`);
  const running = spawnNode(
    [
      '--expose-gc',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      JSON.stringify({ dataDir: join(ctx.workDir, 'stack'), items } satisfies ChildInput),
    ],
    { ...process.env, NODE_NO_WARNINGS: '1', MALLOC_ARENA_MAX: '2' },
  );
  let result: ChildResult;
  try {
    const line = await running.waitForLine(/^result (.+)$/m);
    result = JSON.parse(line[1]!) as ChildResult;
    await running.exited();
  } finally {
    await running.stop();
  }
  const growth = result.rssAtEnd - result.rssAtTenth;
  ctx.progress(
    `${result.status} in ${round(result.runMs / 1000, 1)} s; peak RSS ${round(result.peakRssDuringRun / MIB, 0)} MiB`,
  );
  return {
    id: 'distributed-map',
    title: 'A Distributed Map of 100,000 items on the local stack',
    inputs: {
      items,
      processor: 'one Pass state (the engine alone: no relay work)',
      reader: 'ItemReader arn:aws:states:::s3:getObject, InputType JSONL, from the local S3',
      resultWriter: 'arn:aws:states:::s3:putObject to the local S3',
      maxConcurrency: '1000 asked, 100 run at once (the local cap)',
      timeScale: TIME_SCALE,
      stack: `child process (node --expose-gc --import tsx ${join('bench', 'cases', 'distributed-map.ts')}), MALLOC_ARENA_MAX=2 as bin/relay.mjs sets`,
      measuredAt: `VmRSS sampled every ${SAMPLE_MS} ms in the child during the map run; growth is from the moment 10% of the items had succeeded to the end`,
      ...(ctx.quick ? { scaledDown: '5,000 items instead of 100,000 (quick run)' } : {}),
    },
    figures: [
      figure(
        `all ${items} items succeeded`,
        result.status === 'SUCCEEDED' && result.succeeded === items ? 1 : 0,
        'yes=1',
        {
          op: '>=',
          value: 1,
        },
      ),
      figure(
        'throughput of the engine (child executions)',
        round(items / (result.runMs / 1000), 0),
        'items/s',
      ),
      figure('peak RSS during the map run', round(result.peakRssDuringRun / MIB, 0), 'MiB'),
      figure('RSS growth from 10% to 100% of the items', round(growth / MIB, 1), 'MiB', {
        op: '<=',
        value: GOAL_GROWTH_MIB,
      }),
      figure('RSS of the idle stack before the run', round(result.idleRss / MIB, 0), 'MiB'),
    ],
    details: { ...result },
    notes: [
      'Each child is a full local execution — its own record and history on disk, read back on demand — so the throughput is the engine’s overhead per item; a backfill’s children spend their time in the relay’s S3 work instead.',
    ],
    durationMs: performance.now() - started,
  };
}

// Started as the child: `node --import tsx bench/cases/distributed-map.ts '<json>'`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  child(JSON.parse(process.argv[2] ?? '{}') as ChildInput).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
