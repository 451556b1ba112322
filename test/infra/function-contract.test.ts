import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/load.ts';
import { loadRelayConfig } from '../../functions/shared/config.ts';
import { maxFullCopyBudgetSeconds } from '../../infra/function-settings.ts';
import {
  BUNDLED_CONFIG_FILE,
  CONFIG_ENV,
  configDelivery,
  MAX_CONFIG_ENV_BYTES,
} from '../../infra/task-functions.ts';
import { EXAMPLE_CONFIG, type SynthResult, synthRelayApp } from './helpers/synth.ts';
import { functionLogicalId } from './helpers/template.ts';

/** A valid configuration too large for a Lambda environment variable. */
function largeConfig(): Record<string, unknown> {
  const targets = Array.from({ length: 40 }, (_, i) => ({
    bucket: `artifacts-frankfurt-replica-number-${i}`,
    region: 'eu-central-1',
    keyPrefix: `releases/replica-${i}/`,
  }));
  return {
    sources: [
      {
        bucket: 'build-artifacts-oregon',
        region: 'us-west-2',
        rules: [{ name: 'web-bundles', prefix: 'build_artifacts/', suffix: '.zip', targets }],
      },
    ],
  };
}

describe('what infra assumes of functions/', () => {
  it('sizes the copy budget with the handler’s early timeout and the copy’s margin (core/runtime-contract.ts)', () => {
    // Assert: 900 s less the 10 s early timeout and the 60 s margin
    expect(maxFullCopyBudgetSeconds(900)).toBe(830);
  });

  it('passes a configuration in the environment that the ResolveTargets loader accepts', async () => {
    // Arrange
    const example = await loadConfig(EXAMPLE_CONFIG);
    const delivery = configDelivery(example);

    // Act
    const loaded = await loadRelayConfig({ [CONFIG_ENV]: delivery.json });

    // Assert
    expect(delivery.kind).toBe('environment');
    expect(loaded).toEqual({ ...example, $schema: undefined });
  });
});

describe('a configuration too large for the environment', () => {
  let result: SynthResult;
  let configPath: string;

  beforeAll(() => {
    configPath = join(mkdtempSync(join(tmpdir(), 'relay-large-')), 'relay.config.json');
    writeFileSync(configPath, JSON.stringify(largeConfig()));
    result = synthRelayApp({ config: configPath, bundling: true });
  });

  it('is bundled next to the ResolveTargets handler, where its loader finds it', async () => {
    // Arrange
    const fn = result.json.Resources[functionLogicalId(result, 'resolve-targets')]!;
    const code = fn.Properties.Code as { S3Key: string };
    const folder = join(result.assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
    const expected = await loadConfig(configPath);

    // Act
    const loaded = await loadRelayConfig({ LAMBDA_TASK_ROOT: folder });

    // Assert
    expect(Buffer.byteLength(JSON.stringify(expected))).toBeGreaterThan(MAX_CONFIG_ENV_BYTES);
    expect(loaded).toEqual(expected);
    expect(JSON.parse(readFileSync(join(folder, BUNDLED_CONFIG_FILE), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(expected)),
    );
    expect((fn.Properties.Environment as { Variables: object }).Variables).not.toHaveProperty(CONFIG_ENV);
  });
});
