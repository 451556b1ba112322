import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { relayOutput, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

/**
 * The workflow's task functions run as their own roles on the local stack (the harness deploys every relay
 * that way): each signs with its own key, registered with exactly the identity policy the CDK app
 * synthesizes for it, and the local S3 evaluates every request of theirs.
 */

const SOURCE_REGION = 'us-west-2';

describe('the relay workflow with its task roles enforced (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    await h?.dispose();
  });

  async function relayOnce(prefix: string, removeTargetWrite: boolean) {
    const source = h.name(`${prefix}-src`);
    const frankfurt = h.name(`${prefix}-frankfurt`);
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(frankfurt, 'eu-central-1');
    const relay = await h.deploy(
      {
        sources: [
          {
            bucket: source,
            region: SOURCE_REGION,
            rules: [{ name: 'all', targets: [{ bucket: frankfurt, region: 'eu-central-1' }] }],
          },
        ],
      },
      {
        handlers: {
          ...(removeTargetWrite
            ? {
                // Only the write action goes; the statement's other actions (HEAD, ListParts…) stay.
                adjustPolicy: (role, statements) =>
                  role !== 'copy-object'
                    ? statements
                    : statements.map((s) =>
                        s.resources.some((r) => r.includes(frankfurt))
                          ? { ...s, actions: s.actions.filter((a) => a !== 's3:PutObject') }
                          : s,
                      ),
              }
            : {}),
        },
      },
    );
    h.stack.s3.clearAuthorizationLog();
    await h.put(SOURCE_REGION, {
      Bucket: source,
      Key: 'build_artifacts/web.zip',
      Body: await zipWithAppspec(),
    });
    const [execution] = await relay.settle();
    return { execution, frankfurt };
  }

  it('relays with every task signing as its role, every one of their S3 requests evaluated and allowed, and Verify reading nothing', async () => {
    // Act
    const { execution } = await relayOnce('roles', false);

    // Assert
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution && relayOutput(execution).results.map((r) => r.status)).toEqual(['copied']);
    const log = h.stack.s3.authorizationLog();
    const roles = new Set(log.map((record) => record.principal.replace(/^.*:role\//, '')));
    // Verify proves the replica by what the copy's answer reported: it sends S3 nothing here.
    expect([...roles].sort()).toEqual(['artifact-relay-copy-object', 'artifact-relay-resolve-targets']);
    expect(log.filter((record) => record.decision !== 'Allow')).toEqual([]);
  });

  it('fails the target with AccessDenied naming s3:PutObject when only that action is taken from the copy role', async () => {
    // Act
    const { execution, frankfurt } = await relayOnce('nogrant', true);

    // Assert
    expect(execution?.status).toBe('FAILED');
    expect(execution?.described.error).toBe('AccessDenied');
    const denied = h.stack.s3.authorizationLog().filter((record) => record.decision !== 'Allow');
    expect(denied.length).toBeGreaterThan(0);
    expect(denied[0]).toMatchObject({
      action: 's3:PutObject',
      resource: expect.stringContaining(`arn:aws:s3:::${frankfurt}/`),
      principal: expect.stringContaining(':role/artifact-relay-copy-object'),
    });
  });
});
