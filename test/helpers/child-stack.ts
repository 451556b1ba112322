/**
 * Runs `relay local` as a separate process, so a test can watch the stack's own resident memory
 * (/proc/<pid>/status) without counting the test's clients.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const RELAY_BIN = fileURLToPath(new URL('../../bin/relay.mjs', import.meta.url));

export interface ChildStack {
  readonly endpoint: string;
  readonly pid: number;
  /** Current and peak resident set size of the stack process, in bytes (Linux). */
  memory(): Promise<{ rss: number; peak: number }>;
  stop(): Promise<void>;
  /** `kill -9`: the stack dies as in a crash, with no chance to write anything; resolves once it is gone. */
  kill(): Promise<void>;
}

export async function startChildStack(
  dataDir: string,
  extraArgs: readonly string[] = [],
): Promise<ChildStack> {
  const child: ChildProcess = spawn(
    process.execPath,
    [RELAY_BIN, 'local', '--port', '0', '--data-dir', dataDir, '--quiet', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`relay local exited with ${code}: ${err || out}`)));
  });
  const pid = child.pid!;
  return {
    endpoint,
    pid,
    async memory() {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = (field: string): number =>
        Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
      return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
    },
    kill() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
  };
}
