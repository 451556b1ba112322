/**
 * Runs the `relay` CLI as a separate process against a `relay local` child process that deploys the
 * relay from a test configuration, and waits for executions through the SDK.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { vi } from 'vitest';

export const RELAY_BIN = fileURLToPath(new URL('../../../bin/relay.mjs', import.meta.url));

/** Where the relay's state machine lives: the region of the test configuration's source. */
export const REGION = 'us-west-2';
export const STATE_MACHINE_ARN = `arn:aws:states:${REGION}:000000000000:stateMachine:artifact-relay`;

/** The test configuration: `builds/` to two regions, `flaky/` to one bucket a test removes, `replay/*.zip`. */
export const TEST_CONFIG = {
  sources: [
    {
      bucket: 'cli-src',
      region: REGION,
      rules: [
        {
          name: 'builds',
          prefix: 'builds/',
          targets: [
            { bucket: 'cli-eu', region: 'eu-central-1' },
            { bucket: 'cli-ap', region: 'ap-northeast-2', keyPrefix: 'releases/' },
          ],
        },
        {
          name: 'flaky',
          prefix: 'flaky/',
          targets: [
            { bucket: 'cli-eu', region: 'eu-central-1' },
            { bucket: 'cli-flaky', region: 'ap-northeast-2' },
          ],
        },
        {
          name: 'replay',
          prefix: 'replay/',
          suffix: '.zip',
          targets: [{ bucket: 'cli-eu', region: 'eu-central-1' }],
        },
      ],
    },
  ],
};

export async function writeTestConfig(dir: string): Promise<string> {
  const path = join(dir, 'relay.config.json');
  await writeFile(path, JSON.stringify(TEST_CONFIG, null, 2));
  return path;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `relay …args` with no AWS settings from the environment and no colours. */
export function runCli(args: readonly string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of ['AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'FORCE_COLOR'])
    delete env[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [RELAY_BIN, ...args],
      { env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** Parses the CLI's `--json` output. */
export function parseJsonOutput<T>(result: CliResult): T {
  return JSON.parse(result.stdout) as T;
}

function inputKey(input: string | undefined): string | undefined {
  const parsed = JSON.parse(input ?? '{}') as { detail?: { object?: { key?: string } }; key?: string };
  return parsed.detail?.object?.key ?? parsed.key;
}

/**
 * Waits until the executions started for `key` (by its S3 event) number `count` and none is running;
 * resolves with them, newest first.
 */
export async function settledExecutionsOf(
  sfn: SFNClient,
  key: string,
  count = 1,
): Promise<DescribeExecutionCommandOutput[]> {
  return vi.waitFor(
    async () => {
      const listed = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 1000 }),
      );
      const described = await Promise.all(
        (listed.executions ?? []).map((e) =>
          sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn })),
        ),
      );
      const mine = described.filter((d) => inputKey(d.input) === key);
      if (mine.length < count || mine.some((d) => d.status === 'RUNNING')) {
        throw new Error(`executions of ${key}: ${mine.map((d) => d.status).join(', ') || 'none yet'}`);
      }
      return mine;
    },
    { timeout: 30_000, interval: 50 },
  );
}
