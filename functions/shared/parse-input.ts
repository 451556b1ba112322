import { safeParse } from 'zod/mini';
import type * as z from 'zod/v4/core';
import { InvalidInput } from '../../core/errors.ts';

function describe(error: z.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Parses a task's input with its schema from core/workflow.ts (any zod 4 schema: the function form of
 * `safeParse` from `zod/mini` keeps classic zod out of the handler bundles).
 *
 * @throws InvalidInput naming every problem (path and message)
 */
export function parseTaskInput<S extends z.$ZodType>(schema: S, input: unknown, task: string): z.output<S> {
  const parsed = safeParse(schema, input);
  if (!parsed.success) {
    throw new InvalidInput(`The ${task} task input is invalid: ${describe(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
