import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigInvalid } from '../errors.ts';
import { MAX_CONFIG_BYTES, MAX_YAML_ALIASES, sizeProblem, yamlDepthProblem } from './limits.ts';
import { parseConfig } from './parse.ts';
import { type ConfigProblem, renderProblem } from './problems.ts';
import type { RelayConfig } from './schema.ts';

export { parseConfig } from './parse.ts';

/**
 * Reading a configuration file — the one way every reader (the CLI, the Lambdas, `cdk synth`)
 * turns a file into a value: at most {@link MAX_CONFIG_BYTES} read, `.yaml`/`.yml` as YAML (its
 * nesting bounded before the document is built), anything else as JSON.
 */

/** File extensions read as YAML; anything else is read as JSON. */
const YAML_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml']);

function invalid(path: string, problem: ConfigProblem, cause?: unknown): ConfigInvalid {
  return new ConfigInvalid(path, [renderProblem(problem)], cause === undefined ? {} : { cause });
}

/**
 * Parses the text of the configuration file `path` (JSON, or YAML by its extension), refusing
 * text over the size limit and YAML nested past the depth limit.
 *
 * @throws ConfigInvalid naming the file when the text is too large, too deep or not JSON/YAML
 */
export function parseConfigText(text: string, path: string): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) throw invalid(path, sizeProblem(bytes));
  const yaml = YAML_EXTENSIONS.has(extname(path).toLowerCase());
  if (yaml) {
    const deep = yamlDepthProblem(text);
    if (deep !== undefined) throw invalid(path, deep);
  }
  try {
    return yaml ? parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES }) : JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ConfigInvalid(path, [`(root): the file is not valid ${yaml ? 'YAML' : 'JSON'}: ${detail}`], {
      cause: err,
    });
  }
}

function unreadable(path: string, err: unknown): ConfigInvalid {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return new ConfigInvalid(
    path,
    [`(root): the file cannot be read (${typeof code === 'string' ? code : String(err)})`],
    { cause: err },
  );
}

/** A chunk of the file, grown while reading: one byte past the limit is enough to refuse it. */
const READ_LIMIT = MAX_CONFIG_BYTES + 1;

function tooLarge(path: string, size: number): ConfigInvalid {
  return invalid(path, sizeProblem(size > MAX_CONFIG_BYTES ? size : undefined));
}

/** The text of `path`, read up to the size limit (a special file or a growing one cannot run on). */
async function readConfigFile(path: string): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw unreadable(path, err);
  }
  try {
    const size = (await handle.stat()).size;
    if (size > MAX_CONFIG_BYTES) throw tooLarge(path, size);
    const buffer = Buffer.alloc(READ_LIMIT);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, READ_LIMIT - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length >= READ_LIMIT) throw tooLarge(path, 0);
    }
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    throw err instanceof ConfigInvalid ? err : unreadable(path, err);
  } finally {
    await handle.close();
  }
}

/**
 * Reads a configuration file synchronously, for constructs (which cannot await): the same
 * limits and messages as {@link loadConfig}, without validating the content.
 *
 * @throws ConfigInvalid naming the file when it cannot be read, is too large or too deep, or does not parse
 */
export function readConfigFileSync(path: string): unknown {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw unreadable(path, err);
  }
  let text: string;
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_CONFIG_BYTES) throw tooLarge(path, size);
    const buffer = Buffer.alloc(READ_LIMIT);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, READ_LIMIT - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length >= READ_LIMIT) throw tooLarge(path, 0);
    }
    text = buffer.toString('utf8', 0, length);
  } catch (err) {
    throw err instanceof ConfigInvalid ? err : unreadable(path, err);
  } finally {
    closeSync(fd);
  }
  return parseConfigText(text, path);
}

/**
 * Reads and validates a configuration file: `.yaml`/`.yml` as YAML, anything else as JSON. A
 * `$schema` member is allowed (for editors).
 *
 * @throws ConfigInvalid when the file cannot be read or parsed, is too large or too deeply nested, or lists every problem it has
 */
export async function loadConfig(path: string): Promise<RelayConfig> {
  return parseConfig(parseConfigText(await readConfigFile(path), path), path);
}
