/** `relay status s3://bucket/key`: is every configured replica in sync with the source? */
import type { Command } from 'commander';
import { addConnectionOptions, addJsonOption } from '../common-options.ts';
import { parseS3Url } from '../options.ts';

export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .summary('is every replica of an object in sync?')
    .description(
      'For each target of an object: in sync (and by which evidence), superseded, missing or different; exit code 0 only when all are in sync',
    )
    .argument('<s3-url>', 's3://bucket/key of a source object', parseS3Url)
    .option('--version-id <id>', 'check this version of the source instead of the current one')
    .option(
      '--config <file>',
      'relay configuration (default: relay.config.json; locally: examples/relay.config.json)',
    );
  addJsonOption(addConnectionOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay status s3://build-artifacts-oregon/build_artifacts/web-1.zip --local\n  $ npx relay status s3://build-artifacts-oregon/build_artifacts/web-1.zip --profile prod --json',
    )
    .action(async (url, flags) => (await import('../actions/status.ts')).runStatus(url, flags));
}
