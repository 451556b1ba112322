import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AslDefinition } from './asl.ts';
import { buildDefinition } from './build.ts';

/** Where the committed definition lives. */
export const DEFINITION_FILE = fileURLToPath(new URL('./relay.asl.json', import.meta.url));

/** The committed file's text for `definition`: 2-space JSON and a final newline. */
export function definitionJson(definition: AslDefinition = buildDefinition()): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}

/** Writes state-machine/relay.asl.json for the default options. */
export function generate(file: string = DEFINITION_FILE): void {
  writeFileSync(file, definitionJson());
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  generate();
  process.stdout.write(`wrote ${DEFINITION_FILE}\n`);
}
