import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { ConfigInvalid } from '../errors.ts';
import { MAX_CONFIG_BYTES, sizeProblem } from './limits.ts';
import { parseConfig } from './parse.ts';
import { type ConfigProblem, renderProblem } from './problems.ts';
import type { RelayConfig } from './schema.ts';

/**
 * Reading a configuration file's text within the size limit, and the JSON reading of it — everything
 * of the configuration loader but YAML. The task Lambdas load their configuration through
 * {@link loadJsonConfig} only, so their bundles carry no YAML parser (the CDK app always ships the
 * configuration as JSON); core/config/load.ts adds YAML on top for the CLI and `cdk synth`.
 */

/** File extensions read as YAML; anything else is read as JSON. */
const YAML_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml']);

/** Whether `path` names a YAML file (by its extension), which only core/config/load.ts reads. */
export function isYamlPath(path: string): boolean {
  return YAML_EXTENSIONS.has(extname(path).toLowerCase());
}

/** A ConfigInvalid naming `path` with one problem. */
export function invalidConfig(path: string, problem: ConfigProblem, cause?: unknown): ConfigInvalid {
  return new ConfigInvalid(path, [renderProblem(problem)], cause === undefined ? {} : { cause });
}

/** Refuses text over the size limit (text handed in rather than read, such as an environment variable). */
export function checkConfigSize(text: string, path: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_CONFIG_BYTES) throw invalidConfig(path, sizeProblem(bytes));
}

/**
 * Parses configuration text as JSON, refusing text over the size limit.
 *
 * @throws ConfigInvalid naming `path` when the text is too large or not JSON
 */
export function parseJsonConfigText(text: string, path: string): unknown {
  checkConfigSize(text, path);
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new ConfigInvalid(path, [`(root): the file is not valid JSON: ${detail}`], { cause: err });
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
  return invalidConfig(path, sizeProblem(size > MAX_CONFIG_BYTES ? size : undefined));
}

/**
 * The text of `path`, read up to the size limit (a special file or a growing one cannot run on).
 *
 * @throws ConfigInvalid naming the file when it cannot be read or is too large
 */
export async function readConfigText(path: string): Promise<string> {
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
 * {@link readConfigText}, synchronously, for constructs (which cannot await).
 *
 * @throws ConfigInvalid naming the file when it cannot be read or is too large
 */
export function readConfigTextSync(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw unreadable(path, err);
  }
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
    return buffer.toString('utf8', 0, length);
  } catch (err) {
    throw err instanceof ConfigInvalid ? err : unreadable(path, err);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and validates a JSON configuration file — the task Lambdas' loader. A YAML file is refused
 * with how to fix it rather than read: the CDK app converts a YAML configuration to JSON when it
 * deploys, so only a hand-made deployment meets this.
 *
 * @throws ConfigInvalid when the file is YAML, cannot be read, is too large, is not JSON, or lists every problem it has
 */
export async function loadJsonConfig(path: string): Promise<RelayConfig> {
  if (isYamlPath(path)) {
    throw new ConfigInvalid(path, [
      "(root): the relay's Lambda functions read the configuration as JSON only (so that they carry no YAML parser); deploy with the CDK app, which ships a YAML configuration as JSON, or convert the file to relay.config.json",
    ]);
  }
  return parseConfig(parseJsonConfigText(await readConfigText(path), path), path);
}
