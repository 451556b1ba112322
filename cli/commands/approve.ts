/** `relay approve` and `relay reject`: decide the approval a deployment wave waits for (docs/waves.md). */
import { type Command, InvalidArgumentError } from 'commander';
import { MAX_DEPLOYMENT_WAVES } from '../../core/config/schema.ts';
import { addJsonOption, addMachineOptions } from '../common-options.ts';

function parseWave(value: string): number {
  const wave = Number(value);
  if (!Number.isInteger(wave) || wave < 2 || wave > MAX_DEPLOYMENT_WAVES) {
    throw new InvalidArgumentError(`a wave number from 2 to ${MAX_DEPLOYMENT_WAVES}`);
  }
  return wave;
}

export function registerApproveCommands(program: Command): void {
  const approve = program
    .command('approve')
    .summary('approve the deployment wave an execution waits for')
    .description(
      'Approve the deployment wave an execution is waiting for (a wave with `waves.<n>.approval` in the configuration): its deployments start. Records who approved and when in the execution history.',
    )
    .argument('<execution>', 'execution ARN or name')
    .option(
      '--wave <n>',
      'only if it is this wave that waits (a guard against approving the wrong one)',
      parseWave,
    )
    .option('--comment <text>', 'a comment recorded with the approval')
    .option('--as <name>', 'who approves, as recorded (default: user@host)');
  addJsonOption(addMachineOptions(approve))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay approve web-20261124-1a2b3c --local\n  $ npx relay approve web-20261124-1a2b3c --wave 2 --as ana --comment "canary looks good"',
    )
    .action(async (execution: string, flags) =>
      (await import('../actions/approve.ts')).runApprove('approved', execution, flags),
    );

  const reject = program
    .command('reject')
    .summary('reject the deployment wave an execution waits for')
    .description(
      'Reject the deployment wave an execution is waiting for: the wave and every later one are held, the execution fails, and `relay redrive` asks for the approval again. Records who rejected, when and why.',
    )
    .argument('<execution>', 'execution ARN or name')
    .requiredOption('--reason <text>', 'why, recorded with the rejection')
    .option('--wave <n>', 'only if it is this wave that waits', parseWave)
    .option('--as <name>', 'who rejects, as recorded (default: user@host)');
  addJsonOption(addMachineOptions(reject))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay reject web-20261124-1a2b3c --reason "error rate up in us-west-2" --local',
    )
    .action(async (execution: string, flags) =>
      (await import('../actions/approve.ts')).runApprove('rejected', execution, flags),
    );
}
