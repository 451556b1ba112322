import { parse as parseYaml } from 'yaml';
import { ConfigInvalid } from '../errors.ts';
import { MAX_YAML_ALIASES } from './limits.ts';
import { parseConfig } from './parse.ts';
import {
  checkConfigSize,
  invalidConfig,
  isYamlPath,
  parseJsonConfigText,
  readConfigText,
  readConfigTextSync,
} from './read.ts';
import type { RelayConfig } from './schema.ts';
import { yamlDepthProblem } from './yaml.ts';

export { parseConfig } from './parse.ts';

/**
 * Reading a configuration file — the one way the CLI and `cdk synth` turn a file into a value: at most
 * `MAX_CONFIG_BYTES` read, `.yaml`/`.yml` as YAML (its nesting bounded before the document is built),
 * anything else as JSON. The task Lambdas read JSON only, through core/config/read.ts, which this
 * builds on.
 */

/**
 * Parses the text of the configuration file `path` (JSON, or YAML by its extension), refusing
 * text over the size limit and YAML nested past the depth limit.
 *
 * @throws ConfigInvalid naming the file when the text is too large, too deep or not JSON/YAML
 */
export function parseConfigText(text: string, path: string): unknown {
  if (!isYamlPath(path)) return parseJsonConfigText(text, path);
  checkConfigSize(text, path);
  const deep = yamlDepthProblem(text);
  if (deep !== undefined) throw invalidConfig(path, deep);
  try {
    return parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ConfigInvalid(path, [`(root): the file is not valid YAML: ${detail}`], { cause: err });
  }
}

/**
 * Reads a configuration file synchronously, for constructs (which cannot await): the same
 * limits and messages as {@link loadConfig}, without validating the content.
 *
 * @throws ConfigInvalid naming the file when it cannot be read, is too large or too deep, or does not parse
 */
export function readConfigFileSync(path: string): unknown {
  return parseConfigText(readConfigTextSync(path), path);
}

/**
 * Reads and validates a configuration file: `.yaml`/`.yml` as YAML, anything else as JSON. A
 * `$schema` member is allowed (for editors).
 *
 * @throws ConfigInvalid when the file cannot be read or parsed, is too large or too deeply nested, or lists every problem it has
 */
export async function loadConfig(path: string): Promise<RelayConfig> {
  return parseConfig(parseConfigText(await readConfigText(path), path), path);
}
