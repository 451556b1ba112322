import type { AslDefinition, JsonValue } from './asl.ts';

/**
 * The `${…}` placeholders the definition uses as Task `Resource`s, each mapped to the task Lambda
 * (the `functions/` folder) whose ARN replaces it. Resources are direct Lambda ARNs, so a
 * function's return value is the task result (no `Payload` wrapper).
 */
export const TASK_PLACEHOLDERS = {
  ResolveTargetsFunctionArn: 'resolve-targets',
  CopyObjectFunctionArn: 'copy-object',
  VerifyCopyFunctionArn: 'verify-copy',
  StartDeploymentFunctionArn: 'start-deployment',
  CheckDeploymentFunctionArn: 'check-deployment',
  DeleteReplicaFunctionArn: 'delete-replica',
} as const;

/** A placeholder name, such as `CopyObjectFunctionArn`. */
export type TaskPlaceholder = keyof typeof TASK_PLACEHOLDERS;

/** A task function role, such as `copy-object`. */
export type TaskRole = (typeof TASK_PLACEHOLDERS)[TaskPlaceholder];

/** The value to put in a Task's `Resource`: `${Name}`. */
export function placeholder(name: TaskPlaceholder): string {
  return '${' + name + '}';
}

/** The placeholder whose function has `role`. */
export function placeholderOf(role: TaskRole): TaskPlaceholder {
  const entry = Object.entries(TASK_PLACEHOLDERS).find(([, value]) => value === role);
  if (entry === undefined) throw new Error(`no task placeholder for the role ${role}`);
  return entry[0] as TaskPlaceholder;
}

const PLACEHOLDER_PATTERN = /\$\{([A-Za-z0-9_]+)\}/g;

/**
 * Replaces the `${Name}` placeholders in every string of the definition, as CDK's
 * `definitionSubstitutions` does. Every placeholder the definition uses must have a value.
 *
 * @throws Error naming the placeholders left without a value.
 */
export function renderDefinition(
  definition: AslDefinition,
  substitutions: Readonly<Record<TaskPlaceholder, string>>,
): AslDefinition {
  const values: Readonly<Record<string, string>> = substitutions;
  const missing = new Set<string>();
  const render = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') {
      return value.replace(PLACEHOLDER_PATTERN, (match, name: string) => {
        const replacement = values[name];
        if (replacement === undefined) {
          missing.add(name);
          return match;
        }
        return replacement;
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, render(inner)]));
    }
    return value;
  };
  const rendered = render(definition as unknown as JsonValue);
  if (missing.size > 0) {
    throw new Error(
      `renderDefinition: no substitution for ${[...missing].map((name) => '${' + name + '}').join(', ')}`,
    );
  }
  return rendered as unknown as AslDefinition;
}
