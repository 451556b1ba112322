/** `relay demo` — what `npm start` runs. */
import type { Command } from 'commander';
import { parsePositiveNumber } from '../options.ts';

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
    .addHelpText('after', '\nExample:\n  $ npx relay demo\n  $ npm start')
    .action(async (opts: { config: string; dataDir: string; timeScale: number }) => {
      // Loaded on use: the demo pulls in the task handlers and the SDK clients.
      const { runDemo } = await import('../demo/run.ts');
      process.exitCode = await runDemo({
        configPath: opts.config,
        dataDir: opts.dataDir,
        timeScale: opts.timeScale,
        write: (text) => process.stdout.write(text),
      });
    });
}
