import type { z } from 'zod';
import { InvalidInput } from '../../core/errors.ts';

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Parses a task's input with its schema from core/workflow.ts.
 *
 * @throws InvalidInput naming every problem (path and message)
 */
export function parseTaskInput<S extends z.ZodType>(schema: S, input: unknown, task: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidInput(`The ${task} task input is invalid: ${describe(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}
