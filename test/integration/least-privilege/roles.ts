/**
 * The roles the least-privilege proof covers: the state machine's task roles (core/permissions/plan.ts
 * `PLANNED_ROLES`) and the CodePipeline action's role, which the plan keeps apart from them (it is no
 * state-machine task, and its statements depend on the deployed state machine) — a run that drives a
 * pipeline holds it too.
 */
import {
  PIPELINE_ACTION_ROLE,
  type PipelineActionRole,
  PLANNED_ROLES,
  type PlannedRole,
  type PlannedStatement,
} from '../../../core/permissions/plan.ts';

/** A role whose grants the proof takes away one at a time. */
export type ProvenRole = PlannedRole | PipelineActionRole;

/** Every proven role, in the order the table lists them. */
export const PROVEN_ROLES: readonly ProvenRole[] = [...PLANNED_ROLES, PIPELINE_ACTION_ROLE];

/**
 * What each role held in one run: the task roles their plan (plus a pipeline's artifact store grants
 * when the run drives a pipeline), the pipeline action its own plan when the run made one (else none).
 */
export type HeldPolicies = Readonly<Record<ProvenRole, readonly PlannedStatement[]>>;
