/**
 * What a least-privilege scenario is: a relay configuration and a run of it, prepared for one run's
 * names (run-names.ts) so that any number of runs deploy side by side on one local stack. The
 * scenarios themselves live in scenarios.ts (workflow runs), pipeline-scenarios.ts (runs driven by
 * a local CodePipeline) and backfill-scenarios.ts (runs of the backfill workflow).
 */

import type { RelayConfigInput } from '../../../core/config/schema.ts';
import type { PipelineArtifactStore } from '../../../core/permissions/plan.ts';
import type { LocalBuilderSettings } from '../../../local/backfill.ts';
import type {
  LocalPipelineActionHandler,
  LocalPipelineActionOptions,
} from '../../../local/codepipeline/index.ts';
import type { Execution, Relay, TaskHook, WorkflowHarness } from '../workflow/harness.ts';
import type { RunNames } from './run-names.ts';

/** The backfill workflow deployed beside a run's relay (local/backfill.ts). */
export interface RunBackfill {
  /** Its results bucket, in the relay's region: where the work lists and the map runs' results go. */
  readonly resultsBucket: string;
  /** Starts a backfill execution with `request` (core/backfill.ts `BackfillRequest`) and waits for it to end. */
  run(request: unknown): Promise<Execution>;
}

/** What the proof's runner hands a run beyond the harness and its relay. */
export interface RunSeams {
  /**
   * The relay's CodePipeline action for `relay`, running as its own role with its planned policy (less
   * the grant this run takes away) and signing with this run's access key.
   */
  pipelineAction(
    relay: Relay,
    options?: Partial<Pick<LocalPipelineActionOptions, 'waitBudgetMs'>>,
  ): LocalPipelineActionHandler;
  /**
   * The backfill workflow for `relay`, with a results bucket of this run's, its work-list builder running as
   * its own role with its planned policy (less the grant this run takes away) and signing with this run's
   * access key. Objects the backfill relays are relay executions: `relay.settle()` finds them.
   */
  backfill(relay: Relay, options?: { readonly builder?: LocalBuilderSettings }): Promise<RunBackfill>;
}

/** One run of a scenario, for one run's names. */
export interface PreparedRun {
  readonly config: RelayConfigInput;
  /** Task handler options (the copy's time budget). */
  readonly handlers?: { readonly remainingTimeMs?: number };
  /**
   * A pipeline's artifact store the run relays from: the task roles then also hold its grants
   * (core/permissions/plan.ts `planPipelineArtifactPermissions`), as a deployed pipeline gives them.
   */
  readonly artifactStore?: PipelineArtifactStore;
  /** Buckets, keys, deployment groups, tags: what must exist before the relay is deployed. */
  arrange(h: WorkflowHarness): Promise<void>;
  /** Runs after every task of the run: a seam to change the world between two steps. */
  readonly afterTask?: (h: WorkflowHarness) => TaskHook;
  /** Uploads (or starts executions, or runs a pipeline) and waits for every execution to end. */
  act(h: WorkflowHarness, relay: Relay, seams: RunSeams): Promise<Execution[]>;
  /** What is wrong with the outcome; empty when it is as expected. */
  check(h: WorkflowHarness, executions: readonly Execution[]): Promise<string[]>;
}

export interface Scenario {
  /** A short kebab-case name, as the table shows it. */
  readonly name: string;
  /** What it exercises, in a sentence. */
  readonly summary: string;
  prepare(names: RunNames, account: string): PreparedRun;
}
