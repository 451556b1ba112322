/**
 * The local stack with the relay deployed, in a process of its own (case 5), so its resident memory can be
 * read from /proc without counting the benchmark's clients. Run with `node --import tsx`; argument: JSON
 * `{ dataDir, name, targets, timeScale }`. Prints `ready <endpoint> <stateMachineArn>` and serves until
 * SIGINT/SIGTERM. On SIGUSR2 it runs a full garbage collection (when started with `--expose-gc`) and prints
 * `memory <n> <process.memoryUsage() as JSON>` (n counts the reports): what the stack still holds, as opposed to garbage not yet freed.
 */
import { startLocalStack } from '../../local/index.ts';
import { deployRelay } from '../../local/relay.ts';
import { createLocalTaskHandlers } from '../../local/relay-handlers.ts';
import { benchConfig } from '../lib/relay-config.ts';

interface ChildInput {
  readonly dataDir: string;
  readonly name: string;
  readonly targets: number;
  readonly timeScale: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
const config = benchConfig({ name: input.name, targets: input.targets });
const stack = await startLocalStack({ port: 0, dataDir: input.dataDir, timeScale: input.timeScale });
const relay = await deployRelay(stack, { config, handlers: createLocalTaskHandlers(stack, config) });
process.stdout.write(`ready ${stack.endpoint} ${relay.stateMachineArn}\n`);

const stop = (): void => {
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  stack.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`stopping the stack failed: ${String(err)}\n`);
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
