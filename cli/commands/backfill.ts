/** `relay backfill status <id>`: where a backfill (`relay replay --distributed`) stands. */
import type { Command } from 'commander';
import { addJsonOption, addMachineOptions } from '../common-options.ts';

export function registerBackfillCommand(program: Command): void {
  const backfill = program
    .command('backfill')
    .summary('follow a backfill started by relay replay --distributed')
    .description('Backfills: the Distributed Map workflow relay replay --distributed starts');
  const status = backfill
    .command('status')
    .summary("a backfill's work list, progress and results")
    .description(
      'A backfill: its work list (listed, in sync, queued), its map run (done, failed, running, rate, ETA) and, once it ended, its results (copied, in sync, superseded, failed) with the results manifest',
    )
    .argument('<id>', 'the backfill execution name (or ARN)')
    .option('--watch', 'follow it with a progress bar until it ends')
    .option('--backfill-state-machine <arn|name>', 'the backfill state machine (default: <relay>-backfill)');
  addJsonOption(addMachineOptions(status))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay backfill status backfill-20261202-101500-1a2b3c --watch --local',
    )
    .action(async (id: string, flags) =>
      (await import('../actions/backfill.ts')).runBackfillStatus(id, flags),
    );
}
