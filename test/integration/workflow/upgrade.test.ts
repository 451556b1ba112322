/**
 * Executions started on the former definition (a one-branch Parallel per target, a second pass over
 * every target, a final Summarize) stay redrivable for 14 days on the definition they started with. The
 * reshaped definition changed state names and the output's shape, so the readers — `relay show`'s
 * pieces, the console's — must read both. The former definition is kept as a fixture exactly as it was
 * committed (test/fixtures/definitions/).
 */
import { readFileSync } from 'node:fs';
import { RedriveExecutionCommand, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeExecution } from '../../../cli/executions/describe.ts';
import { fetchHistory } from '../../../cli/executions/history.ts';
import { targetOutcome } from '../../../core/executions/outcome.ts';
import { buildTimeline } from '../../../core/executions/timeline.ts';
import { relayOutputSchema } from '../../../core/workflow.ts';
import type { AslDefinition } from '../../../state-machine/asl.ts';
import { buildDefinition } from '../../../state-machine/build.ts';
import {
  renderDefinition,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
} from '../../../state-machine/placeholders.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

const SOURCE_REGION = 'us-west-2';
const FORMER = JSON.parse(
  readFileSync(new URL('../../fixtures/definitions/relay-two-full-passes.asl.json', import.meta.url), 'utf8'),
) as AslDefinition;

/** `definition` rendered with the deployed relay's function ARNs. */
function rendered(relay: Relay, definition: AslDefinition): string {
  const substitutions = Object.fromEntries(
    (
      Object.entries(TASK_PLACEHOLDERS) as Array<[TaskPlaceholder, keyof Relay['deployed']['functionArns']]>
    ).map(([placeholder, role]) => [placeholder, relay.deployed.functionArns[role]]),
  ) as Record<TaskPlaceholder, string>;
  return JSON.stringify(renderDefinition(definition, substitutions));
}

/** A relay of one source to Seoul and Frankfurt, on buckets named after `prefix`. */
async function twoTargetRelay(h: WorkflowHarness, prefix: string) {
  const [source, seoul, frankfurt] = ['src', 'seoul', 'frankfurt'].map((part) =>
    h.name(`${prefix}-${part}`),
  ) as [string, string, string];
  await h.bucket(source, SOURCE_REGION);
  await h.bucket(seoul, 'ap-northeast-2');
  await h.bucket(frankfurt, 'eu-central-1');
  const targets = [
    { bucket: seoul, region: 'ap-northeast-2' },
    { bucket: frankfurt, region: 'eu-central-1' },
  ];
  const relay = await h.deploy({
    sources: [{ bucket: source, region: SOURCE_REGION, rules: [{ name: 'all', targets }] }],
  });
  return { source, seoul, frankfurt, relay };
}

/** What `relay show` reads of an execution: its targets' outcomes, from the output and the history. */
async function shown(h: WorkflowHarness, relay: Relay, executionArn: string) {
  const sfn = h.sfn(relay.deployed.region);
  const details = await describeExecution(sfn, executionArn);
  const timeline = buildTimeline(await fetchHistory(sfn, executionArn));
  const results = details.output?.kind === 'relayed' ? details.output.output.results : [];
  return timeline.targets.map((t) => ({
    index: t.index,
    status: targetOutcome(t, results[t.index]).status,
    passes: t.passes.map((p) => `${p.pass}:${p.status}`),
  }));
}

describe('executions started on the former definition (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    h?.stack.faults.clear();
    await h?.dispose();
  });

  it('redrive on the definition they started with after an upgrade, and read the same as current ones', async () => {
    // Arrange: a relay on the former definition, one of its two targets denied
    const { source, seoul, frankfurt, relay } = await twoTargetRelay(h, 'upgrade');
    const sfn = h.sfn(relay.deployed.region);
    const stateMachineArn = relay.deployed.stateMachineArn;
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: rendered(relay, FORMER) }));
    const fault = h.stack.faults.add({ kind: 'access-denied', bucket: frankfurt });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'build_artifacts/web.zip', Body: 'former build' });
    const [formerArn] = await relay.triggered();
    const failed = await relay.wait(formerArn ?? 'none');

    // Act: upgrade, lift the fault, redrive the old execution; relay a new build on the new definition
    await sfn.send(
      new UpdateStateMachineCommand({ stateMachineArn, definition: rendered(relay, buildDefinition()) }),
    );
    h.stack.faults.remove(fault);
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.arn }));
    const redriven = await relay.wait(failed.arn);
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'build_artifacts/web.zip', Body: 'current build' });
    const [currentArn] = await relay.triggered();
    const current = await relay.wait(currentArn ?? 'none');

    // Assert: the old execution ran its own definition to the end, in the former output shape
    expect(failed.status).toBe('FAILED');
    expect(redriven.status).toBe('SUCCEEDED');
    const formerOutput = JSON.parse(redriven.described.output ?? 'null') as Record<string, unknown>;
    expect(Object.keys(formerOutput).sort()).toEqual(['results', 'source']);
    const history = await fetchHistory(sfn, failed.arn);
    expect(history.some((e) => e.stateEnteredEventDetails?.name === 'Relay target')).toBe(true);
    // Assert: the new build ran the current definition, in the current shape
    expect(current.status).toBe('SUCCEEDED');
    expect(JSON.parse(current.described.output ?? 'null')).toHaveProperty('firstPass');
    // Assert: both read as one result per target, and show the same way
    for (const execution of [redriven, current]) {
      const output = relayOutputSchema.parse(JSON.parse(execution.described.output ?? 'null'));
      expect(output.results.map((r) => [r.target.bucket, r.status])).toEqual([
        [seoul, expect.stringMatching(/^(copied|in-sync)$/)],
        [frankfurt, 'copied'],
      ]);
    }
    expect(await shown(h, relay, redriven.arn)).toEqual([
      { index: 0, status: 'copied', passes: ['1:succeeded', '2:succeeded'] },
      // The former second pass iterated every target; the denied one failed twice, then the redrive copied it.
      { index: 1, status: 'copied', passes: ['1:succeeded', '2:failed', '2:succeeded'] },
    ]);
    expect(await shown(h, relay, current.arn)).toEqual([
      { index: 0, status: 'copied', passes: ['1:succeeded'] },
      { index: 1, status: 'copied', passes: ['1:succeeded'] },
    ]);
  });

  it('shows a current execution whose second pass ran only the failed target under that target', async () => {
    // Arrange
    const { source, frankfurt, relay } = await twoTargetRelay(h, 'pass2');
    const fault = h.stack.faults.add({ kind: 'access-denied', bucket: frankfurt });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'build_artifacts/web.zip', Body: 'a build' });
    const [arn] = await relay.triggered();
    const failed = await relay.wait(arn ?? 'none');
    h.stack.faults.remove(fault);

    // Act
    await h.sfn(relay.deployed.region).send(new RedriveExecutionCommand({ executionArn: failed.arn }));
    const redriven = await relay.wait(failed.arn);

    // Assert: the second pass's only iteration (its index 0) belongs to the second target
    expect(redriven.status).toBe('SUCCEEDED');
    expect(await shown(h, relay, redriven.arn)).toEqual([
      { index: 0, status: 'copied', passes: ['1:succeeded'] },
      { index: 1, status: 'copied', passes: ['1:succeeded', '2:failed', '2:succeeded'] },
    ]);
  });
});
