/**
 * Finds the AWS CLI v2 (Debian's `awscli`, which .ci/run installs) and runs it against the local stack.
 * A v1 CLI earlier on PATH (e.g. from pyenv) is ignored: the tests are about what v2 sends.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function isV2(path: string): boolean {
  try {
    return execFileSync(path, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).startsWith('aws-cli/2');
  } catch {
    return false;
  }
}

/** The path of an AWS CLI v2, or undefined when none is installed. */
export function findAwsCliV2(): string | undefined {
  const candidates = [process.env.RELAY_AWS_CLI, '/usr/bin/aws', '/usr/local/bin/aws'].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return candidates.find(isV2);
}

export interface AwsCliResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs `aws --endpoint-url <endpoint> …args` with throw-away credentials (or `credentials`) and no user config. */
export function runAwsCli(
  cli: string,
  endpoint: string,
  args: readonly string[],
  region = 'us-east-1',
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } = {
    accessKeyId: 'test',
    secretAccessKey: 'test',
  },
): Promise<AwsCliResult> {
  const home = mkdtempSync(join(tmpdir(), 'relay-awscli-'));
  return new Promise((resolve) => {
    execFile(
      cli,
      ['--endpoint-url', endpoint, '--region', region, '--output', 'json', ...args],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_CONFIG_FILE: join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
          AWS_PAGER: '',
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        resolve({ stdout, stderr, exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0 });
      },
    );
  });
}
