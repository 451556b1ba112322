/** The `relay` program: every command, one example each in `relay --help`. */
import { Command } from 'commander';
import { registerApproveCommands } from './commands/approve.ts';
import { registerBackfillCommand } from './commands/backfill.ts';
import { registerConfigCommand } from './commands/config.ts';
import { registerConsoleCommand } from './commands/console.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerDeployCommand } from './commands/deploy.ts';
import { registerExecutionsCommand } from './commands/executions.ts';
import { registerIamCommand } from './commands/iam.ts';
import { registerLocalCommand } from './commands/local.ts';
import { registerRedriveCommand } from './commands/redrive.ts';
import { registerReplayCommand } from './commands/replay.ts';
import { registerShowCommand } from './commands/show.ts';
import { registerStatusCommand } from './commands/status.ts';

const EXAMPLES = `
Examples:
  $ npx relay local                                   # the local stack with the relay deployed
  $ npm start                                         # = npx relay demo
  $ npx relay executions --local --status FAILED      # the latest executions, one line each
  $ npx relay show <name> --local                     # per target: outcome, steps, attempts, errors
  $ npx relay redrive <name> --local --wait           # run the failed targets again
  $ npx relay redrive --failed --since 24h --region us-west-2
  $ npx relay approve <name> --local                  # let a deployment wave that waits for approval go
  $ npx relay replay s3://build-artifacts-oregon/build_artifacts/ --local
  $ npx relay status s3://build-artifacts-oregon/build_artifacts/web-1.zip --local
  $ npx relay console --local                         # the web console: executions, graph, redrive
  $ npx relay config validate relay.config.json
  $ npx relay config schema > relay.schema.json
  $ npx relay iam cross-account --stack               # bucket/key policies for targets in other accounts

Against AWS: the default credential chain, --profile and --region (or AWS_PROFILE, AWS_REGION).
Against the local stack: --local (${'http://127.0.0.1:4566'}) or --endpoint-url URL.
Exit codes: 0 ok, 1 failed (an AWS error, a failed target, a replica not in sync), 2 bad arguments.`;

/** One line per usage error: `relay: <what is wrong> (relay <command> --help shows the usage)`. */
function oneLine(text: string): string {
  const message = text
    .replace(/^error:\s*/i, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return `relay: ${message} (see relay --help)\n`;
}

export function buildProgram(): Command {
  const program = new Command('relay')
    .description('artifact-relay: copy build artifacts to S3 buckets in other regions, verify, deploy')
    .option('--debug', 'print stack traces on errors')
    .addHelpText('after', EXAMPLES)
    .configureOutput({ outputError: (text, write) => write(oneLine(text)) })
    .exitOverride();
  registerLocalCommand(program);
  registerDemoCommand(program);
  registerExecutionsCommand(program);
  registerShowCommand(program);
  registerRedriveCommand(program);
  registerApproveCommands(program);
  registerBackfillCommand(program);
  registerReplayCommand(program);
  registerDeployCommand(program);
  registerStatusCommand(program);
  registerConsoleCommand(program);
  registerConfigCommand(program);
  registerIamCommand(program);
  // Subcommands inherit the error output and the exit override.
  for (const command of program.commands) {
    command.configureOutput({ outputError: (text, write) => write(oneLine(text)) }).exitOverride();
    for (const sub of command.commands)
      sub.configureOutput({ outputError: (text, write) => write(oneLine(text)) }).exitOverride();
  }
  return program;
}
