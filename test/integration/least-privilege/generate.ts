/**
 * `npm run proof:least-privilege`: runs the least-privilege proof on a fresh local stack, writes
 * docs/least-privilege.md and prints what it found and how long it took. Exits 1 when a scenario
 * fails with every grant or a grant is not needed. An entry under test/ (not bench/): the proof is a
 * check built on the workflow test harness, and the figure it prints is incidental.
 */
import '../../../local/polyfills.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { examplePlans } from './example-plan.ts';
import { proofFailures, proveLeastPrivilege } from './proof.ts';
import { SCENARIOS } from './scenarios.ts';
import { renderTable, TABLE_PATH } from './table.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const started = performance.now();
const result = await proveLeastPrivilege();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const root = join(import.meta.dirname, '..', '..', '..');
await writeFile(join(root, TABLE_PATH), renderTable(result, SCENARIOS, await examplePlans()));
const failures = proofFailures(result);
const needed = result.grants.filter((g) => g.verdict.kind === 'needed').length;
const notEvaluated = result.grants.filter((g) => g.verdict.kind === 'not-evaluated').length;
console.log(
  `least privilege: ${result.grants.length} grants, ${needed} proven needed, ${notEvaluated} not evaluated locally, ${failures.length} problem(s); ${result.runs} relays in ${seconds} s; wrote ${TABLE_PATH}`,
);
for (const failure of failures) console.log(`  ${failure}`);
// Executions a removal left waiting on scaled retries may hold the event loop: the proof is done.
process.exit(failures.length === 0 ? 0 : 1);
