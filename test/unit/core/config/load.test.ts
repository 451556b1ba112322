import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../core/config/load.ts';
import { ConfigInvalid } from '../../../../core/errors.ts';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/relay.config.json', import.meta.url));

describe('loadConfig', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-config-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads the example configuration', async () => {
    // Arrange / Act
    const config = await loadConfig(EXAMPLE);

    // Assert
    const source = config.sources[0]!;
    expect(source.bucket).toBe('build-artifacts-oregon');
    expect(source.region).toBe('us-west-2');
    const rule = source.rules[0]!;
    expect(rule).toMatchObject({ name: 'web-bundles', prefix: 'build_artifacts/', suffix: '.zip' });
    expect(
      rule.targets.map((t) => [
        t.bucket,
        t.region,
        t.encryption.type,
        t.keyPrefix,
        t.deploy?.deploymentGroup,
      ]),
    ).toEqual([
      ['artifacts-seoul', 'ap-northeast-2', 'aws:kms', undefined, 'web-prod'],
      ['artifacts-frankfurt', 'eu-central-1', 'SSE-S3', 'releases/', undefined],
    ]);
  });

  it('reads .yaml files as YAML', async () => {
    // Arrange
    const path = join(dir, 'relay.config.yaml');
    await writeFile(
      path,
      [
        'sources:',
        '  - bucket: build-artifacts-oregon',
        '    region: us-west-2',
        '    rules:',
        '      - name: all',
        '        targets:',
        '          - { bucket: artifacts-frankfurt, region: eu-central-1 }',
        'defaults:',
        '  verify: checksum',
        '',
      ].join('\n'),
    );

    // Act
    const config = await loadConfig(path);

    // Assert
    expect(config.defaults.verify).toBe('checksum');
    expect(config.sources[0]!.rules[0]!.targets[0]!.bucket).toBe('artifacts-frankfurt');
  });

  it('names the file and every problem when the content is invalid', async () => {
    // Arrange
    const path = join(dir, 'relay.config.yml');
    await writeFile(path, 'sources:\n  - bucket: x\n    region: us-west-2\n    rules: []\n');

    // Act
    const error = await loadConfig(path).catch((err: unknown) => err);

    // Assert
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).message).toContain(path);
    expect((error as ConfigInvalid).problems).toEqual([
      expect.stringMatching(/^sources\[0\]\.bucket: a bucket name must be 3 to 63 characters long/),
      expect.stringMatching(/^sources\[0\]\.rules: needs at least 1 item/),
    ]);
  });

  it('reports a file that is not valid JSON as ConfigInvalid', async () => {
    // Arrange
    const path = join(dir, 'relay.config.json');
    await writeFile(path, '{ "sources": [ }');

    // Act
    const error = await loadConfig(path).catch((err: unknown) => err);

    // Assert
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).problems[0]).toMatch(/^\(root\): the file is not valid JSON/);
  });

  it('reports a missing file as ConfigInvalid with the system error code', async () => {
    // Arrange
    const path = join(dir, 'missing.json');

    // Act
    const error = await loadConfig(path).catch((err: unknown) => err);

    // Assert
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).problems).toEqual(['(root): the file cannot be read (ENOENT)']);
  });
});
