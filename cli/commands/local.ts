/** `relay local`: the local stack in the foreground, for the AWS CLI and SDKs to use. */
import type { Command } from 'commander';
import { LOCAL_DEFAULTS, startLocalStack } from '../../local/index.ts';
import { CliError } from '../errors.ts';
import { parsePort } from '../options.ts';

export interface LocalCommandOptions {
  readonly port: number;
  readonly dataDir: string;
  readonly quiet?: boolean;
}

export async function runLocal(options: LocalCommandOptions): Promise<void> {
  const stack = await startLocalStack({
    port: options.port,
    dataDir: options.dataDir,
    ...(options.quiet ? {} : { log: (line: string) => process.stdout.write(`${line}\n`) }),
  });
  process.stdout.write(
    [
      `artifact-relay local stack listening on ${stack.endpoint} (data in ${options.dataDir})`,
      `  S3, Step Functions and CodeDeploy on one endpoint; any credentials are accepted.`,
      `  Try: aws --endpoint-url ${stack.endpoint} s3 ls`,
      `  Press Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.write('Stopping the local stack…\n');
      stack.stop().then(resolve, (err: unknown) => {
        process.stderr.write(`error while stopping: ${err instanceof Error ? err.message : String(err)}\n`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function registerLocalCommand(program: Command): void {
  program
    .command('local')
    .description('Run the embedded local stack (S3, Step Functions, CodeDeploy) in the foreground')
    .option(
      '--port <n>',
      `TCP port on ${LOCAL_DEFAULTS.host} (0 picks a free port)`,
      parsePort,
      LOCAL_DEFAULTS.port,
    )
    .option('--data-dir <dir>', 'where buckets, objects and executions are kept', LOCAL_DEFAULTS.dataDir)
    .option('--quiet', 'do not log one line per request')
    .addHelpText(
      'after',
      '\nExample:\n  $ npx relay local --port 4566\n  $ aws --endpoint-url http://127.0.0.1:4566 s3 mb s3://my-bucket',
    )
    .action(async (opts: { port: number; dataDir: string; quiet?: boolean }) => {
      if (opts.dataDir.trim() === '') throw new CliError('--data-dir must not be empty');
      await runLocal(opts);
    });
}
