/** `relay config validate` and `relay config schema`, run as a person runs them. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRelayJsonSchema } from '../../../core/config/json-schema.ts';
import { parseJsonOutput, runCli } from './harness.ts';

describe('relay config', () => {
  let dir: string;
  let broken: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-cli-config-'));
    broken = join(dir, 'broken.json');
    await writeFile(
      broken,
      JSON.stringify({
        sources: [{ bucket: 'Bad_Bucket', region: 'us-west-2', rules: [{ name: 'r', targets: [] }] }],
      }),
    );
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validates the example configuration and summarises it', async () => {
    // Act
    const result = await runCli(['config', 'validate', 'examples/relay.config.json']);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('examples/relay.config.json is valid: 1 source, 1 rule, 2 targets.');
    expect(result.stdout).toContain('web-bundles: build_artifacts/*.zip → artifacts-seoul@ap-northeast-2');
  });

  it('lists every problem of an invalid configuration and exits 1', async () => {
    // Act
    const [text, json] = await Promise.all([
      runCli(['config', 'validate', broken]),
      runCli(['config', 'validate', broken, '--json']),
    ]);

    // Assert
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(
      /^relay: Invalid relay configuration in .*broken\.json \(\d+ problems?\):\n {2}- /,
    );
    const report = parseJsonOutput<{ valid: boolean; problems: string[] }>(json);
    expect([json.code, report.valid]).toEqual([1, false]);
    expect(report.problems.some((p) => p.startsWith('sources[0].bucket'))).toBe(true);
  });

  it('prints the JSON Schema of the configuration', async () => {
    // Act
    const result = await runCli(['config', 'schema']);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(renderRelayJsonSchema());
    expect(JSON.parse(result.stdout)).toHaveProperty('$schema');
  });
});
