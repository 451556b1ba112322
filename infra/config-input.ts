import { readConfigFileSync } from '../core/config/load.ts';
import { parseConfig } from '../core/config/parse.ts';
import type { RelayConfig, RelayConfigInput } from '../core/config/schema.ts';
import { ConfigInvalid } from '../core/errors.ts';

/**
 * Reading the relay configuration at synth time: from an object or a file (JSON, or YAML for
 * `.yaml`/`.yml`, read with core's size and depth limits), validated with the very `parseConfig`
 * the Lambdas use at run time. Constructs are synchronous, so the file is read synchronously.
 */

/** A configuration object, or the path of a configuration file. */
export type RelayConfigSource = RelayConfigInput | string;

/** A validated configuration and where it came from. */
export interface LoadedRelayConfig {
  readonly config: RelayConfig;
  /** The file path, or `props.config` for an object. */
  readonly sourceName: string;
}

const TARGET_PATH = /^sources\[(\d+)\]\.rules\[(\d+)\]\.targets\[(\d+)\]/;

function at(value: unknown, key: string | number): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** `bucket in region` of the target a problem path points into, read from the raw input. */
export function targetLabelAt(input: unknown, path: string): string | undefined {
  const match = TARGET_PATH.exec(path);
  if (match === null) return undefined;
  const [, source, rule, target] = match;
  const raw = at(at(at(at(at(input, 'sources'), Number(source)), 'rules'), Number(rule)), 'targets');
  const entry = at(raw, Number(target));
  const bucket = at(entry, 'bucket');
  const region = at(entry, 'region');
  if (typeof bucket !== 'string') return undefined;
  return typeof region === 'string' ? `${bucket} in ${region}` : bucket;
}

/** Appends `[target <bucket> in <region>]` to every problem line that is about a target. */
export function nameTargets(input: unknown, problems: readonly string[]): string[] {
  return problems.map((line) => {
    const label = targetLabelAt(input, line.split(':', 1)[0] ?? '');
    return label === undefined ? line : `${line} [target ${label}]`;
  });
}

/**
 * Reads and validates the configuration.
 *
 * @throws ConfigInvalid listing every problem, each line about a target naming its bucket and region
 */
export function readRelayConfig(source: RelayConfigSource): LoadedRelayConfig {
  const sourceName = typeof source === 'string' ? source : 'props.config';
  const input = typeof source === 'string' ? readConfigFileSync(source) : source;
  try {
    return { config: parseConfig(input, sourceName), sourceName };
  } catch (err) {
    if (err instanceof ConfigInvalid) {
      throw new ConfigInvalid(sourceName, nameTargets(input, err.problems), { cause: err });
    }
    throw err;
  }
}
