/** `relay executions`: the table and its JSON form. */
import type { ExecutionRow } from '../executions/list.ts';
import { formatSource } from '../executions/source.ts';
import { formatDuration, formatTime } from '../output/format.ts';
import { colourStatus, type Style } from '../output/style.ts';
import { renderTable } from '../output/table.ts';

function durationMs(row: ExecutionRow): number | undefined {
  const { startDate, stopDate } = row.details;
  return stopDate === undefined ? undefined : stopDate.getTime() - startDate.getTime();
}

function targetsCell(row: ExecutionRow, style: Style): string {
  const output = row.details.output;
  if (output?.kind === 'nothing') return style.dim(`none (${output.reason})`);
  const { ok, failed, total, skipped, pending } = row.counts;
  if (total === 0) return style.dim('-');
  const parts = [`${ok}/${total} ok`];
  if (failed > 0) parts.push(style.red(`${failed} failed`));
  if (skipped > 0) parts.push(style.yellow(`${skipped} skipped`));
  if (pending > 0) parts.push(style.yellow(`${pending} pending`));
  return parts.join(', ');
}

export function renderExecutionsTable(rows: readonly ExecutionRow[], style: Style): string {
  return renderTable(
    ['NAME', 'STATUS', 'SOURCE OBJECT', 'TARGETS', 'STARTED', 'DURATION'],
    rows.map((row) => {
      const ms = durationMs(row);
      const redriven =
        row.details.redriveCount > 0 ? style.dim(` (redriven ×${row.details.redriveCount})`) : '';
      return [
        row.details.name,
        colourStatus(style, row.details.status) + redriven,
        formatSource(row.details.source),
        targetsCell(row, style),
        formatTime(row.details.startDate),
        ms === undefined ? style.dim('running') : formatDuration(ms),
      ];
    }),
  );
}

export function executionRowJson(row: ExecutionRow): Record<string, unknown> {
  const d = row.details;
  return {
    name: d.name,
    executionArn: d.executionArn,
    status: d.status,
    source: d.source ?? null,
    targets: row.counts,
    ...(d.output?.kind === 'nothing'
      ? { nothingToRelay: { reason: d.output.reason, detail: d.output.detail ?? null } }
      : {}),
    startDate: d.startDate.toISOString(),
    stopDate: d.stopDate?.toISOString() ?? null,
    durationMs: durationMs(row) ?? null,
    redriveCount: d.redriveCount,
    ...(d.error === undefined ? {} : { error: d.error }),
  };
}
