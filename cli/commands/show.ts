/** `relay show <execution>`: what happened to each target, step by step. */
import type { Command } from 'commander';
import { addJsonOption, addMachineOptions } from '../common-options.ts';

export function registerShowCommand(program: Command): void {
  const command = program
    .command('show')
    .summary('one execution, per target: outcome and timeline')
    .description(
      'Show one execution: per target its outcome and a timeline of steps (start, duration, attempts, errors)',
    )
    .argument('<execution>', 'execution ARN, name, or the start of a name');
  addJsonOption(addMachineOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay show web-20261124-1a2b3c --local\n  $ npx relay show arn:aws:states:us-west-2:111122223333:execution:artifact-relay:0f9d… --json',
    )
    .action(async (execution: string, flags) =>
      (await import('../actions/show.ts')).runShow(execution, flags),
    );
}
