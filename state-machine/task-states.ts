import type { AslState, SubMachine } from './asl.ts';
import { TASK_PLACEHOLDERS, type TaskPlaceholder, type TaskRole } from './placeholders.ts';

/** A Task state found in a definition. */
export interface TaskStateRef {
  /** The state's name, unique in the whole definition. */
  readonly name: string;
  /** Its `Resource` as written (a placeholder, or an ARN once rendered). */
  readonly resource: string;
}

function nested(state: AslState): readonly SubMachine[] {
  if (state.Type === 'Map') return [state.ItemProcessor];
  if (state.Type === 'Parallel') return state.Branches;
  return [];
}

/** Every Task state of `machine`, nested Map and Parallel states included. */
export function listTaskStates(machine: SubMachine): TaskStateRef[] {
  return Object.entries(machine.States).flatMap(([name, state]): TaskStateRef[] =>
    state.Type === 'Task' ? [{ name, resource: state.Resource }] : nested(state).flatMap(listTaskStates),
  );
}

/**
 * The Task state names of an unrendered definition grouped by function role — for runners that
 * override tasks by state name (aws-local-stepfunctions' `taskResourceLocalHandlers`).
 */
export function taskStateNamesByRole(machine: SubMachine): Record<TaskRole, string[]> {
  const byRole = Object.fromEntries(
    Object.values(TASK_PLACEHOLDERS).map((role) => [role, [] as string[]]),
  ) as Record<TaskRole, string[]>;
  for (const { name, resource } of listTaskStates(machine)) {
    const match = /^\$\{([A-Za-z0-9_]+)\}$/.exec(resource);
    const key = match?.[1];
    if (key === undefined || !(key in TASK_PLACEHOLDERS)) {
      throw new Error(
        `taskStateNamesByRole: the Task state "${name}" has no task placeholder as Resource (${resource})`,
      );
    }
    byRole[TASK_PLACEHOLDERS[key as TaskPlaceholder]].push(name);
  }
  return byRole;
}

/** The names of every state of `machine` (nested ones included), in definition order. */
export function listStateNames(machine: SubMachine): string[] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    name,
    ...nested(state).flatMap(listStateNames),
  ]);
}
