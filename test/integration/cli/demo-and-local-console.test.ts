/**
 * `npm start` (`relay demo`) on a pipe ends once it has printed the result, as CI needs; `relay local`
 * serves the console beside the stack and prints its URL, unless `--no-console`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_BIN, runCli } from './harness.ts';

/** Starts `relay local …args` and resolves with its banner once it is printed. */
function startLocal(args: readonly string[]): { child: ChildProcess; banner: Promise<string> } {
  const child = spawn(process.execPath, [RELAY_BIN, 'local', '--port', '0', '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const banner = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Press Ctrl-C to stop.')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`relay local exited with ${code}: ${out}`)));
  });
  return { child, banner };
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

describe('relay demo and relay local with the console', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-demo-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ends after printing the result when its output is not a terminal (npm start in CI)', async () => {
    // Act
    const result = await runCli(['demo', '--data-dir', join(dir, 'demo')]);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Execution SUCCEEDED');
    expect(result.stdout).not.toContain('Press Ctrl-C');
    expect(result.stdout).not.toContain('Relay console:');
  });

  it('prints the console URL in the banner of relay local, and the console reads the deployed relay', async () => {
    // Arrange
    const { child, banner } = startLocal(['--data-dir', join(dir, 'local')]);

    // Act
    const text = await banner;
    const url = /Console: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
    const answer = url === undefined ? undefined : await fetch(`${url}api/executions`);
    const page = answer === undefined ? undefined : ((await answer.json()) as { stateMachineArn?: string });
    const code = await stop(child);

    // Assert
    expect(text.startsWith('artifact-relay local stack listening on')).toBe(true);
    expect(url).toBeDefined();
    expect(answer?.status).toBe(200);
    expect(page?.stateMachineArn).toMatch(/:stateMachine:artifact-relay$/);
    expect(code).toBe(0);
  });

  it('starts no console with --no-console', async () => {
    // Arrange
    const { child, banner } = startLocal(['--data-dir', join(dir, 'bare'), '--no-relay', '--no-console']);

    // Act
    const text = await banner;
    await stop(child);

    // Assert
    expect(text).not.toContain('Console:');
  });
});
