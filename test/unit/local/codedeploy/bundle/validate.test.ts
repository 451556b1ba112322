import { readdir } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateBundle } from '../../../../../local/codedeploy/bundle/validate.ts';
import { InvalidBundleError } from '../../../../../local/codedeploy/errors.ts';
import type { BundleType } from '../../../../../local/codedeploy/model.ts';
import type { StoredObject } from '../../../../../local/types.ts';
import {
  LAMBDA_APPSPEC_JSON,
  LAMBDA_APPSPEC_YAML,
  SERVER_APPSPEC,
} from '../../../../fixtures/bundles/appspec.ts';
import { buildTar, buildTgz } from '../../../../fixtures/bundles/tar.ts';
import { buildZip } from '../../../../fixtures/bundles/zip.ts';
import { FakeS3, tempDir } from '../helpers.ts';

let scratch: { dir: string; cleanup: () => Promise<void> };
let s3: FakeS3;

beforeEach(async () => {
  scratch = await tempDir();
  s3 = new FakeS3();
  s3.createBucket('b', 'us-east-1');
});
afterEach(async () => {
  await scratch.cleanup();
});

async function stored(bytes: Buffer | string): Promise<StoredObject> {
  s3.put('b', 'k', bytes);
  const object = await s3.getObject('b', 'k');
  if (!object) throw new Error('test setup');
  return object;
}

async function rejection(bytes: Buffer | string, type: BundleType): Promise<string> {
  const object = await stored(bytes);
  const err = await validateBundle(object, type, scratch.dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidBundleError);
  return (err as Error).message;
}

describe('zip bundles', () => {
  it('accepts a deflated archive with appspec.yml at its root', async () => {
    // Arrange
    const zip = buildZip([
      { name: 'scripts/start.sh', data: '#!/bin/sh\necho start\n' },
      { name: 'appspec.yml', data: SERVER_APPSPEC },
    ]);

    // Act
    const result = validateBundle(await stored(zip), 'zip', scratch.dir);

    // Assert
    await expect(result).resolves.toBeUndefined();
  });

  it('accepts a stored (uncompressed) archive with appspec.yaml', async () => {
    // Arrange
    const zip = buildZip([{ name: 'appspec.yaml', data: SERVER_APPSPEC, method: 'store' }]);

    // Act
    const result = validateBundle(await stored(zip), 'zip', scratch.dir);

    // Assert
    await expect(result).resolves.toBeUndefined();
  });

  it('leaves no spooled copy behind in the scratch directory', async () => {
    // Arrange
    const zip = buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    await validateBundle(await stored(zip), 'zip', scratch.dir);

    // Assert
    expect(await readdir(scratch.dir)).toEqual([]);
  });

  it('names a misplaced appspec.yml in a sub-folder', async () => {
    // Arrange
    const zip = buildZip([{ name: 'build/appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    const message = await rejection(zip, 'zip');

    // Assert
    expect(message).toContain('build/appspec.yml');
    expect(message).toContain('at its root');
  });

  it('rejects an archive without any AppSpec', async () => {
    // Arrange
    const zip = buildZip([{ name: 'index.html', data: '<html></html>' }]);

    // Act
    const message = await rejection(zip, 'zip');

    // Assert
    expect(message).toBe('The zip archive has no appspec.yml or appspec.yaml at its root');
  });

  it('rejects bytes that are not a zip archive', async () => {
    // Act
    const message = await rejection('just some text, not an archive', 'zip');

    // Assert
    expect(message).toMatch(/^The revision is not a valid zip archive: /);
  });

  it('rejects a truncated archive', async () => {
    // Arrange
    const zip = buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    const message = await rejection(zip.subarray(0, zip.length - 30), 'zip');

    // Assert
    expect(message).toMatch(/not a valid zip archive/);
  });

  it('rejects an AppSpec whose YAML is malformed', async () => {
    // Arrange
    const zip = buildZip([{ name: 'appspec.yml', data: 'version: 0.0\nfiles: [unclosed\n' }]);

    // Act
    const message = await rejection(zip, 'zip');

    // Assert
    expect(message).toMatch(/^appspec\.yml in the zip archive is not well-formed YAML/);
  });

  it('rejects an AppSpec without a version', async () => {
    // Arrange
    const zip = buildZip([{ name: 'appspec.yml', data: 'os: linux\n' }]);

    // Act
    const message = await rejection(zip, 'zip');

    // Assert
    expect(message).toContain("has no 'version'");
  });

  it('rejects an archive whose AppSpec bytes fail their CRC', async () => {
    // Arrange
    const zip = buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC, method: 'store' }]);
    const at = zip.indexOf('version: 0.0');
    zip.write('VERSION', at, 'latin1');

    // Act
    const message = await rejection(zip, 'zip');

    // Assert
    expect(message).toBe('appspec.yml in the zip archive is corrupt: its CRC-32 does not match its data');
  });
  it('rejects an archive with any corrupt entry, not only the AppSpec', async () => {
    // Arrange
    const zip = buildZip([
      { name: 'appspec.yml', data: SERVER_APPSPEC },
      { name: 'site/index.html', data: '<html>hello</html>', method: 'store' },
    ]);
    zip.write('J', zip.indexOf('hello'), 'latin1');

    // Act
    const message = await rejection(zip, 'zip');

    // Assert
    expect(message).toBe('site/index.html in the zip archive is corrupt: its CRC-32 does not match its data');
  });

  it('rejects an archive whose deflated data is damaged', async () => {
    // Arrange
    const big = Buffer.alloc(4096, 'abcdefgh');
    const zip = buildZip([
      { name: 'appspec.yml', data: SERVER_APPSPEC, method: 'store' },
      { name: 'data.bin', data: big },
    ]);
    const dataStart = zip.indexOf('data.bin') + 'data.bin'.length;
    zip.fill(0xff, dataStart, dataStart + 4);

    // Act
    const message = await rejection(zip, 'zip');

    // Assert
    expect(message).toMatch(/^data\.bin in the zip archive (cannot be unzipped|is corrupt)/);
  });
});

describe('tar and tgz bundles', () => {
  it('accepts a tar archive whose AppSpec is written as ./appspec.yml', async () => {
    // Arrange
    const tar = await buildTar([
      { name: './scripts/start.sh', data: 'echo start\n' },
      { name: './appspec.yml', data: SERVER_APPSPEC },
    ]);

    // Act
    const result = validateBundle(await stored(tar), 'tar', scratch.dir);

    // Assert
    await expect(result).resolves.toBeUndefined();
  });

  it('accepts a tgz archive', async () => {
    // Arrange
    const tgz = await buildTgz([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    const result = validateBundle(await stored(tgz), 'tgz', scratch.dir);

    // Assert
    await expect(result).resolves.toBeUndefined();
  });

  it('rejects a tgz archive declared as tar', async () => {
    // Arrange
    const tgz = await buildTgz([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    const message = await rejection(tgz, 'tar');

    // Assert
    expect(message).toMatch(/^The revision is not a valid tar archive: /);
  });

  it('rejects a plain tar archive declared as tgz', async () => {
    // Arrange
    const tar = await buildTar([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    const message = await rejection(tar, 'tgz');

    // Assert
    expect(message).toMatch(/^The revision is not a valid gzip-compressed tar archive: /);
  });

  it('rejects a truncated tgz archive', async () => {
    // Arrange
    const tgz = await buildTgz([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    const message = await rejection(tgz.subarray(0, tgz.length - 12), 'tgz');

    // Assert
    expect(message).toMatch(/not a valid gzip-compressed tar archive/);
  });

  it('rejects a gzip stream that holds no tar archive', async () => {
    // Act
    const message = await rejection(gzipSync(Buffer.alloc(2000, 0x41)), 'tgz');

    // Assert
    expect(message).toMatch(/not a valid gzip-compressed tar archive/);
  });

  it('names a misplaced AppSpec inside a tar archive', async () => {
    // Arrange
    const tar = await buildTar([{ name: 'dist/appspec.yaml', data: SERVER_APPSPEC }]);

    // Act
    const message = await rejection(tar, 'tar');

    // Assert
    expect(message).toContain('dist/appspec.yaml');
  });

  it('rejects a tar archive without any AppSpec', async () => {
    // Arrange
    const tar = await buildTar([{ name: 'README', data: 'hello' }]);

    // Act
    const message = await rejection(tar, 'tar');

    // Assert
    expect(message).toBe('The tar archive has no appspec.yml or appspec.yaml at its root');
  });
});

describe('YAML and JSON revisions', () => {
  it('accepts a YAML AppSpec', async () => {
    // Act
    const result = validateBundle(await stored(LAMBDA_APPSPEC_YAML), 'YAML', scratch.dir);

    // Assert
    await expect(result).resolves.toBeUndefined();
  });

  it('accepts a JSON AppSpec', async () => {
    // Act
    const result = validateBundle(await stored(LAMBDA_APPSPEC_JSON), 'JSON', scratch.dir);

    // Assert
    await expect(result).resolves.toBeUndefined();
  });

  it('rejects malformed YAML', async () => {
    // Act
    const message = await rejection('version: 0.0\nResources:\n  - web: {Type: [\n', 'YAML');

    // Assert
    expect(message).toMatch(/^The YAML revision is not well-formed YAML/);
  });

  it('rejects YAML declared as JSON', async () => {
    // Act
    const message = await rejection(LAMBDA_APPSPEC_YAML, 'JSON');

    // Assert
    expect(message).toMatch(/^The JSON revision is not well-formed JSON/);
  });

  it('rejects a JSON document that is not a mapping', async () => {
    // Act
    const message = await rejection('[1, 2, 3]', 'JSON');

    // Assert
    expect(message).toContain('must be a mapping');
  });

  it('rejects a zip archive declared as YAML', async () => {
    // Arrange
    const zip = buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);

    // Act
    const message = await rejection(zip, 'YAML');

    // Assert
    expect(message).toMatch(/^The YAML revision /);
  });
});

describe('any bundle type', () => {
  it.each(['zip', 'tar', 'tgz', 'YAML', 'JSON'] as const)('rejects an empty %s object', async (type) => {
    // Act
    const message = await rejection(Buffer.alloc(0), type);

    // Assert
    expect(message).toBe(`The revision object is empty (0 bytes), not a ${type} bundle`);
  });
});
