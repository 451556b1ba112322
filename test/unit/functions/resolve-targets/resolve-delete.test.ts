import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import { InvalidInput } from '../../../../core/errors.ts';
import { deleteTaskInputSchema, resolveDeleteOutputSchema } from '../../../../core/workflow-delete.ts';
import {
  createResolveRequestHandler,
  createResolveTargetsHandler,
} from '../../../../functions/resolve-targets/index.ts';
import { loadEventFixture } from '../../core/load-fixture.ts';

const SOURCE_BUCKET = 'build-artifacts-oregon';

function config(propagateDeletes: boolean) {
  return parseConfig(
    {
      sources: [
        {
          bucket: SOURCE_BUCKET,
          region: 'us-west-2',
          account: '111122223333',
          rules: [
            {
              name: 'web',
              prefix: 'build_artifacts/',
              propagateDeletes,
              targets: [
                { bucket: 'artifacts-seoul', region: 'ap-northeast-2' },
                { bucket: 'artifacts-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/' },
              ],
            },
          ],
          targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] },
        },
      ],
    },
    'test',
  );
}

describe('ResolveTargets for a deleted source object', () => {
  const client = new S3Client({ region: 'us-west-2' });
  const s3 = mockClient(client);
  const deps = (propagate: boolean) => ({
    s3ClientFor: () => client,
    loadConfig: async () => config(propagate),
  });

  beforeEach(() => {
    s3.reset();
  });

  it('resolves the targets of a rule that propagates deletes, reading nothing from the gone source', async () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-deleted-marker.json');

    // Act
    const output = await createResolveRequestHandler(deps(true))(event);

    // Assert
    const parsed = resolveDeleteOutputSchema.parse(output);
    expect(parsed.operation).toBe('delete');
    expect(parsed.source).toEqual({
      bucket: SOURCE_BUCKET,
      key: 'build_artifacts/10:47:07 web.zip',
      region: 'us-west-2',
      account: '111122223333',
      deletion: 'delete-marker',
      versionId: '1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF',
      sequencer: '00664346A0B1C2D3E4',
      eventTime: '2024-05-14T11:05:12Z',
    });
    expect(parsed.targets.map((target) => target.bucket)).toEqual(['artifacts-seoul', 'artifacts-frankfurt']);
    expect(parsed.targets[1]!.sourcePrefix).toBe('build_artifacts/');
    expect(s3.calls()).toHaveLength(0);
    for (const target of parsed.targets) {
      expect(deleteTaskInputSchema.safeParse({ source: parsed.source, target }).success).toBe(true);
    }
  });

  it('resolves no target for a deletion when the rule does not propagate deletes', async () => {
    // Arrange
    const event = loadEventFixture('classic-s3-notification-removed.json');

    // Act
    const output = await createResolveRequestHandler(deps(false))(event);

    // Assert
    expect(resolveDeleteOutputSchema.parse(output)).toMatchObject({
      operation: 'delete',
      targets: [],
      reason: 'no-rule',
    });
    expect(output.detail).toContain('propagateDeletes');
  });

  it('still relays creations, with the loop guard, through the same handler', async () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-created.json');
    s3.on(HeadObjectCommand).resolves({
      ContentLength: 5,
      ETag: '"b1946ac92492d2347c6235b4d2611184"',
      Metadata: { 'relay-source': 'elsewhere/build_artifacts/x.zip' },
    });

    // Act
    const output = await createResolveRequestHandler(deps(true))(event);

    // Assert
    expect('operation' in output).toBe(false);
    expect(output).toMatchObject({ targets: [], reason: 'replica' });
  });

  it('refuses a deletion in the relay-only handler', async () => {
    // Arrange
    const event = loadEventFixture('eventbridge-object-deleted.json');

    // Act
    const outcome = createResolveTargetsHandler(deps(true))(event);

    // Assert
    await expect(outcome).rejects.toBeInstanceOf(InvalidInput);
  });
});
