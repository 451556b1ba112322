/**
 * The child process of the console-list case: a local stack on a data directory already holding the
 * executions, and the console beside it — what `relay local` runs — in a process of its own, so its
 * resident memory can be read without the benchmark's own. Run with `node --import tsx`; argument: JSON
 * `{ dataDir, stateMachineArn }`. Prints `ready <consoleUrl> <loadMs> <endpoint>` and serves until SIGINT/SIGTERM;
 * on SIGUSR2 runs a full GC (with `--expose-gc`) and prints `memory <n> <process.memoryUsage()>`.
 */
import { startLocalConsole } from '../../console/server/local-console.ts';
import { startLocalStack } from '../../local/index.ts';

interface ChildInput {
  readonly dataDir: string;
  readonly stateMachineArn: string;
}

const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
const t0 = performance.now();
const stack = await startLocalStack({ port: 0, dataDir: input.dataDir });
const loadMs = performance.now() - t0;
const consoleServer = await startLocalConsole({
  endpoint: stack.endpoint,
  stateMachineArn: input.stateMachineArn,
  port: 0,
  prebuild: false,
});
process.stdout.write(`ready ${consoleServer.url} ${Math.round(loadMs)} ${stack.endpoint}\n`);

const stop = (): void => {
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  consoleServer
    .close()
    .then(() => stack.stop())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stopping failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

let reports = 0;
process.on('SIGUSR2', () => {
  (globalThis as { gc?: () => void }).gc?.();
  reports++;
  process.stdout.write(`memory ${reports} ${JSON.stringify(process.memoryUsage())}\n`);
});
