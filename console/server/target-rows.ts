/**
 * An execution's per-target results table, read as `relay show` reads it (the output's results, else
 * each target's Map iterations in the history), and tolerant of what it does not know: a history the
 * timeline cannot follow gives no targets rather than an error, and an output of an unknown shape that
 * still holds a `results` list gives the items it can read (each checked with safeParse), the others
 * `unknown`.
 */

import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ExecutionDetails } from '../../cli/executions/describe.ts';
import { approvalsOf } from '../../core/approvals.ts';
import {
  describeTarget,
  outcomeOfDelete,
  type TargetOutcome,
  targetOutcome,
} from '../../core/executions/outcome.ts';
import { buildTimeline, type TargetTimeline } from '../../core/executions/timeline.ts';
import { type TargetResult, targetResultSchema } from '../../core/workflow.ts';
import type { TargetRow } from '../api-types.ts';
import { targetRowOf } from './views.ts';

function timelineOf(history: readonly HistoryEvent[]): readonly TargetTimeline[] {
  try {
    return buildTimeline(history).targets;
  } catch {
    return [];
  }
}

/** The readable items of an unknown output's `results` list, by index (undefined where one is not). */
function lenientResults(output: unknown): ReadonlyArray<TargetResult | undefined> {
  if (typeof output !== 'object' || output === null || !('results' in output)) return [];
  const results: unknown = output.results;
  if (!Array.isArray(results)) return [];
  return results.map((item: unknown) => {
    const parsed = targetResultSchema.safeParse(item);
    return parsed.success ? parsed.data : undefined;
  });
}

/**
 * One row per target known from the history's Map iterations or from the output, with its outcome.
 * @param unknownOutput the output, when it is of a shape describe.ts does not read
 */
export function targetsOf(
  details: ExecutionDetails,
  history: readonly HistoryEvent[],
  unknownOutput: unknown,
): { rows: TargetRow[]; outcomes: TargetOutcome[] } {
  const timeline = timelineOf(history);
  const approvals = approvalsOf(history);
  const deletes = details.output?.kind === 'deleted' ? details.output.output.results : [];
  const results: ReadonlyArray<TargetResult | undefined> =
    details.output?.kind === 'relayed'
      ? details.output.output.results
      : details.output?.kind === 'deleted'
        ? []
        : lenientResults(unknownOutput);
  // A target is known from the history's Map iterations, or (history cut short) from the output alone.
  const count = Math.max(timeline.length, results.length, deletes.length);
  const outcomes: TargetOutcome[] = [];
  const rows: TargetRow[] = [];
  for (let index = 0; index < count; index++) {
    const result = results[index];
    const deleted = deletes[index];
    let outcome: TargetOutcome;
    try {
      outcome =
        deleted === undefined
          ? targetOutcome(timeline[index] ?? { index, passes: [] }, result, details.status, approvals)
          : outcomeOfDelete(deleted);
    } catch {
      outcome = { status: 'unknown' };
    }
    const ref = timeline[index]?.target ?? result?.target ?? deleted?.target;
    outcomes.push(outcome);
    rows.push(targetRowOf(index, describeTarget(ref, index), ref, outcome));
  }
  return { rows, outcomes };
}
