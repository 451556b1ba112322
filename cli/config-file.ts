/**
 * Which relay configuration a command uses: `--config FILE`, else `relay.config.json` (or `.yaml` /
 * `.yml`) in the working directory, else — for the local stack only — the example shipped in
 * `examples/relay.config.json`, which is what `npx relay local` deploys by default.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../core/config/load.ts';
import type { RelayConfig } from '../core/config/schema.ts';
import { CliError } from './errors.ts';

export const CONFIG_FILE_NAMES = ['relay.config.json', 'relay.config.yaml', 'relay.config.yml'] as const;

/** The example configuration (absolute path), used by the local stack when there is no other. */
export const EXAMPLE_CONFIG_PATH = fileURLToPath(new URL('../examples/relay.config.json', import.meta.url));

export interface ConfigChoice {
  /** Absolute path. */
  readonly path: string;
  /** As a person would type it from the working directory. */
  readonly display: string;
  readonly origin: 'option' | 'working-directory' | 'example';
}

function choice(path: string, origin: ConfigChoice['origin']): ConfigChoice {
  const absolute = resolve(path);
  const rel = relative(process.cwd(), absolute);
  return { path: absolute, display: rel.startsWith('..') || rel === '' ? absolute : rel, origin };
}

/** The configuration file to use, or `undefined` when there is none (and no example is allowed). */
export function findConfig(
  explicit: string | undefined,
  options: { allowExample: boolean },
): ConfigChoice | undefined {
  if (explicit !== undefined) return choice(explicit, 'option');
  const here = CONFIG_FILE_NAMES.find((name) => existsSync(name));
  if (here !== undefined) return choice(here, 'working-directory');
  return options.allowExample ? choice(EXAMPLE_CONFIG_PATH, 'example') : undefined;
}

/** Loads and validates a configuration; every problem is listed when it is invalid. */
export async function loadConfigChoice(config: ConfigChoice): Promise<RelayConfig> {
  // The display form (as typed, relative to here) names the file in messages; both read the same file.
  return loadConfig(config.display);
}

/** The configuration a command cannot do without (replay, status). */
export async function requireConfig(
  explicit: string | undefined,
  options: { allowExample: boolean },
): Promise<{ config: RelayConfig; choice: ConfigChoice }> {
  const found = findConfig(explicit, options);
  if (found === undefined) {
    throw new CliError(
      `no relay configuration: pass --config FILE or create ${CONFIG_FILE_NAMES[0]} here (see examples/relay.config.json)`,
    );
  }
  return { config: await loadConfigChoice(found), choice: found };
}
