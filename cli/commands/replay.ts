/** `relay replay s3://bucket/prefix`: relay the objects already in a source bucket. */
import type { Command } from 'commander';
import { addJsonOption, addMachineOptions } from '../common-options.ts';
import { parseS3Url, parseSince, positiveInteger } from '../options.ts';

export function registerReplayCommand(program: Command): void {
  const command = program
    .command('replay')
    .summary('relay objects already in a source bucket')
    .description(
      'Relay objects already in a source bucket: one execution per object the config routes, named after its version so a second replay starts nothing twice',
    )
    .argument('<s3-url>', 's3://bucket/prefix (or s3://bucket for all of it)', parseS3Url)
    .option('--since <when>', 'only objects modified since: 30m, 24h, 7d or an ISO date', (v) =>
      parseSince(v),
    )
    .option('--dry-run', 'list what would be started, start nothing')
    .option('--concurrency <n>', 'StartExecution calls in flight', positiveInteger(100), 8);
  addJsonOption(addMachineOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay replay s3://build-artifacts-oregon/build_artifacts/ --local\n  $ npx relay replay s3://build-artifacts-oregon/build_artifacts/ --since 2026-11-01 --dry-run --region us-west-2',
    )
    .action(async (url, flags) => (await import('../actions/replay.ts')).runReplay(url, flags));
}
