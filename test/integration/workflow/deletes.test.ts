/**
 * Opt-in delete propagation end to end on the local stack: S3's "Object Deleted" event reaches the rule
 * only for rules with `propagateDeletes`, the state machine routes it to PropagateDelete, and DeleteReplica
 * deletes the relay's own replica — a delete marker in a versioned target — and nothing else.
 */
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeExecution } from '../../../cli/executions/describe.ts';
import { outcomesOf } from '../../../cli/executions/list.ts';
import { countOutcomes } from '../../../core/executions/outcome.ts';
import { deleteOutputSchema } from '../../../core/workflow-delete.ts';
import { startWorkflowHarness, type WorkflowHarness } from './harness.ts';

const SOURCE_REGION = 'us-west-2';

describe('delete propagation (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("deletes the relay's own replicas where a rule asks, leaves a foreign object and other rules' replicas alone", async () => {
    // Arrange: releases/ propagates deletes to a versioned and an unversioned target; drafts/ does not
    const source = h.name('del-src');
    const seoul = h.name('del-seoul');
    const frankfurt = h.name('del-frankfurt');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.bucket(frankfurt, 'eu-central-1', { versioned: false });
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'releases',
              prefix: 'releases/',
              propagateDeletes: true,
              targets: [
                { bucket: seoul, region: 'ap-northeast-2' },
                { bucket: frankfurt, region: 'eu-central-1' },
              ],
            },
            { name: 'drafts', prefix: 'drafts/', targets: [{ bucket: seoul, region: 'ap-northeast-2' }] },
          ],
        },
      ],
    });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'releases/web.zip', Body: 'release 1' });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'drafts/web.zip', Body: 'draft 1' });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'releases/other.zip', Body: 'release 2' });
    await relay.settle();
    // A foreign object where releases/other.zip's replica would be: the relay never made it
    await h.put('eu-central-1', { Bucket: frankfurt, Key: 'releases/other.zip', Body: 'not the relay' });

    // Act
    const s3 = h.s3(SOURCE_REGION);
    await s3.send(new DeleteObjectCommand({ Bucket: source, Key: 'releases/web.zip' }));
    await s3.send(new DeleteObjectCommand({ Bucket: source, Key: 'drafts/web.zip' }));
    await s3.send(new DeleteObjectCommand({ Bucket: source, Key: 'releases/other.zip' }));
    const executions = await relay.settle();

    // Assert: only the two releases/ deletes started executions, each ending with one result per target
    expect(executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const [web, other] = executions.map((e) =>
      deleteOutputSchema.parse(JSON.parse(e.described.output ?? '{}')),
    );
    expect(web?.results.map((r) => [r.target.bucket, r.status])).toEqual([
      [seoul, 'deleted'],
      [frankfurt, 'deleted'],
    ]);
    expect(other?.results.map((r) => [r.target.bucket, r.status])).toEqual([
      [seoul, 'deleted'],
      [frankfurt, 'not-a-replica'],
    ]);
    // The versioned target keeps the replica's version under a delete marker
    expect(web?.results[0]).toMatchObject({ deleteMarkerVersionId: expect.any(String) });
    expect(await h.versions('ap-northeast-2', seoul, 'releases/web.zip')).toHaveLength(1);
    await expect(h.read('ap-northeast-2', seoul, 'releases/web.zip')).rejects.toThrow();
    await expect(h.read('eu-central-1', frankfurt, 'releases/web.zip')).rejects.toThrow();
    // relay executions / show read a delete's outcome per target
    const sfn = h.sfn(relay.deployed.region);
    const details = await describeExecution(sfn, executions[1]?.arn ?? '');
    const outcomes = await outcomesOf(sfn, details);
    expect(details.output?.kind).toBe('deleted');
    expect(outcomes.map((o) => o.status)).toEqual(['deleted', 'not-a-replica']);
    expect(countOutcomes(outcomes)).toMatchObject({ ok: 1, skipped: 1, failed: 0 });
    // The foreign object and the drafts/ replica (its rule does not propagate deletes) are untouched
    expect((await h.read('eu-central-1', frankfurt, 'releases/other.zip')).toString()).toBe('not the relay');
    expect((await h.read('ap-northeast-2', seoul, 'drafts/web.zip')).toString()).toBe('draft 1');
  });
});
