/** Reads a tar or gzip-compressed tar revision as a stream, finding and parsing its root AppSpec. */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { InvalidBundleError } from '../errors.ts';
import {
  APPSPEC_NAMES,
  appSpecBaseName,
  MAX_APPSPEC_BYTES,
  missingAppSpec,
  normaliseArchivePath,
  parseYamlAppSpec,
  readLimited,
} from './appspec.ts';

interface Found {
  readonly name: string;
  readonly text: string;
}

/**
 * Checks that `source` is a readable tar archive (gzip-compressed when `gzipped`) with a well-formed
 * `appspec.yml`/`appspec.yaml` at its root. Reads the whole stream, holding only the AppSpec in memory.
 */
export async function inspectTar(source: Readable, gzipped: boolean): Promise<void> {
  const kind = gzipped ? 'tgz' : 'tar';
  const tar = extract();
  const fail = (err: Error): void => {
    tar.destroy(err);
  };
  source.on('error', fail);
  let input: Readable = source;
  if (gzipped) {
    const gunzip = createGunzip();
    gunzip.on('error', fail);
    input = source.pipe(gunzip);
  }
  input.pipe(tar);

  const found: Found[] = [];
  let misplaced: string | undefined;
  try {
    for await (const entry of tar) {
      const name = normaliseArchivePath(entry.header.name);
      const isFile = entry.header.type === 'file' || entry.header.type === 'contiguous-file';
      if (isFile && (APPSPEC_NAMES as readonly string[]).includes(name)) {
        const bytes = await readLimited(entry, MAX_APPSPEC_BYTES, `${name} in the ${kind} archive`);
        found.push({ name, text: bytes.toString('utf8') });
      } else {
        if (isFile && misplaced === undefined && appSpecBaseName(name) !== undefined) misplaced = name;
        entry.resume();
      }
    }
  } catch (cause) {
    if (cause instanceof InvalidBundleError) throw cause;
    const what = gzipped ? 'a valid gzip-compressed tar archive' : 'a valid tar archive';
    throw new InvalidBundleError(`The revision is not ${what}: ${(cause as Error).message}`, { cause });
  } finally {
    input.unpipe();
    source.destroy();
    if (input !== source) input.destroy();
  }

  const root = APPSPEC_NAMES.map((n) => found.find((f) => f.name === n)).find((f) => f !== undefined);
  if (!root) throw missingAppSpec(kind, misplaced);
  parseYamlAppSpec(root.text, `${root.name} in the ${kind} archive`);
}
