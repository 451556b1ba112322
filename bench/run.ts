/**
 * `npm run bench` — the nine cases of the benchmark, each measured against its own baseline in the same
 * run (these machines are shared and noisy: ratios taken side by side hold, absolute times mean little).
 * Prints a table; a full run writes bench/results.json and docs/performance.md from the same figures, a
 * quick run (`npm run bench -- --quick`, smaller inputs, for CI) writes bench/.out/results.quick.json.
 *
 * Options: `--quick`; `--only <id>[,<id>…]` runs some cases (orchestration, transitions, cold-start,
 * large-object, burst, history-memory, console-list, distributed-map, backfill) and writes only
 * bench/.out/results.partial.json; `--backfill-objects <n>` (or BENCH_BACKFILL_OBJECTS) sets the backfill
 * case's object count (100,000; quick: 1,000); `--render-docs` rewrites
 * docs/performance.md from bench/results.json without measuring (after a change to the page's wording).
 * No figure is asserted on: goals are reported as met or missed.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillCase } from './cases/backfill.ts';
import { burstCase } from './cases/burst.ts';
import { coldStartCase } from './cases/cold-start.ts';
import { consoleListCase } from './cases/console-list.ts';
import { distributedMapCase } from './cases/distributed-map.ts';
import { historyMemoryCase } from './cases/history-memory.ts';
import { largeObjectCase } from './cases/large-object.ts';
import { orchestrationCase } from './cases/orchestration.ts';
import { transitionsCase } from './cases/transitions.ts';
import { REPO_ROOT } from './lib/child.ts';
import { describeMachine } from './lib/machine.ts';
import type { BenchResults, CaseContext, CaseResult } from './lib/result.ts';
import { renderPerformanceDoc, renderTable } from './report.ts';

const CASES: ReadonlyArray<{ id: string; run: (ctx: CaseContext) => Promise<CaseResult> }> = [
  { id: 'orchestration', run: orchestrationCase },
  { id: 'transitions', run: transitionsCase },
  { id: 'cold-start', run: coldStartCase },
  { id: 'large-object', run: largeObjectCase },
  { id: 'burst', run: burstCase },
  { id: 'history-memory', run: historyMemoryCase },
  { id: 'console-list', run: consoleListCase },
  { id: 'distributed-map', run: distributedMapCase },
  { id: 'backfill', run: backfillCase },
];

function parseArgs(argv: readonly string[]): {
  quick: boolean;
  only: Set<string> | undefined;
  backfillObjects: string | undefined;
} {
  const quick = argv.includes('--quick');
  const at = argv.indexOf('--only');
  const only = at >= 0 ? new Set((argv[at + 1] ?? '').split(',').filter(Boolean)) : undefined;
  for (const id of only ?? []) {
    if (!CASES.some((c) => c.id === id))
      throw new Error(`--only: no case "${id}" (${CASES.map((c) => c.id).join(', ')})`);
  }
  const objectsAt = argv.indexOf('--backfill-objects');
  const backfillObjects = objectsAt >= 0 ? (argv[objectsAt + 1] ?? '') : undefined;
  return { quick, only, backfillObjects };
}

async function renderDocsOnly(): Promise<number> {
  const results = JSON.parse(
    await readFile(join(REPO_ROOT, 'bench', 'results.json'), 'utf8'),
  ) as BenchResults;
  if (results.mode !== 'full') throw new Error('bench/results.json is not from a full run');
  await writeFile(join(REPO_ROOT, 'docs', 'performance.md'), renderPerformanceDoc(results));
  process.stderr.write(`wrote docs/performance.md from bench/results.json (run of ${results.startedAt})\n`);
  return 0;
}

async function main(): Promise<number> {
  if (process.argv.includes('--render-docs')) return renderDocsOnly();
  const { quick, only, backfillObjects } = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const t0 = performance.now();
  const machine = await describeMachine();
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  log(
    `artifact-relay bench (${quick ? 'quick' : 'full'}) on ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, ${machine.git.revision.slice(0, 12)}${machine.git.dirty ? ' (dirty)' : ''}`,
  );

  const results: CaseResult[] = [];
  const failures: Array<{ id: string; error: string }> = [];
  for (const c of CASES) {
    if (only && !only.has(c.id)) continue;
    const workDir = await mkdtemp(join(tmpdir(), `relay-bench-${c.id}-`));
    log(`\n▶ ${c.id}`);
    try {
      const result = await c.run({
        quick,
        workDir,
        progress: (line) => log(`  ${line}`),
        ...(backfillObjects === undefined ? {} : { backfillObjects }),
      });
      results.push(result);
      log(`  done in ${(result.durationMs / 1000).toFixed(1)} s`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      failures.push({ id: c.id, error });
      log(`  FAILED: ${error}`);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  const report: BenchResults = {
    mode: quick ? 'quick' : 'full',
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    machine,
    cases: results,
    failures,
  };
  process.stdout.write(`\n${renderTable(report)}\n`);

  if (only) {
    const path = join(REPO_ROOT, 'bench', '.out', 'results.partial.json');
    await mkdir(join(REPO_ROOT, 'bench', '.out'), { recursive: true });
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    log(`\n(--only: a partial run; wrote ${path} only)`);
  } else if (quick) {
    const path = join(REPO_ROOT, 'bench', '.out', 'results.quick.json');
    await mkdir(join(REPO_ROOT, 'bench', '.out'), { recursive: true });
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    log(`\nwrote ${path}`);
  } else {
    await writeFile(join(REPO_ROOT, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    await mkdir(join(REPO_ROOT, 'docs'), { recursive: true });
    await writeFile(join(REPO_ROOT, 'docs', 'performance.md'), renderPerformanceDoc(report));
    log('\nwrote bench/results.json and docs/performance.md');
  }
  return failures.length === 0 ? 0 : 1;
}

// The SDK warns once per client that it will soon need Node.js 22; the run records the Node.js version
// anyway, so keep that one warning out of the output and print any other.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning'))
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

process.exitCode = await main();
