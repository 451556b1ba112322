/** What the figures were measured on: CPU, cores, memory, Node.js, OS and the git revision. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, type as osType, release, totalmem } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MachineDescription {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly freeMemoryBytes: number;
  readonly node: string;
  readonly os: string;
  /** 1-, 5- and 15-minute load averages when the run started (other work on a shared machine). */
  readonly loadAverageAtStart: readonly number[];
  readonly git: { readonly revision: string; readonly dirty: boolean };
}

async function git(args: readonly string[]): Promise<string | undefined> {
  try {
    return (await run('git', [...args])).stdout.trim();
  } catch {
    return undefined;
  }
}

async function cpuModel(): Promise<string> {
  const fromOs = cpus()[0]?.model?.trim();
  if (fromOs) return fromOs;
  try {
    const info = await readFile('/proc/cpuinfo', 'utf8');
    return /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function describeMachine(): Promise<MachineDescription> {
  const status = await git(['status', '--porcelain']);
  return {
    cpuModel: await cpuModel(),
    cores: cpus().length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    node: process.version,
    os: `${osType()} ${release()}`,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    git: { revision: (await git(['rev-parse', 'HEAD'])) ?? 'unknown', dirty: (status ?? '') !== '' },
  };
}
