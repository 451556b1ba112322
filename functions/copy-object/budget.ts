import { COPY_TIME_MARGIN_MS } from '../../core/runtime-contract.ts';
import type { Clock } from '../shared/task.ts';

/**
 * The time a Copy invocation may spend starting parts: the configured budget, capped by the
 * Lambda's remaining time less a margin (parts still in flight must finish and the result must be
 * returned before the Lambda times out).
 */

/** Time kept back from the Lambda's remaining time (the runtime contract's, which infra sizes the budget with). */
export { COPY_TIME_MARGIN_MS };

/** When to stop starting parts: an absolute time on `clock`. */
export function copyDeadline(
  clock: Clock,
  budgetSeconds: number,
  remainingTimeMs: (() => number) | undefined,
  marginMs: number = COPY_TIME_MARGIN_MS,
): number {
  const budget = budgetSeconds * 1000;
  const available = remainingTimeMs === undefined ? budget : Math.min(budget, remainingTimeMs() - marginMs);
  return clock() + Math.max(0, available);
}
