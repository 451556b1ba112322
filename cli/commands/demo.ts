/** `relay demo` — what `npm start` runs; `relay demo --pipeline` runs the relay as a CodePipeline stage. */
import type { Command } from 'commander';
import type { DemoRun } from '../demo/run.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import { parsePort, parsePositiveNumber } from '../options.ts';

interface DemoFlags {
  readonly config: string;
  readonly dataDir: string;
  readonly timeScale: number;
  /** `--no-console` sets it false. */
  readonly console: boolean;
  readonly consolePort?: number;
  readonly pipeline?: boolean;
  readonly failTarget?: string;
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
    .option(
      '--pipeline',
      'run the relay as a CodePipeline stage: Source → Build (the zip, SSE-KMS in the artifact store) → Relay',
    )
    .option(
      '--fail-target <bucket>',
      "with --pipeline: make this target of the relay rule refuse every request (AccessDenied), to see the stage fail with CodePipeline's message",
    )
    .addHelpText(
      'after',
      '\nOn a terminal the stack and the web console stay up after the result until Ctrl-C; on a pipe (CI) the demo ends once it has printed the result. The exit code is 0 when every target (with --pipeline: the pipeline) succeeded, 1 otherwise.\n\nExample:\n  $ npx relay demo\n  $ npm start\n  $ npx relay demo --pipeline\n  $ npx relay demo --pipeline --fail-target artifacts-frankfurt',
    )
    .action(async (opts: DemoFlags) => {
      if (opts.failTarget !== undefined && opts.pipeline !== true) {
        throw new CliError('--fail-target works with --pipeline: add --pipeline', EXIT_CODES.usage);
      }
      // Loaded on use: the demo pulls in the task handlers and the SDK clients.
      const { keepUpWithConsole } = await import('../demo/keep-up.ts');
      const write = (text: string): void => {
        process.stdout.write(text);
      };
      const keepUp = opts.console && process.stdout.isTTY === true;
      const options = {
        configPath: opts.config,
        dataDir: opts.dataDir,
        timeScale: opts.timeScale,
        write,
        ...(keepUp
          ? { hold: (demo: DemoRun) => keepUpWithConsole(demo, { port: opts.consolePort, write }) }
          : {}),
      };
      if (opts.pipeline === true) {
        const { runPipelineDemo } = await import('../demo/pipeline.ts');
        process.exitCode = await runPipelineDemo({
          ...options,
          ...(opts.failTarget === undefined ? {} : { failTarget: opts.failTarget }),
        });
        return;
      }
      const { runDemo } = await import('../demo/run.ts');
      process.exitCode = await runDemo(options);
    });
}
