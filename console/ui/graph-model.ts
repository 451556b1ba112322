/**
 * The state graph of an Amazon States Language definition as an ELK graph (elkjs's JSON format), and
 * what happened to each state according to an execution's history. States are nodes; Map and Parallel
 * states are compound nodes holding their iterator's (each branch's) states; Next, Default, Choices and
 * Catch transitions are edges. States Language spec: https://states-language.net/spec.html
 */
import type { HistoryEventView } from '../api-types.ts';

export type StateType = 'Task' | 'Choice' | 'Map' | 'Wait' | 'Parallel' | 'Pass' | 'Succeed' | 'Fail';

/** What happened to a state: the colour it is drawn in. */
export type StateRun = 'succeeded' | 'failed' | 'caught' | 'running' | 'not-run';

export interface GraphNode {
  readonly id: string;
  /** The state's name (or `Branch N` for a Parallel branch). */
  readonly label: string;
  /** Absent for a Parallel branch. */
  readonly type?: StateType;
  /**
   * A Task that waits for a callback (`….waitForTaskToken`): it stays in progress until someone answers
   * its task token — the relay's `Approve wave <n>`, answered by a person (docs/waves.md).
   */
  readonly callback?: boolean;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  readonly children?: GraphNode[];
  readonly edges?: GraphEdge[];
  readonly layoutOptions?: Record<string, string>;
}

export interface GraphEdge {
  readonly id: string;
  readonly sources: [string];
  readonly targets: [string];
  /** `catch` for a Catch transition, `choice` for a Choice rule or Default. */
  readonly kind: 'next' | 'choice' | 'catch';
  sections?: Array<{
    startPoint: { x: number; y: number };
    endPoint: { x: number; y: number };
    bendPoints?: Array<{ x: number; y: number }>;
  }>;
}

interface AslState {
  readonly Type?: unknown;
  readonly Resource?: unknown;
  readonly Next?: unknown;
  readonly Default?: unknown;
  readonly Choices?: unknown;
  readonly Catch?: unknown;
  readonly Branches?: unknown;
  readonly ItemProcessor?: unknown;
  readonly Iterator?: unknown;
}

interface AslScope {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
}

const STATE_TYPES: readonly StateType[] = [
  'Task',
  'Choice',
  'Map',
  'Wait',
  'Parallel',
  'Pass',
  'Succeed',
  'Fail',
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asScope(value: unknown): AslScope | undefined {
  if (!isRecord(value) || typeof value.StartAt !== 'string' || !isRecord(value.States)) return undefined;
  return value as unknown as AslScope;
}

function nextsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => (isRecord(item) && typeof item.Next === 'string' ? [item.Next] : []));
}

/** The suffix of a Task resource that waits for its task token to be answered (the callback pattern). */
const CALLBACK_SUFFIX = '.waitForTaskToken';

/** Whether a Task state waits for a callback (SendTaskSuccess/SendTaskFailure on its token). */
export function waitsForCallback(state: { readonly Type?: unknown; readonly Resource?: unknown }): boolean {
  return (
    state.Type === 'Task' && typeof state.Resource === 'string' && state.Resource.endsWith(CALLBACK_SUFFIX)
  );
}

/** The node id of a state (state names are unique in a state machine). */
export function stateNodeId(name: string): string {
  return `state:${name}`;
}

const CHAR_WIDTH = 7.2;
const NODE_HEIGHT = 34;
const COMPOUND_OPTIONS = { 'elk.padding': '[top=30,left=14,bottom=14,right=14]' } as const;

function scopeGraph(scope: AslScope, counter: { n: number }): { children: GraphNode[]; edges: GraphEdge[] } {
  const children: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const edge = (from: string, to: string, kind: GraphEdge['kind']): void => {
    if (!(to in scope.States)) return;
    edges.push({ id: `edge:${counter.n++}`, sources: [stateNodeId(from)], targets: [stateNodeId(to)], kind });
  };
  for (const [name, state] of Object.entries(scope.States)) {
    const type = STATE_TYPES.find((t) => t === state.Type) ?? 'Task';
    const id = stateNodeId(name);
    const label = name;
    if (type === 'Map') {
      const inner = asScope(state.ItemProcessor ?? state.Iterator);
      const graph = inner === undefined ? { children: [], edges: [] } : scopeGraph(inner, counter);
      children.push({ id, label, type, ...graph, layoutOptions: COMPOUND_OPTIONS });
    } else if (type === 'Parallel') {
      const branches = Array.isArray(state.Branches) ? state.Branches : [];
      const branchNodes = branches.flatMap((branch, i): GraphNode[] => {
        const inner = asScope(branch);
        if (inner === undefined) return [];
        return [
          {
            id: `${id}#${i + 1}`,
            label: `Branch ${i + 1}`,
            ...scopeGraph(inner, counter),
            layoutOptions: COMPOUND_OPTIONS,
          },
        ];
      });
      children.push({ id, label, type, children: branchNodes, edges: [], layoutOptions: COMPOUND_OPTIONS });
    } else {
      children.push({
        id,
        label,
        type,
        ...(waitsForCallback(state) ? { callback: true } : {}),
        width: Math.max(90, label.length * CHAR_WIDTH + 28),
        height: NODE_HEIGHT,
      });
    }
    if (typeof state.Next === 'string') edge(name, state.Next, 'next');
    for (const next of nextsOf(state.Choices)) edge(name, next, 'choice');
    if (typeof state.Default === 'string') edge(name, state.Default, 'choice');
    for (const next of nextsOf(state.Catch)) edge(name, next, 'catch');
  }
  return { children, edges };
}

/** The ELK graph of a definition; `undefined` when it is not a States Language definition. */
export function definitionGraph(definition: unknown): GraphNode | undefined {
  const scope = asScope(definition);
  if (scope === undefined) return undefined;
  return {
    id: 'root',
    label: '',
    ...scopeGraph(scope, { n: 0 }),
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '28',
      'elk.spacing.nodeNode': '22',
      'elk.edgeRouting': 'ORTHOGONAL',
    },
  };
}

/** Every state name of a definition with its Catch targets, nested scopes included. */
function catchTargets(definition: unknown): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (scope: AslScope | undefined): void => {
    if (scope === undefined) return;
    for (const [name, state] of Object.entries(scope.States)) {
      found.set(name, nextsOf(state.Catch));
      visit(asScope(state.ItemProcessor ?? state.Iterator));
      if (Array.isArray(state.Branches)) for (const branch of state.Branches) visit(asScope(branch));
    }
  };
  visit(asScope(definition));
  return found;
}

/** One run of a state: where it ran, how it ended, how many times its task was attempted, its error. */
export interface StateInstance {
  readonly name: string;
  /** The Map iterations it runs in, outermost first (`RelayToTargets[1]`); '' outside any Map. */
  readonly iteration: string;
  exited: boolean;
  failed: boolean;
  caught: boolean;
  /** Task attempts (…Scheduled events): 1 plus its retries. */
  attempts: number;
  error: string | null;
  cause: string | null;
}

/** One step of a target's path: a state run in that target's Map iterations, in history order. */
export interface PathStep {
  readonly state: string;
  readonly iteration: string;
  readonly run: StateRun;
  readonly attempts: number;
  readonly error: string | null;
  readonly cause: string | null;
}

const FAILURE = /(Failed|TimedOut|Aborted)$/;
const ATTEMPT = /^(Task|LambdaFunction|Activity)Scheduled$/;
const ACTIVE_EXECUTION = new Set(['RUNNING', 'PENDING_REDRIVE']);

function iterationLabel(event: HistoryEventView): string | undefined {
  if (event.type !== 'MapIterationStarted' || !isRecord(event.details)) return undefined;
  const { name, index } = event.details;
  return typeof name === 'string' && typeof index === 'number' ? `${name}[${index}]` : undefined;
}

/**
 * The target index a Map iteration's first state input names (`index`, which the relay's iterations
 * carry): the second pass iterates only the failed targets, so its iteration index is not the target's.
 */
function carriedIndex(event: HistoryEventView): number | undefined {
  if (!isRecord(event.details) || typeof event.details.input !== 'string') return undefined;
  try {
    const input: unknown = JSON.parse(event.details.input);
    return isRecord(input) && typeof input.index === 'number' ? input.index : undefined;
  } catch {
    return undefined;
  }
}

function recordFailure(owner: StateInstance, event: HistoryEventView): void {
  owner.failed = true;
  if (!isRecord(event.details)) return;
  const { error, cause } = event.details;
  if (typeof error === 'string') owner.error = error;
  if (typeof cause === 'string') owner.cause = cause;
}

/**
 * Every state run of the history, in the order they were entered. Events are linked to the one before
 * them in the same thread (`previousEventId`): each event belongs to the state instance entered last on
 * its thread, and to the Map iterations it runs in.
 */
export function stateInstances(definition: unknown, events: readonly HistoryEventView[]): StateInstance[] {
  const sorted = [...events].sort((a, b) => a.id - b.id);
  const ownerOf = new Map<number, StateInstance>();
  const iterationOf = new Map<number, string>();
  const instances: StateInstance[] = [];
  const catches = catchTargets(definition);
  /** Iterations started whose first state has not been entered yet. */
  const starting = new Set<string>();

  for (const event of sorted) {
    const previous = event.previousEventId ?? 0;
    let owner = ownerOf.get(previous);
    const iteration = iterationLabel(event);
    const outer = iterationOf.get(previous) ?? '';
    let where = iteration === undefined ? outer : outer === '' ? iteration : `${outer}/${iteration}`;
    if (iteration !== undefined) starting.add(where);
    else if (event.type.endsWith('StateEntered') && starting.delete(where)) {
      // Name the iteration after the target it runs for; every later event of it inherits the name.
      const index = carriedIndex(event);
      if (index !== undefined) where = where.replace(/\[\d+\]$/, `[${index}]`);
    }
    if (event.type.endsWith('StateEntered') && event.stateName !== null) {
      const entered = event.stateName;
      // A Catch target entered: the open instance that catches into it, in the same iteration, was caught.
      const catcher = instances.findLast(
        (i) => !i.exited && i.iteration === where && (catches.get(i.name) ?? []).includes(entered),
      );
      if (catcher !== undefined) {
        catcher.failed = true;
        catcher.caught = true;
      }
      owner = {
        name: entered,
        iteration: where,
        exited: false,
        failed: false,
        caught: false,
        attempts: 0,
        error: null,
        cause: null,
      };
      instances.push(owner);
    } else if (event.type.endsWith('StateExited') && event.stateName !== null) {
      // A Map or Parallel state's exit may follow its last iteration's event: match it by name.
      const name = event.stateName;
      owner =
        instances.findLast((i) => !i.exited && i.name === name && i.iteration === where) ??
        instances.findLast((i) => !i.exited && i.name === name);
      if (owner !== undefined) owner.exited = true;
    } else if (owner !== undefined && FAILURE.test(event.type) && !event.type.startsWith('MapIteration')) {
      recordFailure(owner, event);
    } else if (owner !== undefined && ATTEMPT.test(event.type)) {
      owner.attempts += 1;
    }
    if (owner !== undefined) ownerOf.set(event.id, owner);
    iterationOf.set(event.id, where);
  }
  return instances;
}

/** Whether a state run belongs to the target's Map iterations (runs outside any Map belong to every target). */
function inTarget(instance: StateInstance, target: number | undefined, outside: boolean): boolean {
  if (target === undefined) return true;
  if (instance.iteration === '') return outside;
  const first = instance.iteration.split('/')[0] ?? '';
  return first.endsWith(`[${target}]`);
}

function runOf(instance: StateInstance, active: boolean): StateRun {
  if (instance.exited) return 'succeeded';
  if (instance.caught) return 'caught';
  return instance.failed || !active ? 'failed' : 'running';
}

/**
 * What happened to each state, from the history. Per state and iteration the latest run counts (a
 * redrive runs the failed ones again); across iterations the most telling wins: running, failed, caught,
 * succeeded. Given a target (its index in the Map's items), only that target's iterations count, with
 * the states outside any Map.
 */
export function stateRuns(
  definition: unknown,
  events: readonly HistoryEventView[],
  executionStatus: string,
  target?: number,
): Map<string, StateRun> {
  const active = ACTIVE_EXECUTION.has(executionStatus);
  const latest = new Map<string, StateInstance>();
  for (const instance of stateInstances(definition, events)) {
    if (inTarget(instance, target, true)) latest.set(`${instance.name}\u0000${instance.iteration}`, instance);
  }
  const rank: Record<StateRun, number> = { 'not-run': 0, succeeded: 1, caught: 2, failed: 3, running: 4 };
  const runs = new Map<string, StateRun>();
  for (const instance of latest.values()) {
    const run = runOf(instance, active);
    const before = runs.get(instance.name) ?? 'not-run';
    if (rank[run] > rank[before]) runs.set(instance.name, run);
  }
  return runs;
}

/** A target's path: every state run in its Map iterations, in the order entered (a redrive's runs last). */
export function targetPath(
  definition: unknown,
  events: readonly HistoryEventView[],
  executionStatus: string,
  target: number,
): PathStep[] {
  const active = ACTIVE_EXECUTION.has(executionStatus);
  return stateInstances(definition, events)
    .filter((instance) => inTarget(instance, target, false))
    .map((instance) => ({
      state: instance.name,
      iteration: instance.iteration,
      run: runOf(instance, active),
      attempts: instance.attempts,
      error: instance.error,
      cause: instance.cause,
    }));
}
