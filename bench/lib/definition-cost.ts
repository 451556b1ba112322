/**
 * What the local Step Functions spends re-validating the relay's definition: the local stack's
 * `parseDefinition` (asl-validator through aws-local-stepfunctions) on the rendered definition — the work
 * local/stepfunctions/executions.ts does again on every StartExecution. Synchronous CPU, so on the stack's
 * one event loop it adds up per execution.
 */
import { parseDefinition } from '../../local/stepfunctions/definition.ts';
import {
  buildDefinition,
  renderDefinition,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
} from '../../state-machine/index.ts';
import { median } from './stats.ts';

export function definitionValidationMs(runs = 10): number {
  const substitutions = {} as Record<TaskPlaceholder, string>;
  for (const [placeholder, role] of Object.entries(TASK_PLACEHOLDERS) as Array<[TaskPlaceholder, string]>) {
    substitutions[placeholder] = `arn:aws:lambda:us-west-2:000000000000:function:artifact-relay-${role}`;
  }
  const text = JSON.stringify(renderDefinition(buildDefinition({}), substitutions));
  parseDefinition(text);
  parseDefinition(text);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    parseDefinition(text);
    samples.push(performance.now() - start);
  }
  return median(samples);
}
