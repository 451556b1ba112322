/**
 * What became of each target of an execution that did not succeed, read from its history. Events are
 * linked to the event before them in the same thread (`previousEventId`), so an event belongs to the
 * target whose per-target state input (`{ target, index }`) started its thread; per target, the last
 * thing that happened decides: a result (a Catch turns a first-pass failure into `{ status: "failed" }`),
 * or a task failure that nothing followed (the second pass, which has no Catch). The same reading as the
 * CLI's timeline (cli/executions/timeline.ts, outcome.ts), reduced to what the notifier needs.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import * as z from 'zod/mini';
import type { TargetFact } from '../../core/relay-events.ts';
import '../../core/schema-locale.ts';
import {
  deploymentSummarySchema,
  resolveTargetsOutputSchema,
  type TargetResult,
  targetIndexSchema,
  targetResultSchema,
  type WorkflowTarget,
  waveResultSchema,
  workflowTargetSchema,
} from '../../core/workflow.ts';

const perTargetSchema = z.object({ target: workflowTargetSchema, index: targetIndexSchema });
const deploymentRunOutputSchema = z.object({ deployment: deploymentSummarySchema });

type Mark =
  | { readonly kind: 'result'; readonly result: TargetResult }
  | { readonly kind: 'error'; readonly error: string; readonly cause?: string };

interface TargetTrace {
  target: WorkflowTarget;
  marks: Mark[];
  deployment?: { id: string; status: string };
  /** A later wave's deployment iteration ran for it. */
  waveRan: boolean;
}

/** A state's JSON input or output, `undefined` when it is absent or not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** How an event names a target (its wave only when it names one). */
export function targetRefOf(target: WorkflowTarget): TargetFact['target'] {
  return {
    bucket: target.bucket,
    region: target.region,
    ...(target.keyPrefix === undefined ? {} : { keyPrefix: target.keyPrefix }),
    ...(target.deploy?.wave === undefined ? {} : { wave: target.deploy.wave }),
  };
}

/** The error of a failed task attempt (Lambda ARN tasks log `LambdaFunction*`, integrations `Task*`). */
function failureOf(event: HistoryEvent): { error: string; cause?: string } | undefined {
  const details =
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails;
  if (details === undefined) return undefined;
  return {
    error: details.error ?? 'UnknownError',
    ...(details.cause === undefined ? {} : { cause: details.cause }),
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

/**
 * Whether an event starts an iteration of a later deployment wave's Map (`DeployWave<n>`,
 * state-machine/state-names.ts `deployWaveState`, docs/waves.md).
 */
function isWaveIteration(event: HistoryEvent | undefined): boolean {
  const name = event?.mapIterationStartedEventDetails?.name;
  return name !== undefined && /^DeployWave\d+$/.test(name);
}

function traceEvents(events: readonly HistoryEvent[]): Map<number, TargetTrace> {
  const threadOf = new Map<number, number>();
  const traces = new Map<number, TargetTrace>();
  const byId = new Map(events.map((event) => [event.id ?? 0, event]));
  for (const event of events) {
    const id = event.id ?? 0;
    const entered = perTargetSchema.safeParse(parseJson(event.stateEnteredEventDetails?.input));
    const index = entered.success ? entered.data.index : threadOf.get(event.previousEventId ?? -1);
    if (index === undefined) continue;
    threadOf.set(id, index);
    const trace = traces.get(index) ?? {
      target: entered.success ? entered.data.target : ({} as WorkflowTarget),
      marks: [],
      waveRan: false,
    };
    traces.set(index, trace);
    if (entered.success) trace.target = entered.data.target;
    if (entered.success && isWaveIteration(byId.get(event.previousEventId ?? -1))) trace.waveRan = true;
    const failure = failureOf(event);
    if (failure !== undefined) trace.marks.push({ kind: 'error', ...failure });
    const output = parseJson(event.stateExitedEventDetails?.output);
    if (output === undefined) continue;
    const result = targetResultSchema.safeParse(output);
    if (result.success) trace.marks.push({ kind: 'result', result: result.data });
    const deployed = waveResultSchema.safeParse(output);
    const run = deploymentRunOutputSchema.safeParse(output);
    if (deployed.success && 'deployment' in deployed.data && !('status' in deployed.data))
      trace.deployment = deployed.data.deployment;
    else if (run.success) trace.deployment = run.data.deployment;
  }
  return traces;
}

function factOf(index: number, target: WorkflowTarget, trace: TargetTrace | undefined): TargetFact {
  const ref = targetRefOf(target);
  const last = trace?.marks.at(-1);
  if (last === undefined) return { index, target: ref, status: 'unknown' };
  if (last.kind === 'error') {
    return {
      index,
      target: ref,
      status: 'failed',
      error: last.error,
      ...(last.cause === undefined ? {} : { cause: last.cause }),
    };
  }
  const result = last.result;
  if (result.status === 'failed') {
    return {
      index,
      target: ref,
      status: 'failed',
      error: result.error,
      ...(result.cause === undefined ? {} : { cause: result.cause }),
    };
  }
  const laterWave = (target.deploy?.wave ?? 1) > 1;
  if (laterWave && trace?.waveRan !== true && (result.status === 'copied' || result.status === 'in-sync'))
    return { index, target: ref, status: 'held' };
  const deployment = trace?.deployment;
  return { index, target: ref, status: result.status, ...(deployment === undefined ? {} : { deployment }) };
}

/** The source and one fact per target of an execution that failed, timed out or was aborted. */
export function factsOfHistory(events: readonly HistoryEvent[]): {
  source?: { bucket: string; key: string; versionId?: string };
  targets: TargetFact[];
} {
  const resolution = resolved(events);
  if (resolution?.source === undefined) return { targets: [] };
  const traces = traceEvents(events);
  const { bucket, key, versionId } = resolution.source;
  return {
    source: { bucket, key, ...(versionId === undefined ? {} : { versionId }) },
    targets: resolution.targets.map((target, index) => factOf(index, target, traces.get(index))),
  };
}
