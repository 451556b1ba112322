/** `relay backfill status` and the distributed `relay replay`: the estimate, the progress and the summary. */

import { formatDuration, plural } from '../output/format.ts';
import type { Style } from '../output/style.ts';
import type { BackfillEstimate } from './estimate.ts';
import type { BackfillTally } from './results.ts';
import type { BackfillStatus } from './status.ts';

const money = (dollars: number): string => `$${dollars < 0.01 ? dollars.toFixed(4) : dollars.toFixed(2)}`;

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function renderEstimate(estimate: BackfillEstimate): string {
  return [
    `estimate: ${plural(estimate.objects, 'object')}, ${bytes(estimate.bytes)}, to up to ${plural(estimate.targets, 'target')} each`,
    `  ${estimate.transitions.toLocaleString('en-US')} state transitions ≈ ${money(estimate.stepFunctionsCost)}, ${estimate.lambdaInvocations.toLocaleString('en-US')} Lambda invocations ≈ ${money(estimate.lambdaRequestCost)} in requests (plus their duration), inter-region transfer ≈ ${money(estimate.transferCost)} (us-east-1 list prices; nothing deployed unless --deploy)`,
  ].join('\n');
}

/** How the work list found its objects: `12 objects listed`, or `12 objects in the inventory`. */
function found(status: BackfillStatus, count: number): string {
  return `${plural(count, 'object')} ${status.inventory === undefined ? 'listed' : 'in the inventory'}`;
}

/** One line of progress (the bar is drawn by cli-progress on a terminal). */
export function renderBackfillProgress(status: BackfillStatus): string {
  const items = status.items;
  if (items === undefined) {
    const w = status.workList?.counts;
    return w === undefined
      ? `${status.name}: ${status.status}, building the work list`
      : `${status.name}: building the work list — ${found(status, w.listed)}, ${w.queued} queued, ${w.inSync} in sync`;
  }
  const done = items.succeeded + items.failed + items.aborted + items.timedOut;
  const rate = status.ratePerSecond === undefined ? '' : `, ${status.ratePerSecond.toFixed(1)} objects/s`;
  const eta =
    status.etaSeconds === undefined || status.stopDate !== undefined
      ? ''
      : `, ETA ${formatDuration(status.etaSeconds * 1000)}`;
  return `${status.name}: ${done}/${items.total} done, ${items.failed + items.aborted + items.timedOut} failed, ${items.running} running${rate}${eta}`;
}

export function renderBackfillStatus(
  status: BackfillStatus,
  tally: BackfillTally | undefined,
  style: Style,
): string {
  const lines = [`${style.bold(`Backfill ${status.name}`)}  ${status.status}`];
  lines.push(`  arn      ${status.executionArn}`);
  const w = status.workList;
  if (w !== undefined) {
    const c = w.counts;
    const counted = `${c.queued} queued (${bytes(c.queuedBytes)}), ${c.inSync} already in sync, ${c.tooOld} older than --since, ${c.noTarget} routed to none of the chosen targets`;
    lines.push(
      status.inventory === undefined
        ? `  listed   ${plural(c.listed, 'object')}: ${counted}${w.done ? '' : ' (still listing)'}`
        : `  report   ${plural(c.listed, 'object')} in the inventory ${status.inventory}: ${counted}${w.done ? '' : ' (still reading the inventory)'}`,
    );
    lines.push(
      w.done && w.items === 0
        ? '  list     none: nothing needs relaying, so no relay execution was started'
        : `  list     s3://${w.bucket}/${w.key}`,
    );
  }
  if (status.items !== undefined)
    lines.push(`  progress ${renderBackfillProgress(status).replace(`${status.name}: `, '')}`);
  if (status.error !== undefined)
    lines.push(`  error    ${style.red(`${status.error}: ${status.cause ?? ''}`)}`);
  if (tally !== undefined) {
    const targets = Object.entries(tally.targets)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, n]) => `${n} ${name}`)
      .join(', ');
    lines.push(
      `  results  ${tally.objects.succeeded} relayed (${targets || 'no target results'}), ${tally.objects.failed} failed, ${tally.objects.pending} not run`,
    );
    lines.push(`  manifest ${tally.manifestUrl}`);
    for (const arn of tally.failedExecutions)
      lines.push(`  failed   ${arn} — relay show ${arn.split(':').at(-1)}`);
  } else if (status.results !== undefined) {
    lines.push(
      `  manifest s3://${status.results.Bucket}/${status.results.Key} is not there: the map run wrote no results, or they expired with the results bucket's lifecycle rule`,
    );
  }
  if (status.status === 'FAILED' || status.status === 'ABORTED' || status.status === 'TIMED_OUT') {
    lines.push(`  redrive the failed objects only: relay redrive ${status.executionArn}`);
  }
  return lines.join('\n');
}
