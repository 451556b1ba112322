import type { MachineDescription } from './machine.ts';

/** The shape of one case's outcome, as printed in the table and kept in bench/results.json. */

export interface Goal {
  /** `<=`: the figure should be at most `value`; `>=`: at least. */
  readonly op: '<=' | '>=';
  readonly value: number;
}

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal?: Goal;
  /** Whether the goal is met (absent when the figure has no goal). */
  readonly met?: boolean;
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  /** What was run: sizes, counts, concurrency, and any scaling-down from the numbers. */
  readonly inputs: Record<string, unknown>;
  readonly figures: readonly Figure[];
  /** Everything else measured (raw walls, breakdowns), for the results file and the docs. */
  readonly details: Record<string, unknown>;
  /** Sentences for people: how it was measured, what limits a figure. */
  readonly notes: readonly string[];
  readonly durationMs: number;
}

/** A figure with its goal evaluated. */
export function figure(name: string, value: number, unit: string, goal?: Goal): Figure {
  if (!goal) return { name, value, unit };
  const met = goal.op === '<=' ? value <= goal.value : value >= goal.value;
  return { name, value, unit, goal, met };
}

/** Options every case receives. */
export interface CaseContext {
  readonly quick: boolean;
  /** A scratch directory for this case (removed afterwards). */
  readonly workDir: string;
  /** Progress lines for the person watching. */
  readonly progress: (line: string) => void;
  /** `--backfill-objects <n>`: the backfill case's object count (see bench/lib/backfill-measure.ts). */
  readonly backfillObjects?: string;
}

/** A whole run, as written to bench/results.json. */
export interface BenchResults {
  readonly mode: 'full' | 'quick';
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: MachineDescription;
  readonly cases: readonly CaseResult[];
  readonly failures: ReadonlyArray<{ readonly id: string; readonly error: string }>;
}
