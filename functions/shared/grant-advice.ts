import type { RelayConfig } from '../../core/config/schema.ts';
import { AccessDenied } from '../../core/errors.ts';
import {
  explainDeniedTarget,
  ROLE_ARN_ENV,
  targetInOtherAccount,
} from '../../core/permissions/denied-grant.ts';
import type { PlannedRole } from '../../core/permissions/plan.ts';
import type { TaskInput } from '../../core/workflow.ts';

/**
 * Turns an AccessDenied on a target in another account into one that names the missing grant: the
 * target bucket's (or key's) policy statement for this task's role, filled in
 * (core/permissions/denied-grant.ts). A task learns its role ARN from {@link ROLE_ARN_ENV} (set by
 * infra to the function's execution role) or from its deps (the local stack); without one, or for
 * any other error, the error passes unchanged.
 */

export { ROLE_ARN_ENV };

/** What a task needs to explain a cross-account denial. */
export interface GrantAdviceDeps {
  /** The task's own role ARN. @default the {@link ROLE_ARN_ENV} variable, when set */
  readonly roleArn?: string | undefined;
  /** The whole configuration, when the task has it (the statements are then exactly the configured ones). */
  readonly loadConfig?: (() => Promise<RelayConfig>) | undefined;
}

/** The role ARN of the deps, else of the environment. */
export function roleArnOf(deps: GrantAdviceDeps, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[ROLE_ARN_ENV];
  return deps.roleArn ?? (fromEnv === undefined || fromEnv === '' ? undefined : fromEnv);
}

async function configOf(deps: GrantAdviceDeps): Promise<RelayConfig | undefined> {
  try {
    return await deps.loadConfig?.();
  } catch {
    return undefined;
  }
}

/** Runs a task's work; a denial on a target in another account is rethrown with the grant it lacks. */
export async function withGrantAdvice<T>(
  role: PlannedRole,
  input: {
    readonly source: Pick<TaskInput['source'], 'bucket' | 'region'>;
    readonly target: TaskInput['target'];
  },
  deps: GrantAdviceDeps,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const roleArn = roleArnOf(deps);
    if (!(err instanceof AccessDenied) || roleArn === undefined) throw err;
    if (!targetInOtherAccount(input.target, roleArn)) throw err;
    const explained = explainDeniedTarget(err, {
      role,
      roleArn,
      target: input.target,
      source: input.source,
      config: await configOf(deps),
    });
    throw explained ?? err;
  }
}
