/** `relay replay s3://bucket/prefix`: relay the objects already in a source bucket. */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { MAX_BACKFILL_CONCURRENCY } from '../../core/backfill.ts';
import { addJsonOption, addMachineOptions } from '../common-options.ts';
import { parseS3Url, parseSince, positiveInteger, wholeNumber } from '../options.ts';
import { DEFAULT_MAX_IN_FLIGHT } from '../replay/in-flight.ts';

/** Past this many objects `relay replay` starts the backfill workflow instead of one execution per object. */
export const DEFAULT_DISTRIBUTED_THRESHOLD = 1000;

function parseTargetList(value: string): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0)
    throw new InvalidArgumentError('name at least one target: bucket or bucket@region');
  return entries;
}

/** Step Functions' quota of open executions per account and region: no cap needs to be higher. */
const MAX_IN_FLIGHT_LIMIT = 1_000_000;

function parsePercent(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new InvalidArgumentError(`'${value}' is not a percentage from 0 to 100.`);
  }
  return n;
}

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
    .option('--dry-run', 'list what would be started (and, distributed, the estimate), start nothing')
    .option(
      '--concurrency <n>',
      'StartExecution calls in flight; distributed: relay executions at once',
      positiveInteger(MAX_BACKFILL_CONCURRENCY),
      8,
    )
    .option(
      '--max-in-flight <n>',
      `relay executions of this replay running at once at most: the next start waits for one to end; 0: no cap (default: ${DEFAULT_MAX_IN_FLIGHT}; per-object only: distributed, --concurrency caps them)`,
      wholeNumber(0, MAX_IN_FLIGHT_LIMIT, 'no cap'),
    )
    .option(
      '--targets <list>',
      'only these targets: comma-separated bucket or bucket@region',
      parseTargetList,
    )
    .option('--deploy', 'also deploy where the configuration says (without it nothing is deployed)')
    .option(
      '--distributed',
      "run it on Step Functions' Distributed Map (the backfill workflow) instead of one execution per object from here",
    )
    .option(
      '--threshold <n>',
      'past this many objects, use the backfill workflow without --distributed',
      positiveInteger(100_000_000),
      DEFAULT_DISTRIBUTED_THRESHOLD,
    )
    .option(
      '--tolerate-failures <percent>',
      'distributed: the share of objects that may fail before the backfill fails (0-100)',
      parsePercent,
    )
    .option(
      '--results <s3-url>',
      "distributed: where the work list and results go (default: the backfill's bucket)",
      parseS3Url,
    )
    .option(
      '--inventory <s3-url>',
      'read the objects from this S3 Inventory report (its manifest.json, CSV) instead of listing the bucket; implies --distributed',
      parseS3Url,
    )
    .option('--wait', 'distributed: follow the backfill until it ends and print its results')
    .option('--backfill-state-machine <arn|name>', 'the backfill state machine (default: <relay>-backfill)');
  addJsonOption(addMachineOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay replay s3://build-artifacts-oregon/build_artifacts/ --local\n  $ npx relay replay s3://build-artifacts-oregon/build_artifacts/ --since 2026-11-01 --dry-run --region us-west-2\n  $ npx relay replay s3://build-artifacts-oregon/ --distributed --targets artifacts-tokyo@ap-northeast-1 --wait\n  $ npx relay replay s3://build-artifacts-oregon/ --inventory s3://inventory-oregon/inventory/build-artifacts-oregon/daily/2026-12-02T01-00Z/manifest.json',
    )
    .action(async (url, flags) => (await import('../actions/replay.ts')).runReplay(url, flags));
}
