/** `relay redrive`: run the failed targets of failed executions again (Step Functions redrive). */
import type { Command } from 'commander';
import { addJsonOption, addMachineOptions } from '../common-options.ts';
import { parseSince } from '../options.ts';

export function registerRedriveCommand(program: Command): void {
  const command = program
    .command('redrive')
    .summary('redrive failed executions (their failed targets run again)')
    .description(
      'Redrive failed executions: only their failed targets run again; says which could not be redriven and why',
    )
    .argument('[execution...]', 'execution ARNs or names')
    .option('--failed', 'redrive every failed, timed-out or aborted execution (since --since)')
    .option(
      '--since <when>',
      'with --failed: those that stopped since (30m, 24h, 7d, ISO date; default 24h)',
      (v) => parseSince(v),
    )
    .option('--dry-run', 'say what would be redriven, redrive nothing')
    .option('--wait', 'wait until the redriven executions finish and report how they ended');
  addJsonOption(addMachineOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay redrive web-20261124-1a2b3c --local --wait\n  $ npx relay redrive --failed --since 24h --dry-run --region us-west-2',
    )
    .action(async (executions: string[], flags) =>
      (await import('../actions/redrive.ts')).runRedrive(executions, flags),
    );
}
