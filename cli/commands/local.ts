/** `relay local`: the local stack in the foreground, with the relay deployed from the configuration. */
import type { Command } from 'commander';
import { collectAllowedHost, parsePort, parsePositiveNumber } from '../options.ts';

/** LOCAL_DEFAULTS of local/index.ts, repeated so that `relay --help` does not load the stack. */
const DEFAULT_PORT = 4566;
const DEFAULT_DATA_DIR = '.relay/local';
/** DEFAULT_CONSOLE_PORT of console/server/server.ts. */
const DEFAULT_CONSOLE_PORT = 4567;

export function registerLocalCommand(program: Command): void {
  program
    .command('local')
    .summary('the local stack in the foreground, with the relay deployed')
    .description(
      'Run the local stack (S3, Step Functions, CodeDeploy on one endpoint) in the foreground, with the relay deployed from the config',
    )
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 picks a free port)', parsePort, DEFAULT_PORT)
    .option('--data-dir <dir>', 'where buckets, objects and executions are kept', DEFAULT_DATA_DIR)
    .option(
      '--config <file>',
      'relay configuration to deploy; its buckets and deployment groups are created (default: relay.config.json, else examples/relay.config.json)',
    )
    .option('--no-relay', 'only the emulated services: deploy no relay, create no buckets')
    .option(
      '--faults <file>',
      'JSON fault rules for the local S3 (e.g. [{"kind":"access-denied","bucket":"b"}])',
    )
    .option(
      '--time-scale <n>',
      'multiplies waits, retry intervals and deployment durations (e.g. 0.02)',
      parsePositiveNumber,
      1,
    )
    .option(
      '--allow-host <name...>',
      'also answer requests whose Host is this name (e.g. host.docker.internal, *.dev.example); loopback names, *.localhost and AWS service names are always answered, any other Host is refused (DNS rebinding)',
      collectAllowedHost,
    )
    .option(
      '--strict-auth',
      "verify every SigV4 signature: accept only the credentials your AWS CLI uses (default credential chain, AWS_PROFILE) and the relay's own task roles (unsigned requests are always refused)",
    )
    .option(
      '--console-port <n>',
      `the web console's port on 127.0.0.1 (default ${DEFAULT_CONSOLE_PORT}, or a free one when it is taken or with --port 0)`,
      parsePort,
    )
    .option('--no-console', 'do not start the web console')
    .option('--quiet', 'do not log one line per request')
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx relay local\n  $ npx relay local --config relay.config.json --port 4567 --time-scale 0.02\n  $ aws --endpoint-url http://127.0.0.1:4566 --region us-west-2 s3 cp build.zip s3://build-artifacts-oregon/build_artifacts/build.zip',
    )
    .action(async (flags) => (await import('../actions/local.ts')).runLocal(flags));
}
