/** Checks that a stored revision object is a readable bundle of its stated bundle type. */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StoredObject } from '../../types.ts';
import { InvalidBundleError } from '../errors.ts';
import type { BundleType } from '../model.ts';
import { MAX_APPSPEC_BYTES, parseJsonAppSpec, parseYamlAppSpec, readLimited } from './appspec.ts';
import { inspectTar } from './tar.ts';
import { inspectZip } from './zip.ts';

/**
 * Throws {@link InvalidBundleError} saying what is wrong unless `object` is a readable `bundleType` bundle:
 * zip/tar/tgz archives need a well-formed `appspec.yml` (or `.yaml`) at their root; YAML/JSON revisions
 * must themselves be a well-formed AppSpec. Zip archives are spooled to `scratchDir` (zip needs random
 * access); nothing else is held in memory beyond the AppSpec.
 */
export async function validateBundle(
  object: StoredObject,
  bundleType: BundleType,
  scratchDir: string,
): Promise<void> {
  if (object.size === 0)
    throw new InvalidBundleError(`The revision object is empty (0 bytes), not a ${bundleType} bundle`);
  switch (bundleType) {
    case 'zip':
      return inspectSpooledZip(object, scratchDir);
    case 'tar':
      return inspectTar(object.open(), false);
    case 'tgz':
      return inspectTar(object.open(), true);
    case 'YAML': {
      const text = (await readLimited(object.open(), MAX_APPSPEC_BYTES, 'The YAML revision')).toString(
        'utf8',
      );
      parseYamlAppSpec(text, 'The YAML revision');
      return;
    }
    case 'JSON': {
      const text = (await readLimited(object.open(), MAX_APPSPEC_BYTES, 'The JSON revision')).toString(
        'utf8',
      );
      parseJsonAppSpec(text, 'The JSON revision');
      return;
    }
  }
}

async function inspectSpooledZip(object: StoredObject, scratchDir: string): Promise<void> {
  await mkdir(scratchDir, { recursive: true });
  const file = join(scratchDir, `revision-${randomBytes(8).toString('hex')}.zip`);
  try {
    await pipeline(object.open(), createWriteStream(file));
    await inspectZip(file);
  } finally {
    await rm(file, { force: true });
  }
}
