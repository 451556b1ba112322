/**
 * `relay approve` and `relay reject` as a person runs them: spawned CLI processes against `relay local`
 * (a child process) whose configuration makes wave 2 wait for an approval.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fetchHistory } from '../../../cli/executions/history.ts';
import { approvalsOf } from '../../../core/approvals.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { parseJsonOutput, REGION, runCli, STATE_MACHINE_ARN } from './harness.ts';

const deploy = (wave: number) => ({
  application: 'apr-web',
  deploymentGroup: `apr-${wave}`,
  bundleType: 'zip',
  wave,
});

const CONFIG = {
  sources: [
    {
      bucket: 'apr-src',
      region: REGION,
      rules: [
        {
          name: 'builds',
          targets: [
            { bucket: 'apr-ap', region: 'ap-northeast-2', deploy: deploy(1) },
            { bucket: 'apr-eu', region: 'eu-central-1', deploy: deploy(2) },
          ],
        },
      ],
    },
  ],
  waves: { '2': { approval: { timeoutSeconds: 3600 } } },
};

describe('relay approve|reject against relay local', () => {
  let dir: string;
  let stack: ChildStack;
  let s3: S3Client;
  let sfn: SFNClient;
  let at: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-approve-'));
    const configPath = join(dir, 'relay.config.json');
    await writeFile(configPath, JSON.stringify(CONFIG, null, 2));
    stack = await startChildStack(join(dir, 'data'), ['--config', configPath, '--time-scale', '0.001']);
    at = ['--endpoint-url', stack.endpoint, '--config', configPath];
    const client = { endpoint: stack.endpoint, credentials: TEST_CREDENTIALS };
    s3 = new S3Client({ ...client, region: REGION, forcePathStyle: true });
    sfn = new SFNClient({ ...client, region: REGION });
    // `relay local` creates the buckets and deployment groups the configuration names.
  });

  afterAll(async () => {
    s3?.destroy();
    sfn?.destroy();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Uploads a build and waits until its execution asks for the approval of wave 2; the execution name. */
  async function waitingFor(key: string): Promise<string> {
    await s3.send(new PutObjectCommand({ Bucket: 'apr-src', Key: key, Body: await zipWithAppspec() }));
    return vi.waitFor(
      async () => {
        const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }));
        for (const e of listed.executions ?? []) {
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
          if (!d.input?.includes(key)) continue;
          const pending = approvalsOf(await fetchHistory(sfn, e.executionArn ?? '')).at(-1);
          if (pending?.status === 'pending') return e.name ?? '';
        }
        throw new Error(`no execution of ${key} waits for an approval yet`);
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  async function ended(name: string): Promise<string> {
    return vi.waitFor(
      async () => {
        const d = await sfn.send(
          new DescribeExecutionCommand({
            executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`,
          }),
        );
        if (d.status === 'RUNNING') throw new Error('still running');
        return d.status ?? '';
      },
      { timeout: 30_000, interval: 100 },
    );
  }

  it('approves the waiting wave, and relay show says who approved and when', async () => {
    // Arrange
    const name = await waitingFor('approve/web.zip');
    const waiting = await runCli(['show', name, ...at]);

    // Act
    const approved = await runCli([
      'approve',
      name,
      '--wave',
      '2',
      '--as',
      'ana',
      '--comment',
      'canary ok',
      '--json',
      ...at,
    ]);
    const status = await ended(name);
    const shown = await runCli(['show', name, ...at]);
    const again = await runCli(['approve', name, ...at]);

    // Assert
    expect(waiting.stdout).toMatch(
      /approval wave 2: waiting for approval until .* — relay approve\|reject <execution>/,
    );
    expect(waiting.stdout).toMatch(/AWAITING-APPROVAL/);
    expect(approved.code).toBe(0);
    expect(parseJsonOutput(approved)).toMatchObject({
      name,
      wave: 2,
      decision: { decision: 'approved', by: 'ana', comment: 'canary ok' },
    });
    expect(status).toBe('SUCCEEDED');
    expect(shown.stdout).toMatch(/approval wave 2: approved by ana at \S+: canary ok/);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is SUCCEEDED, not waiting for an approval/);
  });

  it('rejects with a reason, holding the wave, and refuses a rejection without one', async () => {
    // Arrange
    const name = await waitingFor('reject/web.zip');

    // Act
    const noReason = await runCli(['reject', name, ...at]);
    const rejected = await runCli(['reject', name, '--reason', 'error rate up', '--as', 'bo', ...at]);
    const status = await ended(name);
    const shown = await runCli(['show', name, ...at]);

    // Assert
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/--reason/);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toMatch(/wave 2 rejected by bo .*\(error rate up\)/);
    expect(rejected.stdout).toMatch(/relay redrive/);
    expect(status).toBe('FAILED');
    expect(shown.stdout).toMatch(
      /HELD .*held before deployment wave 2: wave 2: rejected by bo at \S+: error rate up — redrive/,
    );
  });
});
