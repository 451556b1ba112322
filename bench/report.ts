/** The console table of a run (docs/performance.md is rendered by ./performance-doc.ts). */
import type { BenchResults, Figure, Goal } from './lib/result.ts';

export { renderPerformanceDoc } from './performance-doc.ts';

export function formatValue(f: Pick<Figure, 'value' | 'unit'>): string {
  const v = Number.isInteger(f.value) ? f.value.toLocaleString('en-US') : String(f.value);
  if (f.unit === 'yes=1') return f.value === 1 ? 'yes' : 'no';
  if (f.unit === 'USD') return `$${f.value.toFixed(3)}`;
  if (f.unit === '×') return `${v}×`;
  return `${v} ${f.unit}`;
}

export function formatGoal(goal: Goal | undefined, unit: string): string {
  if (!goal) return '';
  if (unit === 'yes=1') return 'yes';
  const op = goal.op === '<=' ? '≤' : '≥';
  return unit === '×' ? `${op} ${goal.value}×` : `${op} ${goal.value} ${unit}`;
}

export function formatMet(f: Figure): string {
  if (f.met === undefined) return '';
  return f.met ? 'met' : 'MISSED';
}

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function renderTable(results: BenchResults): string {
  const rows: string[][] = [['case', 'figure', 'value', 'goal', '']];
  for (const c of results.cases) {
    for (const f of c.figures)
      rows.push([c.id, f.name, formatValue(f), formatGoal(f.goal, f.unit), formatMet(f)]);
  }
  for (const f of results.failures) rows.push([f.id, 'FAILED', f.error.split('\n')[0] ?? '', '', '']);
  const m = results.machine;
  const header = `${results.mode} run, ${(results.durationMs / 1000).toFixed(0)} s — ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, node ${m.node}, git ${m.git.revision.slice(0, 12)}${m.git.dirty ? ' (dirty)' : ''}`;
  return `${header}\n\n${pad(rows)}`;
}
