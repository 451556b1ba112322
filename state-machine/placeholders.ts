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

/**
 * The placeholder of the partition in service integration ARNs (`arn:${Partition}:states:::…`): Step Functions
 * refuses to run a resource of another partition than the execution's (States.Runtime), so `arn:aws:states:::`
 * would work in the `aws` partition only. CDK substitutes the stack's partition.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a definition placeholder, not a template
export const PARTITION_PLACEHOLDER = '${Partition}';

/** The partition the local stack serves (its ARNs are all `arn:aws:…`): `${Partition}` unless given. */
export const LOCAL_PARTITION = 'aws';

/** What {@link renderDefinition} substitutes: each task's ARN, and the partition. */
export type DefinitionSubstitutions = Readonly<Record<TaskPlaceholder, string>> & {
  readonly Partition?: string;
};

const PLACEHOLDER_PATTERN = /\$\{([A-Za-z0-9_]+)\}/g;

/**
 * Replaces the `${Name}` placeholders in every string of the definition, as CDK's
 * `definitionSubstitutions` does. Every placeholder the definition uses must have a value.
 *
 * @throws Error naming the placeholders left without a value.
 */
export function renderDefinition(
  definition: AslDefinition,
  substitutions: DefinitionSubstitutions,
): AslDefinition {
  const values: Readonly<Record<string, string>> = { Partition: LOCAL_PARTITION, ...substitutions };
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
