/** `relay deploy s3://bucket/key --application A --deployment-group G`: deploy a replica on demand. */
import { type Command, Option } from 'commander';
import { BUNDLE_TYPES } from '../../core/config/schema.ts';
import { addConnectionOptions, addJsonOption } from '../common-options.ts';
import { parseS3Url } from '../options.ts';

export function registerDeployCommand(program: Command): void {
  const command = program
    .command('deploy')
    .summary('deploy a replica with CodeDeploy, on demand')
    .description(
      "Deploy a replica the relay wrote with the target region's CodeDeploy — exactly once per revision, never over a newer build unless --rollback — and show the deployment until it ends",
    )
    .argument('<s3-url>', 's3://bucket/key of a replica (in a target bucket)', parseS3Url)
    .requiredOption('--application <name>', 'CodeDeploy application')
    .requiredOption('--deployment-group <name>', 'CodeDeploy deployment group (in the bucket’s region)')
    .addOption(
      new Option('--bundle-type <type>', 'revision bundle type (default: from the key’s extension)').choices(
        BUNDLE_TYPES,
      ),
    )
    .option('--deployment-config <name>', 'deployment configuration (default: the group’s)')
    .option('--version-id <id>', 'deploy this version of the replica instead of the current one')
    .option('--rollback', 'deploy it even though the group has a newer build (recorded as a rollback)')
    .option('--no-wait', 'return once the deployment is created')
    .addOption(
      new Option('--timeout <seconds>', 'stop waiting after this long (default 3600)').argParser((value) => {
        const seconds = Number(value);
        if (!Number.isInteger(seconds) || seconds < 1) throw new Error('--timeout takes whole seconds');
        return seconds;
      }),
    );
  addJsonOption(addConnectionOptions(command))
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay deploy s3://artifacts-frankfurt/releases/web-1.4.0.zip --application web --deployment-group web-eu --local\n  $ npx relay deploy s3://artifacts-seoul/build_artifacts/web.zip --version-id 3HL4kqtJ… --application web --deployment-group web-prod --rollback',
    )
    .action(async (url, flags) => (await import('../actions/deploy.ts')).runDeploy(url, flags));
}
