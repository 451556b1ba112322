/**
 * Child processes whose memory a case measures: resident set size (VmRSS) and its peak (VmHWM) read from
 * /proc/<pid>/status while the child is alive (Linux).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ → ../../). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ProcessMemory {
  /** Resident now, bytes. */
  readonly rss: number;
  /** Peak resident since the process started (VmHWM), bytes. */
  readonly peak: number;
}

/** VmRSS and VmHWM of a live process. */
export async function processMemory(pid: number): Promise<ProcessMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

/**
 * CPU time a live process has used so far (user + system, all its threads), milliseconds — utime and stime
 * of /proc/<pid>/stat, in clock ticks of 10 ms (Linux's USER_HZ).
 */
export async function processCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at the state, field 3; utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface RunningChild {
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves with the first stdout line matching `pattern` (its match), rejects if the child exits first. */
  waitForLine(pattern: RegExp): Promise<RegExpExecArray>;
  memory(): Promise<ProcessMemory>;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** Sends SIGINT (then SIGKILL after `graceMs`) and resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resolves with the exit code once the child exits by itself. */
  exited(): Promise<number | null>;
}

/** Spawns `node <args>` from the repository root with piped stdout/stderr. */
export function spawnNode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): RunningChild {
  const child = spawn(process.execPath, [...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of [...waiters]) {
      const m = waiter.pattern.exec(out);
      if (m) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(m);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  return {
    pid,
    process: child,
    waitForLine(pattern) {
      const already = pattern.exec(out);
      if (already) return Promise.resolve(already);
      return new Promise<RegExpExecArray>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exit.then((code) =>
          reject(
            new Error(`node ${args.join(' ')} exited with ${code}: ${err.slice(-2000) || out.slice(-2000)}`),
          ),
        );
      });
    },
    memory: () => processMemory(pid),
    stderr: () => err,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
    exited: () => exit,
  };
}

/**
 * Asks a child started with `--expose-gc` that answers SIGUSR2 (bench/children/relay-stack.ts, or `relay local`
 * with bench/children/heap-report.mjs preloaded) for a full
 * GC and its `process.memoryUsage()` afterwards — its `n`-th report.
 */
export async function memoryAfterGc(child: RunningChild, n: number): Promise<MemoryAfterGc> {
  child.process.kill('SIGUSR2');
  const line = await child.waitForLine(new RegExp(`^memory ${n} (.+)$`, 'm'));
  return JSON.parse(line[1]!) as MemoryAfterGc;
}

/**
 * A child's memory after a full GC; with heap-report.mjs also the resident set's parts: `rssAnon` (memory it
 * allocated) and `rssFile` (pages of files it maps, which the kernel may reclaim).
 */
export interface MemoryAfterGc extends NodeJS.MemoryUsage {
  readonly rssAnon?: number;
  readonly rssFile?: number;
}
