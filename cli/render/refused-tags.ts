/**
 * `relay show`: the `TargetBucket` tag entries ResolveTargets refused (not allowlisted, or not
 * `bucket[@region]`), read from the history (GetExecutionHistory with execution data): the final
 * output's when it carries them, else ResolveTargets' own output (its `TaskStateExited` event) —
 * so a failed or running execution shows them too.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { parseJson } from '../../core/executions/history-events.ts';
import { TOP_STATES } from '../../core/state-names.ts';
import {
  type RefusedTagEntries,
  relayOutputSchema,
  resolveTargetsOutputSchema,
} from '../../core/workflow.ts';
import { plural } from '../output/format.ts';
import type { Style } from '../output/style.ts';

/** The refused tag entries of an execution, from its final output or ResolveTargets' output. */
export function refusedTagEntriesIn(history: readonly HistoryEvent[]): RefusedTagEntries | undefined {
  let resolved: RefusedTagEntries | undefined;
  for (const event of history) {
    const succeeded = event.executionSucceededEventDetails;
    if (event.type === 'ExecutionSucceeded' && succeeded !== undefined) {
      const final = relayOutputSchema.safeParse(parseJson(succeeded.output));
      if (final.success && final.data.refusedTagEntries !== undefined) return final.data.refusedTagEntries;
    }
    const exited = event.stateExitedEventDetails;
    if (event.type === 'TaskStateExited' && exited?.name === TOP_STATES.resolveTargets) {
      const output = resolveTargetsOutputSchema.safeParse(parseJson(exited.output));
      if (output.success) resolved = output.data.refusedTagEntries;
    }
  }
  return resolved;
}

/** The lines `relay show` prints for refused tag entries (none when there are none). */
export function refusedTagLines(refused: RefusedTagEntries | undefined, style: Style): string[] {
  if (refused === undefined) return [];
  const count = refused.entries.length + refused.more;
  const lines = [
    `  ${style.yellow('!')} ${plural(count, 'TargetBucket tag entry', 'TargetBucket tag entries')} not honoured:`,
  ];
  for (const entry of refused.entries)
    lines.push(`      ${entry.entry}  ${style.dim(`(${entry.reason})`)} ${entry.message}`);
  if (refused.more > 0)
    lines.push(`      … and ${refused.more} more (see the ResolveTargets function's log)`);
  return lines;
}
