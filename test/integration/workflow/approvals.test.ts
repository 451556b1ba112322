/**
 * Approvals of deployment waves on the local stack (docs/waves.md): before wave 2 the execution puts an
 * "Approval Pending" event with a task token and waits; `relay approve` lets the wave deploy and records
 * who and when; `relay reject` holds it (the execution fails there) and a redrive asks again.
 */
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../cli/errors.ts';
import { answerApproval } from '../../../cli/executions/approval.ts';
import { describeExecution } from '../../../cli/executions/describe.ts';
import { fetchHistory } from '../../../cli/executions/history.ts';
import { type ApprovalRequest, approvalsOf } from '../../../core/approvals.ts';
import { targetOutcome } from '../../../core/executions/outcome.ts';
import { buildTimeline } from '../../../core/executions/timeline.ts';
import { RELAY_EVENT_SOURCE } from '../../../core/relay-events.ts';
import type { BusEvent } from '../../../local/eventbridge/bridge.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { type Relay, relayOutput, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

const SOURCE_REGION = 'us-west-2';
const KEY = 'build_artifacts/web.zip';

describe('approvals before a deployment wave (local stack)', () => {
  let h: WorkflowHarness;
  const pendingEvents: BusEvent[] = [];

  beforeAll(async () => {
    h = await startWorkflowHarness();
    h.stack.events.addRule<BusEvent>({
      name: 'test-approvals',
      eventPattern: { source: [RELAY_EVENT_SOURCE], 'detail-type': ['Approval Pending'] },
      target: async (event) => {
        pendingEvents.push(event);
      },
    });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  /** Seoul deploys in wave 1, Frankfurt in wave 2, which requires an approval. */
  async function arrange(
    prefix: string,
  ): Promise<{ relay: Relay; source: string; seoul: string; frankfurt: string }> {
    const source = h.name(`${prefix}-src`);
    const seoul = h.name(`${prefix}-seoul`);
    const frankfurt = h.name(`${prefix}-fra`);
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.bucket(frankfurt, 'eu-central-1');
    await h.deploymentGroup('ap-northeast-2', prefix, 'prod');
    await h.deploymentGroup('eu-central-1', prefix, 'prod');
    const deploy = (wave: number) => ({
      application: prefix,
      deploymentGroup: 'prod',
      bundleType: 'zip' as const,
      wave,
    });
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'all',
              targets: [
                { bucket: seoul, region: 'ap-northeast-2', deploy: deploy(1) },
                { bucket: frankfurt, region: 'eu-central-1', deploy: deploy(2) },
              ],
            },
          ],
        },
      ],
      waves: { '2': { approval: { timeoutSeconds: 3600 } } },
    });
    return { relay, source, seoul, frankfurt };
  }

  /** Polls the history until the execution waits for an approval; its requests. */
  async function waitForRequest(relay: Relay, arn: string, count: number): Promise<ApprovalRequest[]> {
    const sfn = h.sfn(relay.deployed.region);
    for (let i = 0; i < 400; i++) {
      const requests = approvalsOf(await fetchHistory(sfn, arn));
      if (requests.length >= count && requests.at(-1)?.status === 'pending') return requests;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${arn} never asked for approval ${count}`);
  }

  async function outcomes(relay: Relay, arn: string): Promise<Array<{ status: string; detail?: string }>> {
    const sfn = h.sfn(relay.deployed.region);
    const details = await describeExecution(sfn, arn);
    const history = await fetchHistory(sfn, arn);
    const results = details.output?.kind === 'relayed' ? details.output.output.results : [];
    const approvals = approvalsOf(history);
    return buildTimeline(history).targets.map((t) => {
      const o = targetOutcome(t, results[t.index], details.status, approvals);
      return { status: o.status, ...(o.detail === undefined ? {} : { detail: o.detail }) };
    });
  }

  it('waits for an approval before wave 2, then deploys it and records who approved', async () => {
    // Arrange
    const { relay, source, frankfurt } = await arrange('appr-ok');
    await h.put(SOURCE_REGION, { Bucket: source, Key: KEY, Body: await zipWithAppspec() });
    const [arn = 'none'] = await relay.triggered();
    const sfn = h.sfn(relay.deployed.region);
    const [request] = await waitForRequest(relay, arn, 1);

    // Assert: copied everywhere, wave 1 deployed, wave 2 waiting — and the request went out as an event
    const waiting = await outcomes(relay, arn);
    expect(waiting.map((o) => o.status)).toEqual(['copied', 'awaiting-approval']);
    expect(await h.versions('eu-central-1', frankfurt, KEY)).toHaveLength(1);
    expect(await h.deployments('eu-central-1', 'appr-ok', 'prod')).toEqual([]);
    expect(await h.deployments('ap-northeast-2', 'appr-ok', 'prod')).toHaveLength(1);
    await h.stack.events.idle();
    const event = pendingEvents.find((e) => (e.detail as { executionArn?: string }).executionArn === arn);
    expect(event?.detail).toMatchObject({
      executionArn: arn,
      wave: 2,
      timeoutSeconds: 3600,
      taskToken: request?.taskToken,
      items: [{ index: 1, target: { bucket: frankfurt, region: 'eu-central-1' } }],
    });

    // Act
    const details = await describeExecution(sfn, arn);
    const approved = await answerApproval(sfn, details, {
      decision: 'approved',
      by: 'ana',
      comment: 'canary ok',
    });
    const done = await relay.wait(arn);

    // Assert: wave 2 deployed once; the history and the output record the decision
    expect(approved.wave).toBe(2);
    expect(done.status).toBe('SUCCEEDED');
    expect(relayOutput(done).results.map((r) => ('deployment' in r ? r.deployment?.status : null))).toEqual([
      'Succeeded',
      'Succeeded',
    ]);
    expect(await h.deployments('eu-central-1', 'appr-ok', 'prod')).toHaveLength(1);
    const raw = JSON.parse(done.described.output ?? '{}') as { approvals?: Record<string, unknown> };
    expect(raw.approvals?.wave2).toMatchObject({ decision: 'approved', by: 'ana', comment: 'canary ok' });
    const [record] = approvalsOf(await fetchHistory(sfn, arn));
    expect(record).toMatchObject({
      wave: 2,
      status: 'approved',
      decision: { by: 'ana', comment: 'canary ok' },
    });
    expect(record?.taskToken).toBeUndefined();
    // Nothing waits any more: a second approve says so instead of calling Step Functions.
    const again = answerApproval(sfn, await describeExecution(sfn, arn), { decision: 'approved', by: 'ana' });
    await expect(again).rejects.toThrow(CliError);
    await expect(again).rejects.toThrow(/SUCCEEDED, not waiting for an approval/);
  });

  it('holds wave 2 when the approval is rejected, and asks again when the execution is redriven', async () => {
    // Arrange
    const { relay, source } = await arrange('appr-no');
    await h.put(SOURCE_REGION, { Bucket: source, Key: KEY, Body: await zipWithAppspec() });
    const [arn = 'none'] = await relay.triggered();
    const sfn = h.sfn(relay.deployed.region);
    const [first] = await waitForRequest(relay, arn, 1);

    // Act: reject, with a reason
    const wrongWave = answerApproval(sfn, await describeExecution(sfn, arn), {
      decision: 'rejected',
      by: 'bo',
      wave: 3,
    });
    await expect(wrongWave).rejects.toThrow(/waits for an approval of wave 2, not wave 3/);
    await answerApproval(sfn, await describeExecution(sfn, arn), {
      decision: 'rejected',
      by: 'bo',
      comment: 'error rate up in Seoul',
    });
    const rejected = await relay.wait(arn);

    // Assert: the execution failed at the approval; Frankfurt is held, with who rejected and why
    expect(rejected.status).toBe('FAILED');
    expect(rejected.described.error).toBe('Relay.ApprovalRejected');
    const held = await outcomes(relay, arn);
    expect(held.map((o) => o.status)).toEqual(['copied', 'held']);
    expect(held[1]?.detail).toMatch(/wave 2: rejected by bo at .*: error rate up in Seoul — redrive/);
    expect(await h.deployments('eu-central-1', 'appr-no', 'prod')).toEqual([]);

    // Act: redrive — a new request, with a new token — and approve it
    await sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    const requests = await waitForRequest(relay, arn, 2);
    expect(requests.map((r) => r.status)).toEqual(['rejected', 'pending']);
    expect(requests[1]?.taskToken).not.toBe(first?.taskToken);
    await answerApproval(sfn, await describeExecution(sfn, arn), { decision: 'approved', by: 'bo' });
    const redriven = await relay.wait(arn);

    // Assert: wave 2 deployed once, wave 1 not again
    expect(redriven.status).toBe('SUCCEEDED');
    expect(await h.deployments('eu-central-1', 'appr-no', 'prod')).toHaveLength(1);
    expect(await h.deployments('ap-northeast-2', 'appr-no', 'prod')).toHaveLength(1);
  });
});
