/**
 * `npm start` (`relay demo`) tells CI whether the relay worked: exit code 0 when every target succeeded,
 * non-zero when one failed. The failure is an honest one: a configuration whose deploy names the wrong
 * bundle type for the demo's zip artifact, which the local CodeDeploy refuses as CodeDeploy does
 * (InvalidRevisionException).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness.ts';

const EXAMPLE_CONFIG = fileURLToPath(new URL('../../../examples/relay.config.json', import.meta.url));

interface ExampleConfig {
  sources: Array<{ rules: Array<{ targets: Array<{ deploy?: { bundleType: string } }> }> }>;
}

/** The example configuration with every deploying target's bundle type set to `tar`. */
async function writeWrongBundleTypeConfig(dir: string): Promise<string> {
  const config = JSON.parse(await readFile(EXAMPLE_CONFIG, 'utf8')) as ExampleConfig & { $schema?: string };
  delete config.$schema;
  let deploying = 0;
  for (const target of config.sources.flatMap((s) => s.rules.flatMap((r) => r.targets))) {
    if (target.deploy === undefined) continue;
    target.deploy.bundleType = 'tar';
    deploying += 1;
  }
  if (deploying === 0)
    throw new Error('the example configuration deploys nowhere: the test needs a target that deploys');
  const path = join(dir, 'wrong-bundle-type.json');
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

describe('relay demo exit code', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-demo-exit-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 0 when every target succeeded', async () => {
    // Act
    const result = await runCli(['demo', '--no-console', '--data-dir', join(dir, 'ok')]);

    // Assert
    expect(result.stdout).toContain('Execution SUCCEEDED');
    expect(result.code).toBe(0);
  });

  it('exits non-zero when a target fails', async () => {
    // Arrange
    const config = await writeWrongBundleTypeConfig(dir);

    // Act
    const result = await runCli([
      'demo',
      '--no-console',
      '--config',
      config,
      '--data-dir',
      join(dir, 'failing'),
    ]);

    // Assert
    expect(result.stdout).toContain('InvalidRevisionException');
    expect(result.stdout).not.toContain('Execution SUCCEEDED');
    expect(result.code).not.toBe(0);
  });
});
