/** `relay demo` — what `npm start` runs. */
import type { Command } from 'commander';
import { parsePort, parsePositiveNumber } from '../options.ts';

interface DemoFlags {
  readonly config: string;
  readonly dataDir: string;
  readonly timeScale: number;
  /** `--no-console` sets it false. */
  readonly console: boolean;
  readonly consolePort?: number;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .summary('relay a fresh artifact on the local stack (npm start)')
    .description(
      'Relay a fresh build artifact to two regions on the embedded local stack and print the result',
    )
    .option('--config <file>', 'relay configuration', 'examples/relay.config.json')
    .option('--data-dir <dir>', 'where the local stack keeps its state', '.relay/local')
    .option(
      '--time-scale <n>',
      'multiplies waits and simulated deployment durations',
      parsePositiveNumber,
      0.02,
    )
    .option(
      '--console-port <n>',
      "on a terminal, the web console's port (default 4567, or a free one when it is taken)",
      parsePort,
    )
    .option('--no-console', 'end once the result is printed, even on a terminal')
    .addHelpText(
      'after',
      '\nOn a terminal the stack and the web console stay up after the result until Ctrl-C; on a pipe (CI) the demo ends once it has printed the result.\n\nExample:\n  $ npx relay demo\n  $ npm start',
    )
    .action(async (opts: DemoFlags) => {
      // Loaded on use: the demo pulls in the task handlers and the SDK clients.
      const { runDemo } = await import('../demo/run.ts');
      const { keepUpWithConsole } = await import('../demo/keep-up.ts');
      const write = (text: string): void => {
        process.stdout.write(text);
      };
      const keepUp = opts.console && process.stdout.isTTY === true;
      process.exitCode = await runDemo({
        configPath: opts.config,
        dataDir: opts.dataDir,
        timeScale: opts.timeScale,
        write,
        ...(keepUp ? { hold: (demo) => keepUpWithConsole(demo, { port: opts.consolePort, write }) } : {}),
      });
    });
}
