/**
 * An execution's history as a timeline per target. Events are linked to the event before them in the
 * same thread (`previousEventId`), so walking that link attributes every event to its Map iteration
 * (MapIterationStarted, by map name and index) and every task attempt to its state. The first pass
 * (RelayToTargets) iterates the target list; the second (RetryFailedTargets) iterates the failed
 * targets only, each naming its target's index (executions on the former definition iterated the
 * whole list again); a redrive adds iterations after an ExecutionRedriven event.
 */
import * as z from 'zod/mini';
import '../schema-locale.ts';
import { TOP_STATES, waveOfState } from '../state-names.ts';
import { type TargetResult, targetResultSchema } from '../workflow.ts';
import {
  failureOf,
  type HistoryEvent,
  isAttempt,
  isStepEntered,
  isStepExited,
  mapIterationOf,
  parseJson,
  stepKind,
  timeOf,
} from './history-events.ts';

export type StepStatus = 'succeeded' | 'failed' | 'running' | 'stopped';

export interface StepError {
  readonly error: string;
  readonly cause?: string;
  readonly at: Date;
}

export interface TimelineStep {
  readonly name: string;
  readonly kind: 'task' | 'wait';
  readonly started: Date;
  ended?: Date;
  /** Task attempts (1 + retries); 0 for waits. */
  attempts: number;
  readonly errors: StepError[];
  status: StepStatus;
}

export type PassStatus = 'succeeded' | 'failed' | 'aborted' | 'running';

/** One Map iteration for one target: pass 1 (RelayToTargets) or pass 2 (RetryFailedTargets). */
export interface TimelinePass {
  readonly map: string;
  /** 1: RelayToTargets; 2: RetryFailedTargets; a number above 2 is not used — see `wave`. */
  readonly pass: 1 | 2;
  /** The deployment wave when the iteration is a later wave's (`DeployWave<n>`, docs/waves.md). */
  readonly wave?: number;
  /**
   * The target's position in `targets`. The first pass iterates every target, so it is the iteration
   * index; the current second pass iterates only the failed targets, so it is the `index` its first
   * state's input carries (definitions before that iterated every target again, without `index`).
   */
  index: number;
  /** The Map iteration's own index (what its history events name). */
  readonly iteration: number;
  /** How many redrives preceded this iteration (0 for the original run). */
  readonly redrive: number;
  readonly started: Date;
  ended?: Date;
  status: PassStatus;
  readonly steps: TimelineStep[];
  /** The target's result, when the iteration produced one. */
  result?: TargetResult;
  /**
   * The CodeDeploy deployment the iteration started or followed, as its states' outputs last stated it — a
   * later wave's iteration ends with the deployment alone (docs/waves.md), no target result.
   */
  deployment?: { readonly id: string; readonly status: string };
}

export interface TargetRef {
  readonly bucket: string;
  readonly region: string;
  readonly keyPrefix?: string | undefined;
  /** The deployment wave after the first it deploys in (docs/waves.md), when it has one. */
  readonly wave?: number | undefined;
}

export interface TargetTimeline {
  readonly index: number;
  readonly target?: TargetRef;
  readonly passes: readonly TimelinePass[];
}

export interface Timeline {
  /** Steps outside the Map states (ResolveTargets). */
  readonly steps: readonly TimelineStep[];
  readonly targets: readonly TargetTimeline[];
  readonly redrives: ReadonlyArray<{ readonly count: number; readonly at: Date }>;
}

/** `{ wave }` for a later deployment wave's Map (`DeployWave<n>`), else nothing. */
function waveOf(map: string): { wave?: number } {
  const wave = waveOfState(map);
  return wave === undefined ? {} : { wave };
}

const carriedIndexSchema = z.object({ index: z.number().check(z.int(), z.minimum(0)) });

/** The target index a second-pass or wave iteration's first state input names, if any. */
function carriedIndex(event: HistoryEvent): number | undefined {
  const parsed = carriedIndexSchema.safeParse(parseJson(event.stateEnteredEventDetails?.input));
  return parsed.success ? parsed.data.index : undefined;
}

/** A state output that carries a started or checked deployment (`{ …, deployment: { id, status } }`). */
const deploymentOutputSchema = z.object({
  deployment: z.looseObject({ id: z.string(), status: z.string() }),
});

const targetListSchema = z.object({
  targets: z.array(
    z.looseObject({
      bucket: z.string(),
      region: z.string(),
      keyPrefix: z.optional(z.string()),
      deploy: z.optional(z.looseObject({ wave: z.optional(z.number()) })),
    }),
  ),
});

function targetsIn(text: string | undefined): TargetRef[] | undefined {
  const parsed = targetListSchema.safeParse(parseJson(text));
  if (!parsed.success) return undefined;
  return parsed.data.targets.map((t) => ({
    bucket: t.bucket,
    region: t.region,
    keyPrefix: t.keyPrefix,
    ...(t.deploy?.wave !== undefined && t.deploy.wave > 1 ? { wave: t.deploy.wave } : {}),
  }));
}

function closeStep(step: TimelineStep, at: Date): void {
  if (step.status !== 'running') return;
  step.status = step.errors.length > 0 ? 'failed' : 'stopped';
  step.ended = at;
}

function closePass(pass: TimelinePass, status: PassStatus, at: Date): void {
  pass.status = status;
  pass.ended = at;
  for (const step of pass.steps) closeStep(step, at);
}

const ITERATION_END: Readonly<Record<string, PassStatus>> = {
  MapIterationSucceeded: 'succeeded',
  MapIterationFailed: 'failed',
  MapIterationAborted: 'aborted',
};

const EXECUTION_END = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

export function buildTimeline(events: readonly HistoryEvent[]): Timeline {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const passOf = new Map<number, TimelinePass>();
  const stepOf = new Map<number, TimelineStep>();
  const passes: TimelinePass[] = [];
  const topSteps: TimelineStep[] = [];
  const redrives: Array<{ count: number; at: Date }> = [];
  /** Second-pass iterations whose target index was read from their first state's input. */
  const indexRead = new Set<TimelinePass>();
  let targets: TargetRef[] | undefined;

  for (const event of sorted) {
    const type = event.type ?? '';
    const at = timeOf(event);
    let pass = type.startsWith('MapState') ? undefined : passOf.get(event.previousEventId ?? 0);
    let step = stepOf.get(event.previousEventId ?? 0);

    if (type === 'ExecutionRedriven') {
      redrives.push({ count: event.executionRedrivenEventDetails?.redriveCount ?? redrives.length + 1, at });
      pass = undefined;
      step = undefined;
    } else if (type === 'MapIterationStarted') {
      const iteration = mapIterationOf(event);
      step = undefined;
      if (iteration !== undefined) {
        pass = {
          map: iteration.name,
          pass: iteration.name === TOP_STATES.retryFailedTargets ? 2 : 1,
          ...waveOf(iteration.name),
          index: iteration.index,
          iteration: iteration.index,
          redrive: redrives.length,
          started: at,
          status: 'running',
          steps: [],
        };
        passes.push(pass);
      }
    } else if (ITERATION_END[type] !== undefined) {
      const iteration = mapIterationOf(event);
      const owner =
        pass ??
        passes.findLast(
          (p) => p.status === 'running' && p.map === iteration?.name && p.iteration === iteration.index,
        );
      if (owner !== undefined) closePass(owner, ITERATION_END[type], at);
    } else if (EXECUTION_END.has(type)) {
      for (const open of passes) if (open.status === 'running') closePass(open, 'aborted', at);
      for (const open of topSteps) closeStep(open, at);
    }

    if (isStepEntered(event)) {
      step = {
        name: event.stateEnteredEventDetails?.name ?? '(unnamed)',
        kind: stepKind(event),
        started: at,
        attempts: 0,
        errors: [],
        status: 'running',
      };
      (pass?.steps ?? topSteps).push(step);
    } else if (type.endsWith('StateEntered')) {
      step = undefined;
    }
    if (
      type.endsWith('StateEntered') &&
      pass !== undefined &&
      pass.map !== TOP_STATES.relayToTargets &&
      !indexRead.has(pass)
    ) {
      indexRead.add(pass);
      pass.index = carriedIndex(event) ?? pass.index;
    } else if (step !== undefined && isAttempt(event)) {
      step.attempts += 1;
    } else if (step !== undefined && isStepExited(event)) {
      step.ended = at;
      step.status = 'succeeded';
    } else if (step !== undefined) {
      const failure = failureOf(event);
      if (failure !== undefined) {
        step.errors.push({
          error: failure.error ?? 'States.TaskFailed',
          ...(failure.cause === undefined ? {} : { cause: failure.cause }),
          at,
        });
      }
    }

    const exited = event.stateExitedEventDetails;
    if (exited !== undefined && pass !== undefined) {
      const output = parseJson(exited.output);
      const result = targetResultSchema.safeParse(output);
      if (result.success) pass.result = result.data;
      const deployed = deploymentOutputSchema.safeParse(output);
      if (deployed.success)
        pass.deployment = { id: deployed.data.deployment.id, status: deployed.data.deployment.status };
    }
    if (type === 'MapStateEntered' && event.stateEnteredEventDetails?.name === TOP_STATES.relayToTargets) {
      targets = targetsIn(event.stateEnteredEventDetails.input) ?? targets;
    }
    if (type === 'TaskStateExited' && exited?.name === TOP_STATES.resolveTargets && targets === undefined) {
      targets = targetsIn(exited.output);
    }

    if (pass !== undefined) passOf.set(event.id ?? 0, pass);
    if (step !== undefined) stepOf.set(event.id ?? 0, step);
  }

  const count = Math.max(targets?.length ?? 0, ...passes.map((p) => p.index + 1));
  return {
    steps: topSteps,
    redrives,
    targets: Array.from({ length: count }, (_, index) => {
      const target = targets?.[index];
      return {
        index,
        ...(target === undefined ? {} : { target }),
        passes: passes.filter((p) => p.index === index),
      };
    }),
  };
}
