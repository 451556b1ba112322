/** `relay redrive`: what was redriven, and what could not be and why. */
import { describeFailure } from '../executions/cause.ts';
import type { RedriveOutcome } from '../executions/redrive.ts';
import { formatSource } from '../executions/source.ts';
import { plural } from '../output/format.ts';
import { colourStatus, type Style } from '../output/style.ts';
import { renderTable } from '../output/table.ts';

const ACTION_LABEL = {
  redriven: 'REDRIVEN',
  'would-redrive': 'WOULD REDRIVE',
  skipped: 'NOT REDRIVEN',
} as const;

export function renderRedrive(
  outcomes: readonly RedriveOutcome[],
  mode: { dryRun: boolean; failedMode: boolean },
  style: Style,
): string {
  if (outcomes.length === 0) {
    return mode.failedMode
      ? 'No failed, timed-out or aborted executions in that period: nothing to redrive.'
      : 'Nothing to redrive.';
  }
  const rows = outcomes.map((o) => {
    const label =
      o.action === 'skipped' ? style.red(ACTION_LABEL[o.action]) : style.green(ACTION_LABEL[o.action]);
    const why =
      o.action === 'skipped'
        ? (o.reason ?? '')
        : o.finalStatus !== undefined
          ? `now ${colourStatus(style, o.finalStatus)}${o.finalError ? ` (${o.finalError})` : ''}`
          : `was ${o.details?.status}: ${describeFailure(o.details?.error, o.details?.cause)}`;
    return [label, o.details?.name ?? o.ref, o.details ? formatSource(o.details.source) : '', why];
  });
  const redriven = outcomes.filter((o) => o.action !== 'skipped').length;
  const skipped = outcomes.length - redriven;
  const verb = mode.dryRun ? 'would be redriven' : 'redriven';
  const summary = `${plural(redriven, 'execution')} ${verb}${skipped > 0 ? `, ${skipped} could not be` : ''}.`;
  const hint =
    !mode.dryRun && redriven > 0 ? ' Follow them with `relay executions` or `relay show <name>`.' : '';
  return `${renderTable(['', 'EXECUTION', 'SOURCE OBJECT', 'WHY / NOW'], rows).split('\n').slice(1).join('\n')}\n${summary}${hint}`;
}

export function redriveJson(outcomes: readonly RedriveOutcome[], dryRun: boolean): Record<string, unknown> {
  return {
    dryRun,
    executions: outcomes.map((o) => ({
      name: o.details?.name ?? o.ref,
      executionArn: o.details?.executionArn ?? null,
      status: o.details?.status ?? null,
      action: o.action,
      reason: o.reason ?? null,
      ...(o.finalStatus === undefined
        ? {}
        : { finalStatus: o.finalStatus, finalError: o.finalError ?? null }),
    })),
  };
}
