/** The options commands share. Light: no SDK is loaded until a command runs. */
import { type Command, Option } from 'commander';
import type { ConnectionOptions } from './aws/connection.ts';
import { DEFAULT_LOCAL_ENDPOINT } from './aws/endpoints.ts';
import { parseEndpointUrl } from './options.ts';

export interface JsonFlag {
  readonly json?: boolean;
}

export interface MachineFlags extends ConnectionOptions, JsonFlag {
  readonly stateMachine?: string;
  readonly stack?: string;
  readonly config?: string;
}

/** --region, --profile, --local, --endpoint-url */
export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      '--region <region>',
      "AWS region (default: AWS_REGION or the profile; locally: the config's source region)",
    )
    .option('--profile <name>', 'AWS profile (from ~/.aws/config)')
    .addOption(
      new Option(
        '--local',
        `use the local stack on ${DEFAULT_LOCAL_ENDPOINT} (same as --endpoint-url ${DEFAULT_LOCAL_ENDPOINT})`,
      ).conflicts('endpointUrl'),
    )
    .addOption(
      new Option('--endpoint-url <url>', 'send every request to this endpoint').argParser(parseEndpointUrl),
    );
}

/** --state-machine, --config */
export function addMachineOptions(command: Command): Command {
  return addConnectionOptions(command)
    .option(
      '--state-machine <arn|name>',
      "the relay's state machine (default: the ArtifactRelay stack's output, else the one named artifact-relay)",
    )
    .option(
      '--stack <name>',
      'the CloudFormation stack whose output names the state machine (default: ArtifactRelay)',
    )
    .option(
      '--config <file>',
      'relay configuration (default: relay.config.json; locally: examples/relay.config.json)',
    );
}

export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print JSON for scripts instead of text');
}
