import { PutBucketTaggingCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedTagEntriesIn } from '../../../cli/render/refused-tags.ts';
import { resolveTargetsOutputSchema } from '../../../core/workflow.ts';
import { nothingToRelay, relayOutput, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

const SOURCE_REGION = 'us-west-2';

describe('TargetBucket tag entries the allowlist refuses (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    await h?.dispose();
  });

  async function tag(bucket: string, value: string): Promise<void> {
    await h.s3(SOURCE_REGION).send(
      new PutBucketTaggingCommand({
        Bucket: bucket,
        Tagging: { TagSet: [{ Key: 'TargetBucket', Value: value }] },
      }),
    );
  }

  it("relays to the allowlisted entry and lists the refused ones in ResolveTargets' output and relay show", async () => {
    // Arrange
    const source = h.name('tag-src');
    const allowed = h.name('tag-ok');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(allowed, 'eu-central-1');
    await tag(source, `${allowed}@eu-central-1 rogue-bucket Bad@@entry`);
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [] }],
          targetBucketTag: { enabled: true, allowedBuckets: [`${allowed}@eu-central-1`] },
        },
      ],
    });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'app.zip', Body: 'bytes' });

    // Act
    const [execution] = await relay.settle();
    if (execution === undefined) throw new Error('expected an execution');
    const [resolved] = await relay.taskOutputs(execution.arn, 'resolve-targets');
    const shown = refusedTagEntriesIn(await relay.history(execution.arn));

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(relayOutput(execution).results.map((r) => [r.target.bucket, r.status])).toEqual([
      [allowed, 'copied'],
    ]);
    const refused = resolveTargetsOutputSchema.parse(resolved).refusedTagEntries;
    expect(refused?.entries.map((e) => [e.entry, e.reason])).toEqual([
      ['rogue-bucket', 'not-allowed'],
      ['Bad@@entry', 'malformed'],
    ]);
    expect(refused?.more).toBe(0);
    expect(shown).toEqual(refused);
  });

  it('carries the refused entries in the output of an execution the tag alone would have routed', async () => {
    // Arrange
    const source = h.name('tag-none-src');
    await h.bucket(source, SOURCE_REGION);
    await tag(source, 'rogue-bucket');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [] }],
          targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] },
        },
      ],
    });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'app.zip', Body: 'bytes' });

    // Act
    const [execution] = await relay.settle();
    if (execution === undefined) throw new Error('expected an execution');

    // Assert
    const output = nothingToRelay(execution);
    expect(output.reason).toBe('no-targets');
    expect(output.refusedTagEntries?.entries.map((e) => e.entry)).toEqual(['rogue-bucket']);
  });
});
