/**
 * What became of each target of an execution that did not succeed, read from its history through the one
 * reader every side uses (core/executions: the timeline per target and its outcome — the CLI's `relay show`,
 * the console and this notifier), so a target the CLI shows `held` because its wave's approval was rejected
 * is announced with that very reason.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type * as z from 'zod/mini';
import { approvalsOf } from '../../core/approvals.ts';
import { parseJson } from '../../core/executions/history-events.ts';
import { targetOutcome } from '../../core/executions/outcome.ts';
import { buildTimeline } from '../../core/executions/timeline.ts';
import type { EndedExecutionStatus, TargetFact } from '../../core/relay-events.ts';
import { resolveTargetsOutputSchema, type WorkflowTarget } from '../../core/workflow.ts';

/** How an event names a target (its wave only when it names one). */
export function targetRefOf(target: WorkflowTarget): TargetFact['target'] {
  return {
    bucket: target.bucket,
    region: target.region,
    ...(target.keyPrefix === undefined ? {} : { keyPrefix: target.keyPrefix }),
    ...(target.deploy?.wave === undefined ? {} : { wave: target.deploy.wave }),
  };
}

/** The source and targets ResolveTargets answered with, from the first state output that has them. */
function resolved(events: readonly HistoryEvent[]): z.infer<typeof resolveTargetsOutputSchema> | undefined {
  for (const event of events) {
    const parsed = resolveTargetsOutputSchema.safeParse(parseJson(event.stateExitedEventDetails?.output));
    if (parsed.success && parsed.data.targets.length > 0) return parsed.data;
  }
  return undefined;
}

/** One target's fact from what its timeline says became of it. */
function factOf(
  index: number,
  target: WorkflowTarget,
  timeline: ReturnType<typeof buildTimeline>,
  status: EndedExecutionStatus,
  approvals: ReturnType<typeof approvalsOf>,
): TargetFact {
  const ref = targetRefOf(target);
  const passes = timeline.targets.find((t) => t.index === index) ?? { index, passes: [] };
  const outcome = targetOutcome(passes, undefined, status, approvals);
  const cause = outcome.cause === undefined ? {} : { cause: outcome.cause };
  const detail = outcome.detail === undefined ? {} : { detail: outcome.detail };
  if (outcome.status === 'failed')
    return { index, target: ref, status: 'failed', error: outcome.error ?? 'UnknownError', ...cause };
  if (outcome.status === 'held') return { index, target: ref, status: 'held', ...detail };
  if (outcome.result === undefined) return { index, target: ref, status: outcome.status };
  const deployment = passes.passes.findLast((p) => p.deployment !== undefined)?.deployment;
  return { index, target: ref, status: outcome.status, ...(deployment === undefined ? {} : { deployment }) };
}

/** The source and one fact per target of an execution that failed, timed out or was aborted. */
export function factsOfHistory(
  events: readonly HistoryEvent[],
  status: EndedExecutionStatus,
): {
  source?: { bucket: string; key: string; versionId?: string };
  targets: TargetFact[];
} {
  const resolution = resolved(events);
  if (resolution?.source === undefined) return { targets: [] };
  const timeline = buildTimeline(events);
  const approvals = approvalsOf(events);
  const { bucket, key, versionId } = resolution.source;
  return {
    source: { bucket, key, ...(versionId === undefined ? {} : { versionId }) },
    targets: resolution.targets.map((target, index) => factOf(index, target, timeline, status, approvals)),
  };
}
