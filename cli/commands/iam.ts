/** `relay iam cross-account`: the grants targets in other accounts must add for the relay's roles. */
import type { Command } from 'commander';
import { addConnectionOptions, addJsonOption } from '../common-options.ts';

function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function registerIamCommand(program: Command): void {
  const iam = program
    .command('iam')
    .summary('the IAM a deployment needs outside the stack')
    .description("What the relay's roles need that the stack cannot grant itself");
  addJsonOption(
    addConnectionOptions(
      iam
        .command('cross-account')
        .description(
          "Print the bucket policy and key policy statements that targets in other accounts must add for the relay's roles, and the AWS CLI commands that apply them",
        )
        .option('--config <file>', 'relay configuration (default: relay.config.json here)')
        .option(
          '--stack [name]',
          'read the role ARNs from the deployed CloudFormation stack (default name: ArtifactRelay)',
        )
        .option(
          '--role-arn <task=arn>',
          'a role ARN, such as copy-object=arn:aws:iam::…:role/… (repeatable)',
          collect,
        )
        .option('--relay-account <id>', "the relay's account (default: the role ARNs' or the stack's)"),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay iam cross-account --stack --region us-west-2\n  $ npx relay iam cross-account --config relay.config.json --role-arn copy-object=arn:aws:iam::111122223333:role/copy',
    )
    .action(async (flags) => (await import('../actions/iam.ts')).runIamCrossAccount(flags));
}
