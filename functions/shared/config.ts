import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../core/config/parse.ts';
import { loadJsonConfig } from '../../core/config/read.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import { BUNDLED_CONFIG_NAMES, CONFIG_ENV } from '../../core/runtime-contract.ts';

/**
 * The relay configuration for ResolveTargets: the JSON in `RELAY_CONFIG`, else the JSON file named by
 * `RELAY_CONFIG_FILE`, else `relay.config.json` bundled next to the handler (`LAMBDA_TASK_ROOT`, or
 * this module's folder when run from source). Validated once, at first use; a bad configuration fails
 * with every problem listed. JSON only, so the bundle carries no YAML parser: the CDK app ships a YAML
 * configuration as JSON, and a YAML file found here is refused with how to fix it.
 */

/** The environment variable naming a configuration file. */
export const CONFIG_FILE_ENV = 'RELAY_CONFIG_FILE';

export { BUNDLED_CONFIG_NAMES, CONFIG_ENV };

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function parseJsonText(text: string): RelayConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ConfigInvalid(CONFIG_ENV, [`(root): the variable is not valid JSON: ${detail}`], {
      cause: err,
    });
  }
  return parseConfig(value, CONFIG_ENV);
}

/**
 * Loads and validates the configuration from the environment or the bundled file.
 *
 * @param here the folder bundled files are looked for in when `LAMBDA_TASK_ROOT` is unset
 * @throws ConfigInvalid when there is none, or it is invalid
 */
export async function loadRelayConfig(
  env: NodeJS.ProcessEnv = process.env,
  here: string = dirname(fileURLToPath(import.meta.url)),
): Promise<RelayConfig> {
  const text = env[CONFIG_ENV];
  if (text !== undefined && text.trim() !== '') return parseJsonText(text);
  const file = env[CONFIG_FILE_ENV];
  if (file !== undefined && file.trim() !== '') return loadJsonConfig(file);
  const folder = env.LAMBDA_TASK_ROOT ?? here;
  for (const name of BUNDLED_CONFIG_NAMES) {
    const path = join(folder, name);
    if (await exists(path)) return loadJsonConfig(path);
  }
  throw new ConfigInvalid(CONFIG_ENV, [
    `(root): no configuration: set ${CONFIG_ENV} to the configuration JSON, ${CONFIG_FILE_ENV} to a file, or bundle ${BUNDLED_CONFIG_NAMES[0]} next to the handler (${folder})`,
  ]);
}

/** A loader that reads the configuration once and then returns the same (cached) result. */
export function cachedConfigLoader(
  load: () => Promise<RelayConfig> = () => loadRelayConfig(),
): () => Promise<RelayConfig> {
  let pending: Promise<RelayConfig> | undefined;
  return () => {
    pending ??= load();
    return pending;
  };
}
