/**
 * `relay local --strict-auth` as a person runs it: the stack accepts the credentials the user's own AWS
 * CLI would use (here from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) and the relay's task roles, refuses
 * any other key, and fails to start, saying how to set credentials, when there are none.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { rejection, statusOf } from './s3/support.ts';

const RELAY_BIN = fileURLToPath(new URL('../../../bin/relay.mjs', import.meta.url));
const USER = { accessKeyId: 'AKIDSTRICTUSER', secretAccessKey: 'strict-user-secret' } as const;
const CONFIG = {
  sources: [
    {
      bucket: 'strict-src',
      region: 'us-west-2',
      rules: [{ name: 'all', targets: [{ bucket: 'strict-dst', region: 'eu-central-1' }] }],
    },
  ],
};

/** An environment with no AWS settings but `extra`, and config files that do not exist. */
function isolatedEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    NO_COLOR: '1',
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function relayLocal(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [RELAY_BIN, 'local', '--port', '0', '--quiet', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with stdout once the banner is complete; rejects with the output if the process exits. */
function banner(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Press Ctrl-C to stop.')) resolve(out);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`relay local exited with ${code}: ${err || out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

describe('relay local --strict-auth', () => {
  let dir: string;
  let child: ChildProcess;
  let output: string;
  let endpoint: string;
  let stateMachineArn: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-strict-'));
    const configPath = join(dir, 'relay.config.json');
    await writeFile(configPath, JSON.stringify(CONFIG));
    child = relayLocal(
      ['--data-dir', join(dir, 'data'), '--config', configPath, '--time-scale', '0.001', '--strict-auth'],
      isolatedEnv(dir, { AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey }),
    );
    output = await banner(child);
    endpoint = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    stateMachineArn = /(arn:aws:states:\S+)/.exec(output)?.[1] ?? '';
  });

  afterAll(async () => {
    if (child) await stop(child);
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the access key id it accepts', () => {
    // Assert
    expect(output).toContain(`signatures are verified (--strict-auth)`);
    expect(output).toContain(USER.accessKeyId);
  });

  it('relays an upload signed with the user credentials, its task roles signing with their own keys', async () => {
    // Arrange
    const s3 = new S3Client({ endpoint, region: 'us-west-2', forcePathStyle: true, credentials: USER });
    const target = new S3Client({
      endpoint,
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: USER,
    });
    const sfn = new SFNClient({ endpoint, region: 'us-west-2', credentials: USER });

    // Act
    await s3.send(new PutObjectCommand({ Bucket: 'strict-src', Key: 'build.zip', Body: 'build' }));
    const execution = await vi.waitFor(
      async () => {
        const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
        const arn = listed.executions?.[0]?.executionArn;
        if (arn === undefined) throw new Error('no execution yet');
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
        if (described.status === 'RUNNING') throw new Error('still running');
        return described;
      },
      { timeout: 30_000, interval: 50 },
    );
    const copied = await target.send(new HeadObjectCommand({ Bucket: 'strict-dst', Key: 'build.zip' }));
    for (const client of [s3, target, sfn]) client.destroy();

    // Assert
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(copied.ContentLength).toBe(5);
  });

  it('refuses any other access key with 403 InvalidAccessKeyId', async () => {
    // Arrange
    const other = new S3Client({
      endpoint,
      region: 'us-west-2',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });

    // Act
    const err = await rejection(other.send(new ListBucketsCommand({})));
    other.destroy();

    // Assert
    expect(err.name).toBe('InvalidAccessKeyId');
    expect(statusOf(err)).toBe(403);
  });

  it('does not start without credentials, and says how to set them', async () => {
    // Arrange
    const bare = relayLocal(
      ['--data-dir', join(dir, 'bare'), '--no-relay', '--strict-auth'],
      isolatedEnv(dir, {}),
    );

    // Act
    const failure = await rejection(banner(bare));

    // Assert
    expect(failure.message).toContain('--strict-auth accepts the credentials your AWS CLI uses');
    expect(failure.message).toContain('aws configure');
    expect(failure.message).not.toMatch(/exited with 0/);
  });
});
