/** The AppSpec file at the heart of every revision: where it may sit and what makes it readable. */
import { parse } from 'yaml';
import { InvalidBundleError } from '../errors.ts';

/** Names the CodeDeploy agent looks for at the root of an archive, in order of preference. */
export const APPSPEC_NAMES = ['appspec.yml', 'appspec.yaml'] as const;

/** Largest AppSpec (or YAML/JSON revision) the local stack reads. */
export const MAX_APPSPEC_BYTES = 1024 * 1024;

/** The directory-less name of a path inside an archive, if it names an AppSpec file. */
export function appSpecBaseName(path: string): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return (APPSPEC_NAMES as readonly string[]).includes(base) ? base : undefined;
}

/** Strips `./` prefixes (as `tar -C dir .` writes them) so `./appspec.yml` counts as the root. */
export function normaliseArchivePath(path: string): string {
  let p = path;
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

/** Reads a stream to the end, failing once it exceeds `limit` bytes. */
export async function readLimited(
  stream: AsyncIterable<unknown> & { destroy(): unknown },
  limit: number,
  what: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    total += buf.length;
    if (total > limit) {
      stream.destroy();
      throw new InvalidBundleError(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function requireMapping(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidBundleError(`${what} must be a mapping (key: value pairs) at its top level`);
  }
  const mapping = value as Record<string, unknown>;
  if (!('version' in mapping))
    throw new InvalidBundleError(`${what} has no 'version' (an AppSpec file starts with version: 0.0)`);
  return mapping;
}

/** Parses AppSpec text given as YAML (JSON is accepted too, being YAML). */
export function parseYamlAppSpec(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parse(text);
  } catch (cause) {
    throw new InvalidBundleError(`${what} is not well-formed YAML: ${(cause as Error).message}`, { cause });
  }
  return requireMapping(value, what);
}

/** Parses AppSpec text that must be JSON. */
export function parseJsonAppSpec(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidBundleError(`${what} is not well-formed JSON: ${(cause as Error).message}`, { cause });
  }
  return requireMapping(value, what);
}

/** The error for an archive without a root AppSpec, naming a misplaced one when there is one. */
export function missingAppSpec(kind: string, misplaced: string | undefined): InvalidBundleError {
  if (misplaced !== undefined) {
    return new InvalidBundleError(
      `The ${kind} archive has ${misplaced} but no appspec.yml at its root: archive the contents of the folder, not the folder itself`,
    );
  }
  return new InvalidBundleError(`The ${kind} archive has no appspec.yml or appspec.yaml at its root`);
}
