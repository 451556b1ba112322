/** The operator CLI `relay`. Errors print as one line unless `--debug`. */
import '../local/polyfills.ts';

// The SDK's pinned versions support Node 20; its notice about versions published after January 2027
// (which will need Node 22) is for the dependency upgrade, not for the person running the CLI.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { type Command, CommanderError } from 'commander';
import { CliError, EXIT_CODES } from './errors.ts';
import { buildProgram } from './program.ts';

/** Commander's own outcomes that are not failures. */
const NOT_FAILURES = new Set([
  'commander.helpDisplayed',
  'commander.help',
  'commander.version',
  'commander.executeSubCommandAsync',
]);

function report(err: unknown, debug: boolean): void {
  if (debug) {
    const cause =
      err instanceof Error && err.cause instanceof Error
        ? `\nCaused by: ${err.cause.stack ?? err.cause.message}`
        : '';
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}${cause}\n`);
  } else {
    process.stderr.write(`relay: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const program: Command = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv]);
    // A command may have set its own exit code (e.g. a failed target, a replica not in sync).
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return NOT_FAILURES.has(err.code) ? err.exitCode : EXIT_CODES.usage;
    }
    report(err, debug);
    return err instanceof CliError ? err.exitCode : EXIT_CODES.failure;
  }
}

process.exitCode = await main(process.argv);
