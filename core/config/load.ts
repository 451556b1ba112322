import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigInvalid } from '../errors.ts';
import { parseConfig } from './parse.ts';
import type { RelayConfig } from './schema.ts';

export { parseConfig } from './parse.ts';

/** File extensions read as YAML; anything else is read as JSON. */
const YAML_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml']);

function parseText(text: string, path: string): unknown {
  const yaml = YAML_EXTENSIONS.has(extname(path).toLowerCase());
  try {
    return yaml ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ConfigInvalid(path, [`(root): the file is not valid ${yaml ? 'YAML' : 'JSON'}: ${detail}`], {
      cause: err,
    });
  }
}

/**
 * Reads and validates a configuration file: `.yaml`/`.yml` as YAML, anything else as JSON. A
 * `$schema` member is allowed (for editors).
 *
 * @throws ConfigInvalid when the file cannot be read or parsed, or lists every problem it has
 */
export async function loadConfig(path: string): Promise<RelayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
    throw new ConfigInvalid(
      path,
      [`(root): the file cannot be read (${typeof code === 'string' ? code : String(err)})`],
      {
        cause: err,
      },
    );
  }
  return parseConfig(parseText(text, path), path);
}
