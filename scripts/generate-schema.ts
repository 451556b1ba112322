/**
 * Writes relay.schema.json (the JSON Schema of relay.config.json) at the repository root.
 * Run: `npx tsx scripts/generate-schema.ts`. A unit test fails when the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RELAY_SCHEMA_FILE, renderRelayJsonSchema } from '../core/config/json-schema.ts';

const target = fileURLToPath(new URL(`../${RELAY_SCHEMA_FILE}`, import.meta.url));
await writeFile(target, renderRelayJsonSchema());
process.stdout.write(`wrote ${target}\n`);
