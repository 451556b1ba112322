/**
 * The relay's own events on the local stack (issue #12, point 5): an ended execution's Step Functions
 * status change reaches the notifier through the bridge, and the notifier publishes `artifact-relay`
 * events back onto the bridge, where an operator's rule receives them.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { answerApproval } from '../../../cli/executions/approval.ts';
import { describeExecution } from '../../../cli/executions/describe.ts';
import { fetchHistory } from '../../../cli/executions/history.ts';
import { approvalsOf } from '../../../core/approvals.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import type { RelayConfigInput } from '../../../core/config/schema.ts';
import {
  deploymentFinishedDetailSchema,
  RELAY_EVENT_SOURCE,
  targetFailedDetailSchema,
} from '../../../core/relay-events.ts';
import type { BusEvent } from '../../../local/eventbridge/bridge.ts';
import { deployRelay } from '../../../local/relay.ts';
import { createLocalNotifyHandler, createLocalTaskHandlers } from '../../../local/relay-handlers.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';

const SOURCE_REGION = 'us-west-2';

describe('relay events (local stack)', () => {
  let h: WorkflowHarness;
  const published: BusEvent[] = [];
  let relays = 0;

  beforeAll(async () => {
    h = await startWorkflowHarness();
    // An operator's rule: everything the relay publishes.
    h.stack.events.addRule<BusEvent>({
      name: 'operator-relay-events',
      eventPattern: { source: [RELAY_EVENT_SOURCE] },
      target: async (event) => {
        published.push(event);
      },
    });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  /** Deploys a relay with its notifier, relays `key` from `source` and returns the events it published. */
  async function relayAndListen(config: RelayConfigInput, source: string, key: string): Promise<BusEvent[]> {
    const parsed = parseConfig(config, 'relay events test');
    const deployed = await deployRelay(h.stack, {
      config: parsed,
      handlers: createLocalTaskHandlers(h.stack, parsed),
      name: `events-relay-${++relays}`,
      notify: createLocalNotifyHandler(h.stack, SOURCE_REGION),
    });
    const started = await h.sfn(SOURCE_REGION).send(
      new StartExecutionCommand({
        stateMachineArn: deployed.stateMachineArn,
        input: JSON.stringify({ bucket: source, key }),
      }),
    );
    const arn = started.executionArn ?? 'none';
    await h.stack.stepFunctions.waitForExecution(arn);
    await h.stack.events.idle();
    return published.filter((event) => event.resources?.includes(arn));
  }

  it('publishes Target Failed naming the target and the error when a target fails', async () => {
    // Arrange: the second target's bucket does not exist
    const source = h.name('events-src');
    const seoul = h.name('events-seoul');
    const missing = h.name('events-missing');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'builds/app.zip', Body: 'bytes of a build' });
    const config = {
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'all',
              targets: [
                { bucket: seoul, region: 'ap-northeast-2' },
                { bucket: missing, region: 'eu-central-1' },
              ],
            },
          ],
        },
      ],
    };

    // Act
    const events = await relayAndListen(config, source, 'builds/app.zip');

    // Assert
    expect(events.map((event) => event['detail-type'])).toEqual(['Target Failed']);
    const detail = targetFailedDetailSchema.parse(events[0]?.detail);
    expect(detail.executionStatus).toBe('FAILED');
    expect(detail.target).toMatchObject({ bucket: missing, region: 'eu-central-1' });
    expect(detail.index).toBe(1);
    expect(detail.error).toBe('NoSuchTargetBucket');
    expect(detail.message).toContain(missing);
    expect(detail.source).toMatchObject({ bucket: source, key: 'builds/app.zip' });
  });

  it('publishes Deployment Finished with the deployment id when a target deployed', async () => {
    // Arrange
    const source = h.name('events-src');
    const seoul = h.name('events-seoul');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.deploymentGroup('ap-northeast-2', 'events-web', 'events-prod');
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'builds/web.zip', Body: await zipWithAppspec() });
    const config = {
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'all',
              targets: [
                {
                  bucket: seoul,
                  region: 'ap-northeast-2',
                  deploy: {
                    application: 'events-web',
                    deploymentGroup: 'events-prod',
                    bundleType: 'zip' as const,
                  },
                },
              ],
            },
          ],
        },
      ],
    };

    // Act
    const events = await relayAndListen(config, source, 'builds/web.zip');

    // Assert
    expect(events.map((event) => event['detail-type'])).toEqual(['Deployment Finished']);
    const detail = deploymentFinishedDetailSchema.parse(events[0]?.detail);
    expect(detail.executionStatus).toBe('SUCCEEDED');
    expect(detail.deploymentId).toMatch(/^d-/);
    expect(detail.deploymentStatus).toBe('Succeeded');
    expect(detail.target).toMatchObject({ bucket: seoul, region: 'ap-northeast-2' });
  });

  it('publishes Target Held naming who rejected the approval of the wave and why', async () => {
    // Arrange: Seoul deploys in wave 1, Frankfurt in wave 2, which waits for an approval
    const source = h.name('events-held-src');
    const seoul = h.name('events-held-seoul');
    const frankfurt = h.name('events-held-fra');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.bucket(frankfurt, 'eu-central-1');
    await h.deploymentGroup('ap-northeast-2', 'events-held', 'prod');
    await h.deploymentGroup('eu-central-1', 'events-held', 'prod');
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'builds/app.zip', Body: await zipWithAppspec() });
    const deploy = (wave: number) => ({
      application: 'events-held',
      deploymentGroup: 'prod',
      bundleType: 'zip' as const,
      wave,
    });
    const parsed = parseConfig(
      {
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
      },
      'relay events test',
    );
    const deployed = await deployRelay(h.stack, {
      config: parsed,
      handlers: createLocalTaskHandlers(h.stack, parsed),
      name: `events-relay-${++relays}`,
      notify: createLocalNotifyHandler(h.stack, SOURCE_REGION),
    });
    const sfn = h.sfn(SOURCE_REGION);
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: deployed.stateMachineArn,
        input: JSON.stringify({ bucket: source, key: 'builds/app.zip' }),
      }),
    );
    const arn = started.executionArn ?? 'none';
    await vi.waitFor(
      async () => {
        if (approvalsOf(await fetchHistory(sfn, arn)).at(-1)?.status !== 'pending')
          throw new Error('not asked yet');
      },
      { timeout: 30_000, interval: 25 },
    );

    // Act
    await answerApproval(sfn, await describeExecution(sfn, arn), {
      decision: 'rejected',
      by: 'bo',
      comment: 'error rate up in Seoul',
    });
    await h.stack.stepFunctions.waitForExecution(arn);
    await h.stack.events.idle();

    // Assert: Seoul's wave-1 deployment finished; Frankfurt is held, with who rejected and why
    const events = published.filter((event) => event.resources?.includes(arn));
    expect(events.map((event) => event['detail-type']).sort()).toEqual([
      'Deployment Finished',
      'Target Held',
    ]);
    const held = events.find((event) => event['detail-type'] === 'Target Held')?.detail as Record<
      string,
      unknown
    >;
    expect(held).toMatchObject({ index: 1, wave: 2, executionStatus: 'FAILED' });
    expect(held.reason).toMatch(/wave 2: rejected by bo at \S+: error rate up in Seoul — redrive/);
  });
});
