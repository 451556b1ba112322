import * as z from 'zod/mini';
import './schema-locale.ts';
import { relayOutputSchema, resolveTargetsOutputSchema } from './workflow.ts';
import { deleteOutputSchema, resolveDeleteOutputSchema } from './workflow-delete.ts';

/**
 * Any successful execution's output: relayed (either definition's shape, see `relayOutputSchema`),
 * nothing to relay (ResolveTargets' own answer), a delete propagated to the targets, or a delete that
 * went nowhere (no rule propagates deletes for the key).
 */
export const executionOutputSchema = z.union([
  relayOutputSchema,
  resolveTargetsOutputSchema,
  deleteOutputSchema,
  resolveDeleteOutputSchema,
]);

/** Any successful execution's output. */
export type ExecutionOutput = z.infer<typeof executionOutputSchema>;
