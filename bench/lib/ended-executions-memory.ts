/**
 * What the local Step Functions keeps in memory per ended execution (issue #15: `relay local` stays flat
 * through a 100,000-item backfill, which leaves that many ended relay executions). Runs N tiny executions
 * (one Pass state, names shaped like the relay's) to the end on a StepFunctionsService in a temporary data
 * directory, then prints the memory kept per ended execution after a full GC — the JS heap plus the
 * ArrayBuffers it holds (typed arrays live outside the heap) — and what ListExecutions costs over them.
 *
 * ```
 * node --expose-gc --import tsx bench/lib/ended-executions-memory.ts [executions=20000]
 * ```
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executionName } from '../../core/naming.ts';
import { StepFunctionsService } from '../../local/stepfunctions/service.ts';
import type { RequestContext } from '../../local/types.ts';
import { memoryAfterFullGc } from './gc.ts';
import { mapLimit, median, round } from './stats.ts';

const ACCOUNT = '000000000000';
const CTX: RequestContext = { region: 'us-east-1', requestId: 'BENCH', accountId: ACCOUNT };
const WARM_UP = 500;
const CONCURRENCY = 32;
const LIST_RUNS = 20;

/** The memory that stays after a full GC: the JS heap and the ArrayBuffers (typed arrays) it owns. */
async function keptBytes(): Promise<number> {
  const usage = await memoryAfterFullGc();
  return usage.heapUsed + usage.arrayBuffers;
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 20_000);
  if (!Number.isSafeInteger(count) || count < 1)
    throw new Error(`not a number of executions: ${process.argv[2]}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'relay-ended-memory-'));
  const sfn = new StepFunctionsService({ dataDir, accountId: ACCOUNT, timeScale: 0.001 });
  await sfn.init();
  try {
    const { stateMachineArn } = (await sfn.handle(
      'CreateStateMachine',
      {
        name: 'relay',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
        roleArn: `arn:aws:iam::${ACCOUNT}:role/relay`,
      },
      CTX,
    )) as { stateMachineArn: string };
    const run = async (from: number, to: number): Promise<void> => {
      const indexes = Array.from({ length: to - from }, (_, i) => from + i);
      await mapLimit(indexes, CONCURRENCY, async (i) => {
        const key = `backfill/builds/artifact-${String(i).padStart(6, '0')}.zip`;
        const name = executionName('artifacts', key, `"${i.toString(16).padStart(32, '0')}"`);
        const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{}', name });
        const done = await sfn.waitForExecution(executionArn);
        if (done.status !== 'SUCCEEDED') throw new Error(`${executionArn} ended ${done.status}`);
      });
    };
    await run(0, WARM_UP);
    const before = await keptBytes();
    const started = performance.now();
    await run(WARM_UP, WARM_UP + count);
    const seconds = (performance.now() - started) / 1000;
    const after = await keptBytes();
    const list = async (input: Record<string, unknown>): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < LIST_RUNS; i++) {
        const t0 = performance.now();
        await sfn.handle('ListExecutions', { stateMachineArn, ...input }, CTX);
        samples.push(performance.now() - t0);
      }
      return round(median(samples), 2);
    };
    const figures = {
      executions: count,
      seconds: round(seconds, 1),
      keptBytesPerEndedExecution: Math.round((after - before) / count),
      keptMiB: round((after - before) / 1024 / 1024, 2),
      listFirstPageMs: await list({ maxResults: 100 }),
      listNoMatchMs: await list({ statusFilter: 'FAILED' }),
    };
    console.log(JSON.stringify(figures));
  } finally {
    await sfn.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
