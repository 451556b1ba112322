/** `relay show <execution>`. */

import { approvalsOf } from '../../core/approvals.ts';
import { describeTarget, outcomeOfDelete, targetOutcome } from '../../core/executions/outcome.ts';
import { buildTimeline } from '../../core/executions/timeline.ts';
import type { DeleteTargetResult } from '../../core/workflow-delete.ts';
import { consoleUrl } from '../aws/arn.ts';
import { machineFor, withConnection } from '../aws/session.ts';
import type { MachineFlags } from '../common-options.ts';
import { findExecution } from '../executions/find.ts';
import { fetchHistory } from '../executions/history.ts';
import { createOutput } from '../output/output.ts';
import { refusedTagEntriesIn } from '../render/refused-tags.ts';
import { renderShow, type ShowView, showJson } from '../render/show.ts';

export async function runShow(execution: string, flags: MachineFlags): Promise<void> {
  const out = createOutput(flags);
  await withConnection(flags, async (conn) => {
    const details = await findExecution(conn.sfn, execution, () => machineFor(flags, conn));
    const region = details.executionArn.split(':')[3] ?? '';
    const history = await fetchHistory(conn.sfn(region), details.executionArn);
    const timeline = buildTimeline(history);
    const refused = refusedTagEntriesIn(history);
    const approvals = approvalsOf(history);
    const results = details.output?.kind === 'relayed' ? details.output.output.results : [];
    const deletes = details.output?.kind === 'deleted' ? details.output.output.results : [];
    const url = conn.endpoint === undefined ? consoleUrl(details.executionArn) : undefined;
    const view: ShowView = {
      details,
      ...(url === undefined ? {} : { consoleUrl: url }),
      ...(refused === undefined ? {} : { refusedTagEntries: refused }),
      approvals,
      steps: timeline.steps,
      targets: timeline.targets.map((t) => ({
        index: t.index,
        label: describeTarget(t.target ?? results[t.index]?.target ?? deletes[t.index]?.target, t.index),
        outcome:
          deletes[t.index] === undefined
            ? targetOutcome(t, results[t.index], details.status, approvals)
            : outcomeOfDelete(deletes[t.index] as DeleteTargetResult),
        passes: t.passes,
      })),
    };
    out.document(showJson(view));
    out.line(renderShow(view, out.style));
  });
}
