/**
 * `relay demo --pipeline` as a person runs it (a child process on the example configuration): Source →
 * Build → the relay as a CodePipeline stage on the local stack. It prints the stages as they run and the
 * relay stage's result — output variables when it succeeded, CodePipeline's message when a target
 * (`--fail-target`, an AccessDenied fault on that bucket) made it fail — and exits 0 or 1 like the demo.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './harness.ts';

/** The stage lines, in the order they were printed. */
function stageLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => /^ {2}(Source|Build|Relay) +(Source|Build|RelayToRegions): /.test(line))
    .map((line) => line.trim().replace(/ +/g, ' '));
}

describe('relay demo --pipeline', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-demo-pipeline-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs Source, Build and the relay stage in order and prints the output variables, exiting 0', async () => {
    // Act
    const result = await runCli(['demo', '--pipeline', '--no-console', '--data-dir', join(dir, 'ok')]);

    // Assert
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = stageLines(result.stdout);
    expect(lines.slice(0, 5)).toEqual([
      expect.stringMatching(/^Source Source: running$/),
      expect.stringMatching(/^Source Source: succeeded/),
      expect.stringMatching(/^Build Build: running$/),
      expect.stringMatching(/^Build Build: succeeded \(\d+ bytes\)$/),
      expect.stringMatching(/^Relay RelayToRegions: running/),
    ]);
    expect(lines.at(-1)).toMatch(/^Relay RelayToRegions: job \d+ reported success with output variables$/);
    expect(result.stdout).toContain('Source Succeeded → Build Succeeded → Relay Succeeded');
    expect(result.stdout).toMatch(/#\{RelayVariables\.TargetCount\} +2\n/);
    expect(result.stdout).toMatch(/#\{RelayVariables\.Target1Bucket\} +artifacts-seoul\n/);
    expect(result.stdout).toMatch(/#\{RelayVariables\.Target1DeploymentId\} +d-\w+\n/);
    expect(result.stdout).toMatch(
      /#\{RelayVariables\.Target2Key\} +releases\/relay-demo\/[0-9a-f-]{36}\.zip\n/,
    );
    expect(result.stdout).toContain('Pipeline Succeeded');
  });

  it("fails the relay stage with CodePipeline's message naming the refused target, exiting 1", async () => {
    // Act
    const result = await runCli([
      'demo',
      '--pipeline',
      '--no-console',
      '--fail-target',
      'artifacts-frankfurt',
      '--data-dir',
      join(dir, 'failing'),
    ]);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Failing target: every request to s3://artifacts-frankfurt is refused');
    expect(result.stdout).toContain('Source Succeeded → Build Succeeded → Relay Failed');
    const message = result.stdout.slice(result.stdout.indexOf("CodePipeline's message:"));
    expect(message).toMatch(/^CodePipeline's message:\n {4}The relay execution failed/);
    expect(message).toContain('AccessDenied');
    expect(message).toContain('s3://artifacts-frankfurt/');
    expect(message).toContain('retry the stage');
    expect(result.stdout).not.toContain('#{RelayVariables.');
    expect(result.stdout).toContain('Pipeline Failed');
  });

  it.each([
    [['--fail-target', 'artifacts-frankfurt'], /--fail-target works with --pipeline/],
    [
      ['--pipeline', '--fail-target', 'artifacts-tokyo'],
      /not a target of the rule .*artifacts-seoul, artifacts-frankfurt/,
    ],
  ])('refuses %j as a usage error (exit 2)', async (args, message) => {
    // Act
    const result = await runCli(['demo', '--no-console', '--data-dir', join(dir, 'usage'), ...args]);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toContain('Pipeline relay-demo');
  });
});
