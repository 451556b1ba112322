/**
 * The copy handler in a process of its own (case 4), bundled by esbuild like a deployed Lambda and run with
 * plain `node`: it copies one object with `createCopyObjectHandler` — calling it again while it answers
 * `copying`, as the state machine does — and times it twice: when the last call returns, and when `sync`
 * has put the bytes on the disk. Then it reads its own peak resident memory (VmHWM), and only after that
 * proves the replica with the Verify handler. Input: one JSON argument; output: one `result {…}` line.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import {
  createCopyObjectHandler,
  createS3ClientFactory,
  createVerifyCopyHandler,
} from '../../functions/index.ts';

interface ChildInput {
  readonly endpoint: string;
  /** The Copy task's input: `{ source, settings, target }` as ResolveTargets produced it. */
  readonly task: Record<string, unknown>;
  readonly partConcurrency?: number;
}

async function memory(): Promise<{ rss: number; peak: number }> {
  const status = await readFile('/proc/self/status', 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
}

const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
const s3ClientFor = createS3ClientFactory({
  endpoint: input.endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const copy = createCopyObjectHandler({
  s3ClientFor,
  ...(input.partConcurrency !== undefined ? { partConcurrency: input.partConcurrency } : {}),
});
const verify = createVerifyCopyHandler({ s3ClientFor });

const before = await memory();
const started = performance.now();
let task: Record<string, unknown> = input.task;
let result = await copy(task);
let invocations = 1;
while (result.status === 'copying') {
  task = { ...task, copy: result };
  result = await copy(task);
  invocations++;
}
const copyMs = performance.now() - started;
// Until the bytes are on the disk: the copy's parts may still sit in the page cache.
execFileSync('sync');
const durableMs = performance.now() - started;
const after = await memory();
const verified = await verify({ ...task, copy: result });
process.stdout.write(
  `result ${JSON.stringify({ copyMs, durableMs, invocations, status: result.status, bytes: result.bytes, destination: result.destination, before, after, verified })}\n`,
);
process.exit(0);
