import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { TaskRole } from '../../../state-machine/placeholders.ts';
import type { SynthResult } from './synth.ts';

/** A resource of a synthesized template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

/** The logical id of `construct`'s CloudFormation resource. */
export function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return stack.getLogicalId(element);
}

/** The template resource of `construct`. */
export function resourceOf(result: SynthResult, construct: IConstruct): TemplateResource {
  const resource = result.json.Resources[logicalIdOf(result.stack, construct)];
  if (resource === undefined) throw new Error(`no resource for ${construct.node.path}`);
  return resource as TemplateResource;
}

/** The logical id of the task function of `role`. */
export function functionLogicalId(result: SynthResult, role: TaskRole): string {
  return logicalIdOf(result.stack, result.stack.relay.functions[role]);
}

/** Every resource of a type, by logical id. */
export function resourcesOfType(result: SynthResult, type: string): [string, TemplateResource][] {
  return Object.entries(result.json.Resources).filter(([, r]) => r.Type === type) as [
    string,
    TemplateResource,
  ][];
}

/** An IAM policy statement as synthesized. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of the inline policies attached to the role of logical id `roleId`. */
export function statementsOfRole(result: SynthResult, roleId: string): Statement[] {
  return resourcesOfType(result, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      ((policy.Properties.Roles as readonly unknown[] | undefined) ?? []).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** A list of actions or resources as an array. */
export function asList<T>(value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** A resource as text: literal strings as they are, intrinsics as their JSON. */
export function resourceText(resource: unknown): string {
  return typeof resource === 'string' ? resource : JSON.stringify(resource);
}

/**
 * What a role may do, as `resource → sorted actions` (statements merged by CDK or not), with the
 * conditions of each statement kept apart by prefixing them to the resource.
 */
export function actionsByResource(statements: readonly Statement[]): Record<string, string[]> {
  const map: Record<string, Set<string>> = {};
  for (const statement of statements) {
    for (const resource of asList(statement.Resource)) {
      const key = resourceText(resource);
      map[key] ??= new Set();
      for (const action of asList(statement.Action)) map[key].add(action);
    }
  }
  return Object.fromEntries(
    Object.entries(map)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([resource, actions]) => [resource, [...actions].sort()]),
  );
}
