/** `relay replay`: the progress line, the summary and its JSON form. */
import type { S3Url } from '../options.ts';
import { plural } from '../output/format.ts';
import type { Style } from '../output/style.ts';
import type { ReplayItem, ReplayStatus } from '../replay/start.ts';

export interface ReplayReport {
  readonly url: S3Url;
  /** The configuration that decided what is routed. */
  readonly config: string;
  readonly stateMachineArn: string;
  readonly listed: number;
  readonly since: Date | undefined;
  readonly dryRun: boolean;
  readonly items: readonly ReplayItem[];
}

function count(report: ReplayReport, status: ReplayStatus): number {
  return report.items.filter((item) => item.status === status).length;
}

/** @param waitingOn when given, the starts are held back: this many executions in flight (the cap) */
export function renderReplayProgress(report: ReplayReport, done: number, waitingOn?: number): string {
  const total = report.items.length;
  const width = 24;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const started = report.dryRun
    ? `${count(report, 'would-start')} would start`
    : `${count(report, 'started')} started`;
  // First after the count, so a narrow terminal does not cut it off.
  const waiting = waitingOn === undefined ? '' : `  waiting: ${waitingOn} in flight`;
  return `replay ${bar} ${done}/${total}${waiting}  ${started}, ${count(report, 'already-relayed')} already relayed, ${count(report, 'failed')} failed`;
}

export function renderReplaySummary(report: ReplayReport, style: Style): string {
  const where = `s3://${report.url.bucket}/${report.url.key}`;
  const since = report.since === undefined ? '' : ` modified since ${report.since.toISOString()}`;
  const lines: string[] = [];
  // Every object when there are few; only the failures when there are many.
  const shown = report.items.length <= 50 ? report.items : report.items.filter((i) => i.status === 'failed');
  for (const item of shown) {
    const label =
      item.status === 'started'
        ? style.green('started        ')
        : item.status === 'would-start'
          ? style.yellow('would start    ')
          : item.status === 'already-relayed'
            ? style.dim('already relayed')
            : style.red('failed         ');
    const detail = item.detail === undefined ? '' : style.dim(` (${item.detail})`);
    lines.push(`${label}  ${item.key}  ${style.dim(item.name)}${detail}`);
  }
  const notRouted = report.listed - report.items.length;
  lines.push(
    '',
    `Listed ${plural(report.listed, 'object')} under ${where}${since}: ${report.items.length} routed by ${report.config}` +
      (notRouted > 0 ? ` (${notRouted} not routed or older)` : '') +
      '.',
  );
  const verb = report.dryRun
    ? `${count(report, 'would-start')} would start`
    : `Started ${plural(count(report, 'started'), 'execution')}`;
  lines.push(
    `${verb}, ${count(report, 'already-relayed')} already relayed, ${count(report, 'failed')} failed${report.dryRun ? ' (dry run: nothing started)' : ''}.`,
  );
  return lines.join('\n');
}

export function replayJson(report: ReplayReport): Record<string, unknown> {
  return {
    source: `s3://${report.url.bucket}/${report.url.key}`,
    stateMachineArn: report.stateMachineArn,
    dryRun: report.dryRun,
    listed: report.listed,
    routed: report.items.length,
    started: count(report, 'started'),
    wouldStart: count(report, 'would-start'),
    alreadyRelayed: count(report, 'already-relayed'),
    failed: count(report, 'failed'),
    items: report.items.map((item) => ({
      key: item.key,
      versionId: item.versionId ?? null,
      name: item.name,
      status: item.status,
      executionArn: item.executionArn ?? null,
      detail: item.detail ?? null,
    })),
  };
}
