/** `relay show`: an execution, then per target its outcome and a timeline of its steps. */
import { type ApprovalRequest, describeApproval } from '../../core/approvals.ts';
import type { TargetOutcome } from '../../core/executions/outcome.ts';
import type { TimelinePass, TimelineStep } from '../../core/executions/timeline.ts';
import { describeDeployment, type RefusedTagEntries, type TargetResult } from '../../core/workflow.ts';
import { causeMessage, describeFailure } from '../executions/cause.ts';
import type { ExecutionDetails } from '../executions/describe.ts';
import { formatClock, formatDuration, formatTime, plural } from '../output/format.ts';
import { colourStatus, type Style } from '../output/style.ts';
import { renderTable } from '../output/table.ts';
import { refusedTagLines } from './refused-tags.ts';

export interface TargetView {
  readonly index: number;
  readonly label: string;
  readonly outcome: TargetOutcome;
  readonly passes: readonly TimelinePass[];
}

export interface ShowView {
  readonly details: ExecutionDetails;
  readonly consoleUrl?: string;
  readonly steps: readonly TimelineStep[];
  readonly targets: readonly TargetView[];
  /** `TargetBucket` tag entries ResolveTargets refused. */
  readonly refusedTagEntries?: RefusedTagEntries;
  /** The execution's approval requests (deployment waves that wait for a person), oldest first. */
  readonly approvals?: readonly ApprovalRequest[];
}

function resultDetail(result: TargetResult | undefined): string {
  if (result === undefined) return '';
  switch (result.status) {
    case 'copied':
    case 'in-sync': {
      const deployed = result.deployment ? `, deployment ${describeDeployment(result.deployment)}` : '';
      return `s3://${result.destination.bucket}/${result.destination.key}, verified by ${result.verifiedBy}${deployed}`;
    }
    case 'superseded':
      return result.deployment === undefined
        ? `s3://${result.destination.bucket}/${result.destination.key} holds a replica of a newer source version`
        : `s3://${result.destination.bucket}/${result.destination.key}, verified by ${result.verifiedBy ?? 'nothing'}, deployment ${describeDeployment(result.deployment)}: ${result.deployment.detail}`;
    case 'source-gone':
      return 'the source version no longer exists; nothing was copied';
    case 'failed':
      return '';
  }
}

function outcomeDetail(outcome: TargetOutcome): string {
  if (outcome.status === 'failed') return describeFailure(outcome.error, outcome.cause);
  if (outcome.status === 'aborted') return 'stopped when the execution ended';
  return outcome.detail ?? resultDetail(outcome.result);
}

/** A line of the timeline: aligned step cells, or free text (headings, errors). */
type Row = { readonly cells: readonly string[] } | { readonly text: string };

function stepRows(steps: readonly TimelineStep[], style: Style, indent: string): Row[] {
  const rows: Row[] = [];
  for (const step of steps) {
    const duration =
      step.ended === undefined ? '…' : formatDuration(step.ended.getTime() - step.started.getTime());
    rows.push({
      cells: [
        `${indent}${step.name}`,
        formatClock(step.started, true),
        duration,
        step.kind === 'task' ? plural(step.attempts, 'attempt') : 'wait',
        step.status === 'succeeded' ? '' : colourStatus(style, step.status),
      ],
    });
    for (const error of step.errors) {
      rows.push({ text: `${indent}  ${style.red('✗')} ${describeFailure(error.error, error.cause)}` });
    }
  }
  return rows;
}

/** Aligns the step cells of all rows as one table; text rows are written as they are. */
function renderRows(rows: readonly Row[]): string {
  const cells = rows.flatMap((row) => ('cells' in row ? [row.cells] : []));
  const aligned = renderTable(['', '', '', '', ''], cells).split('\n').slice(1);
  let next = 0;
  return rows.map((row) => ('cells' in row ? (aligned[next++] ?? '') : row.text)).join('\n');
}

function passLabel(pass: TimelinePass): string {
  const which =
    pass.wave !== undefined
      ? `deployment wave ${pass.wave}`
      : pass.pass === 1
        ? 'pass 1'
        : 'pass 2 (failed targets once more)';
  return pass.redrive > 0 ? `${which}, after redrive ${pass.redrive}` : which;
}

function header(view: ShowView, style: Style): string[] {
  const d = view.details;
  const ran =
    d.stopDate === undefined
      ? 'running'
      : `ran ${formatDuration(d.stopDate.getTime() - d.startDate.getTime())}`;
  const redriven = d.redriveCount > 0 ? style.dim(` (redriven ${plural(d.redriveCount, 'time')})`) : '';
  const lines = [`${style.bold(`Execution ${d.name}`)}  ${colourStatus(style, d.status)}${redriven}`];
  lines.push(`  arn      ${d.executionArn}`);
  if (d.source) {
    const version = d.source.versionId === undefined ? '' : ` (version ${d.source.versionId})`;
    lines.push(`  source   s3://${d.source.bucket}/${d.source.key}${version}`);
  }
  lines.push(`  started  ${formatTime(d.startDate)}, ${ran}`);
  if (d.error !== undefined) lines.push(`  error    ${style.red(describeFailure(d.error, d.cause))}`);
  if (d.output?.kind === 'nothing') {
    lines.push(`  nothing to relay: ${d.output.reason}${d.output.detail ? ` — ${d.output.detail}` : ''}`);
  }
  lines.push(...refusedTagLines(view.refusedTagEntries, style));
  for (const approval of view.approvals ?? []) {
    const text = describeApproval(approval);
    lines.push(`  approval ${approval.status === 'pending' ? style.bold(text) : text}`);
  }
  if (view.consoleUrl !== undefined) lines.push(`  console  ${view.consoleUrl}`);
  return lines;
}

export function renderShow(view: ShowView, style: Style): string {
  const lines = [...header(view, style), ''];
  const rows = stepRows(view.steps, style, '');
  for (const target of view.targets) {
    const detail = outcomeDetail(target.outcome);
    const status = colourStatus(style, target.outcome.status.toUpperCase());
    rows.push({ text: '' });
    rows.push({
      text: `${style.bold(`Target ${target.index + 1}`)} ${target.label}  ${status}${detail ? `  ${detail}` : ''}`,
    });
    // A second pass that only kept the first result has nothing to show.
    for (const pass of target.passes.filter((p) => p.steps.length > 0 || p.status !== 'succeeded')) {
      rows.push({ text: `  ${style.dim(passLabel(pass))}` });
      rows.push(...stepRows(pass.steps, style, '    '));
    }
  }
  lines.push(renderRows(rows));
  return lines.join('\n');
}

function stepJson(step: TimelineStep): Record<string, unknown> {
  return {
    name: step.name,
    kind: step.kind,
    status: step.status,
    started: step.started.toISOString(),
    ended: step.ended?.toISOString() ?? null,
    durationMs: step.ended === undefined ? null : step.ended.getTime() - step.started.getTime(),
    attempts: step.attempts,
    errors: step.errors.map((e) => ({
      error: e.error,
      message: causeMessage(e.cause) ?? null,
      at: e.at.toISOString(),
    })),
  };
}

export function showJson(view: ShowView): Record<string, unknown> {
  const d = view.details;
  return {
    name: d.name,
    executionArn: d.executionArn,
    stateMachineArn: d.stateMachineArn,
    status: d.status,
    source: d.source ?? null,
    startDate: d.startDate.toISOString(),
    stopDate: d.stopDate?.toISOString() ?? null,
    error: d.error ?? null,
    message: causeMessage(d.cause) ?? null,
    redriveCount: d.redriveCount,
    redriveStatus: d.redriveStatus ?? null,
    consoleUrl: view.consoleUrl ?? null,
    ...(d.output?.kind === 'nothing'
      ? { nothingToRelay: { reason: d.output.reason, detail: d.output.detail ?? null } }
      : {}),
    ...(view.refusedTagEntries === undefined ? {} : { refusedTagEntries: view.refusedTagEntries }),
    approvals: (view.approvals ?? []).map(({ taskToken: _token, ...approval }) => approval),
    steps: view.steps.map(stepJson),
    targets: view.targets.map((t) => ({
      index: t.index,
      target: t.label,
      status: t.outcome.status,
      error: t.outcome.error ?? null,
      message: causeMessage(t.outcome.cause) ?? null,
      result: t.outcome.result ?? null,
      passes: t.passes.map((p) => ({
        pass: p.pass,
        redrive: p.redrive,
        status: p.status,
        started: p.started.toISOString(),
        ended: p.ended?.toISOString() ?? null,
        steps: p.steps.map(stepJson),
      })),
    })),
  };
}
