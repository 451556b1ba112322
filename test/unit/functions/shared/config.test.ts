import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../../../../core/errors.ts';
import { cachedConfigLoader, loadRelayConfig } from '../../../../functions/shared/config.ts';

const CONFIG = {
  sources: [
    {
      bucket: 'build-artifacts-oregon',
      region: 'us-west-2',
      rules: [{ name: 'all', targets: [{ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }] }],
    },
  ],
};

describe('loadRelayConfig', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-config-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the JSON in RELAY_CONFIG and applies the defaults', async () => {
    // Arrange
    const env = { RELAY_CONFIG: JSON.stringify(CONFIG) };

    // Act
    const config = await loadRelayConfig(env, dir);

    // Assert
    expect(config.sources[0]?.bucket).toBe('build-artifacts-oregon');
    expect(config.defaults.verify).toBe('auto');
  });

  it('lists every problem of an invalid RELAY_CONFIG', async () => {
    // Arrange
    const env = {
      RELAY_CONFIG: JSON.stringify({ sources: [{ bucket: 'UPPER', region: 'nowhere', rules: [] }] }),
    };

    // Act
    const loading = loadRelayConfig(env, dir);

    // Assert
    await expect(loading).rejects.toBeInstanceOf(ConfigInvalid);
    await expect(loading).rejects.toMatchObject({
      problems: expect.arrayContaining([expect.stringContaining('sources[0].bucket')]),
    });
  });

  it('refuses RELAY_CONFIG that is not JSON', async () => {
    // Arrange
    const env = { RELAY_CONFIG: '{ not json' };

    // Act / Assert
    await expect(loadRelayConfig(env, dir)).rejects.toThrow(/not valid JSON/);
  });

  it('reads relay.config.json bundled next to the handler', async () => {
    // Arrange
    await writeFile(join(dir, 'relay.config.json'), JSON.stringify(CONFIG));

    // Act
    const config = await loadRelayConfig({ LAMBDA_TASK_ROOT: dir }, '/nowhere');

    // Assert
    expect(config.sources).toHaveLength(1);
  });

  it('refuses a YAML file named by RELAY_CONFIG_FILE, saying to ship it as JSON', async () => {
    // Arrange
    const file = join(dir, 'relay.config.yaml');
    await writeFile(file, 'sources: []\n');

    // Act
    const loading = loadRelayConfig({ RELAY_CONFIG_FILE: file }, dir);

    // Assert
    await expect(loading).rejects.toBeInstanceOf(ConfigInvalid);
    await expect(loading).rejects.toThrow(/as JSON only.*relay\.config\.json/);
  });

  it('refuses a bundled relay.config.yml the same way', async () => {
    // Arrange
    await writeFile(join(dir, 'relay.config.yml'), 'sources: []\n');

    // Act / Assert
    await expect(loadRelayConfig({ LAMBDA_TASK_ROOT: dir }, '/nowhere')).rejects.toThrow(/as JSON only/);
  });

  it('reads the JSON file named by RELAY_CONFIG_FILE', async () => {
    // Arrange
    const file = join(dir, 'elsewhere.json');
    await writeFile(file, JSON.stringify(CONFIG));

    // Act
    const config = await loadRelayConfig({ RELAY_CONFIG_FILE: file }, '/nowhere');

    // Assert
    expect(config.sources[0]?.rules[0]?.name).toBe('all');
  });

  it('says where to put the configuration when there is none', async () => {
    // Arrange / Act
    const loading = loadRelayConfig({}, dir);

    // Assert
    await expect(loading).rejects.toThrow(/RELAY_CONFIG/);
  });

  it('loads once and caches the result', async () => {
    // Arrange
    let loads = 0;
    const load = cachedConfigLoader(async () => {
      loads++;
      return loadRelayConfig({ RELAY_CONFIG: JSON.stringify(CONFIG) }, dir);
    });

    // Act
    const [a, b] = [await load(), await load()];

    // Assert
    expect(a).toBe(b);
    expect(loads).toBe(1);
  });
});
