/** `relay executions`: the relay's latest executions, one line each. */
import type { Command } from 'commander';
import { addJsonOption, addMachineOptions } from '../common-options.ts';
import { parseExecutionStatus, parseSince, positiveInteger } from '../options.ts';

export function registerExecutionsCommand(program: Command): void {
  const command = program
    .command('executions')
    .summary("list the relay's executions")
    .description("List the relay's executions: status, source object, targets ok/failed, start, duration")
    .option(
      '--status <status>',
      'only this status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE',
      parseExecutionStatus,
    )
    .option('--since <when>', 'only those started since: 30m, 24h, 7d or an ISO date', (v) => parseSince(v))
    .option('--limit <n>', 'at most this many executions', positiveInteger(1000), 20);
  addJsonOption(addMachineOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay executions --local\n  $ npx relay executions --status FAILED --since 24h --region us-west-2 --json',
    )
    .action(async (flags) => (await import('../actions/executions.ts')).runExecutions(flags));
}
