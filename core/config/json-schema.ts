import { toJSONSchema } from 'zod/v4/core';
import { relayConfigSchema } from './schema.ts';

/** The `$id` of the published schema file. */
export const RELAY_SCHEMA_FILE = 'relay.schema.json';

/**
 * The JSON Schema (draft 2020-12) of `relay.config.json`, describing the file as written
 * (defaults optional). Cross-field rules (KMS key region, duplicates, self-copies…) are checked
 * at load and cannot be expressed here.
 */
export function buildRelayJsonSchema(): Record<string, unknown> {
  return toJSONSchema(relayConfigSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
}

/** The schema as the committed file holds it: two-space JSON with a final newline. */
export function renderRelayJsonSchema(): string {
  return `${JSON.stringify(buildRelayJsonSchema(), null, 2)}\n`;
}
