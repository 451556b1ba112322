/**
 * What a Distributed Map state's override needs from the execution that runs it: the parent's record (for
 * ARNs and its redrive point), the map runs, and a way to run child executions. The execution manager
 * attaches it to each run it launches; the override finds it from its lane's run context — so the run
 * context itself stays as it is.
 */
import type { ExecutionRecord, ExecutionRef, RedrivePoint } from '../model.ts';
import type { MapRuns } from './map-runs.ts';

/** A child execution as the map run names it. */
export type ChildRef = ExecutionRef & Pick<ExecutionRecord, 'executionArn'>;

/** A child execution under way: its record as it started, and its record once it has ended. */
export interface ChildRun {
  readonly started: ExecutionRecord;
  /** `undefined` when the service closed before the child ended (it stays RUNNING on disk). */
  readonly ended: Promise<ExecutionRecord | undefined>;
}

/** Runs the child executions of map runs (the execution manager). */
export interface ChildRunner {
  /** Starts a child execution from its new record. */
  start(record: ExecutionRecord): ChildRun;
  /** Redrives a failed, aborted or timed-out child (same ARN; `redriveCount` + 1). */
  redrive(ref: ChildRef): Promise<ChildRun>;
  /**
   * Continues a child the service left RUNNING when it stopped (not a redrive). `undefined` when no record
   * of it is on disk: the crash came after its map run logged the start and before the child's own record
   * was written — it never ran, and its map run starts it anew.
   */
  resume(ref: ChildRef): Promise<ChildRun | undefined>;
  /** Stops a running child (ABORTED). */
  stop(executionArn: string, error?: string, cause?: string): Promise<void>;
  /** The service is closing: runs stop without recording an end. */
  readonly closing: boolean;
}

/** The parent execution's side of a Distributed Map, for one run of it. */
export interface ParentRuntime {
  readonly record: ExecutionRecord;
  readonly accountId: string;
  readonly mapRuns: MapRuns;
  readonly runner: ChildRunner;
  /**
   * Where this run continues (a redrive, or a resume after the service stopped): a top-level Distributed
   * Map state it names continues that map run. Taken once.
   */
  carried: RedrivePoint | undefined;
  /** This run continues one a previous process left running (a resume, not a redrive). */
  readonly resumed: boolean;
  /** Persists the parent's record (its redrive point changed). */
  save(): void;
}

const runtimes = new WeakMap<object, ParentRuntime>();

/** Attaches the runtime to a run context (the execution manager, when it launches a run). */
export function attachRuntime(context: object, runtime: ParentRuntime): void {
  runtimes.set(context, runtime);
}

/** The runtime of the run `context` belongs to. */
export function runtimeOf(context: object): ParentRuntime | undefined {
  return runtimes.get(context);
}
