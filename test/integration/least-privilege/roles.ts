/**
 * The roles the least-privilege proof covers: the state machine's task roles (core/permissions/plan.ts
 * `PLANNED_ROLES`), the CodePipeline action's role, which the plan keeps apart from them (it is no
 * state-machine task, and its statements depend on the deployed state machine) — a run that drives a
 * pipeline holds it too — and the backfill's work-list builder (core/permissions/backfill.ts), planned apart
 * for the same reasons (its statements name the backfill's results bucket) — a run that backfills holds it.
 */
import { BUILD_WORK_LIST_ROLE, type BuildWorkListRole } from '../../../core/permissions/backfill.ts';
import {
  PIPELINE_ACTION_ROLE,
  type PipelineActionRole,
  PLANNED_ROLES,
  type PlannedRole,
  type PlannedStatement,
} from '../../../core/permissions/plan.ts';
import { localBuildWorkListRoleArn } from '../../../local/backfill.ts';
import { localRoleArn } from '../../../local/relay-handlers.ts';

/** A role whose grants the proof takes away one at a time. */
export type ProvenRole = PlannedRole | PipelineActionRole | BuildWorkListRole;

/** Every proven role, in the order the table lists them. */
export const PROVEN_ROLES: readonly ProvenRole[] = [
  ...PLANNED_ROLES,
  PIPELINE_ACTION_ROLE,
  BUILD_WORK_LIST_ROLE,
];

/** The ARN a proven role runs as on the local stack (its decisions name it). */
export function provenRoleArn(account: string, role: ProvenRole): string {
  return role === BUILD_WORK_LIST_ROLE ? localBuildWorkListRoleArn(account) : localRoleArn(account, role);
}

/**
 * What each role held in one run: the task roles their plan (plus a pipeline's artifact store grants
 * when the run drives a pipeline), the pipeline action and the work-list builder their own plans when the
 * run made one (else none).
 */
export type HeldPolicies = Readonly<Record<ProvenRole, readonly PlannedStatement[]>>;
