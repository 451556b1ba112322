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

  it('reports what can never work: ETag with SSE-KMS, an unknown region, a loop and a deep file', async () => {
    // Arrange
    const never = join(dir, 'never.json');
    await writeFile(
      never,
      JSON.stringify({
        sources: [
          {
            bucket: 'build-artifacts-oregon',
            region: 'us-west-2',
            rules: [
              {
                name: 'web',
                prefix: 'build/',
                targets: [
                  {
                    bucket: 'artifacts-seoul',
                    region: 'ap-northeast-2',
                    encryption: {
                      type: 'aws:kms',
                      kmsKeyArn: 'arn:aws:kms:ap-northeast-2:000000000000:key/abc',
                    },
                  },
                  { bucket: 'artifacts-paris', region: 'zz-fake-9' },
                  { bucket: 'build-artifacts-oregon', region: 'us-west-2', keyPrefix: 'build/copies/' },
                ],
              },
            ],
          },
        ],
        defaults: { verify: 'etag' },
      }),
    );
    const deep = join(dir, 'deep.yaml');
    await writeFile(deep, `sources: ${'['.repeat(2000)}1${']'.repeat(2000)}\n`);

    // Act
    const [report, deepResult] = await Promise.all([
      runCli(['config', 'validate', never, '--json']),
      runCli(['config', 'validate', deep]),
    ]);

    // Assert
    const { problems } = parseJsonOutput<{ problems: string[] }>(report);
    expect(problems.map((p) => p.slice(0, p.indexOf(': ')))).toEqual([
      'sources[0].rules[0].targets[0]',
      'sources[0].rules[0].targets[1].region',
      'sources[0].rules[0].targets[2]',
    ]);
    expect(deepResult.code).toBe(1);
    expect(deepResult.stderr).toContain(`Invalid relay configuration in ${deep}`);
    expect(deepResult.stderr).toContain('nested more than 32 levels deep');
    expect(deepResult.stderr).not.toContain('Maximum call stack');
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
