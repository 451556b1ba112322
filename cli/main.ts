/** The operator CLI `relay`. Errors print as one line unless `--debug`. */
import '../local/polyfills.ts';

// The SDK's pinned versions support Node 20; its notice about versions published after January 2027
// (which will need Node 22) is for the dependency upgrade, not for the person running the CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.ts';
import { registerLocalCommand } from './commands/local.ts';
import { CliError } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command('relay')
    .description('artifact-relay: copy build artifacts to S3 buckets in other regions, verify, deploy')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run relay --help for usage)');
  registerLocalCommand(program);
  registerDemoCommand(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv]);
    // A command may have set its own exit code (e.g. the demo when a target failed).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (debug) {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    } else {
      process.stderr.write(`relay: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    return err instanceof CliError ? err.exitCode : 1;
  }
}

process.exitCode = await main(process.argv);
