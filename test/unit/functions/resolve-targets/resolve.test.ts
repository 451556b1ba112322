import { GetBucketTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import type { RelayConfigInput } from '../../../../core/config/schema.ts';
import { InvalidInput } from '../../../../core/errors.ts';
import {
  MAX_REFUSED_TAG_ENTRIES,
  resolveTargetsOutputSchema,
  taskInputSchema,
} from '../../../../core/workflow.ts';
import { createResolveTargetsHandler } from '../../../../functions/resolve-targets/index.ts';
import { awsError, regionalS3Clients } from '../fixtures.ts';

const SOURCE_BUCKET = 'build-artifacts-oregon';
const KEY = 'build_artifacts/web 1.zip';

function config(overrides: Partial<RelayConfigInput['sources'][number]> = {}) {
  return parseConfig(
    {
      sources: [
        {
          bucket: SOURCE_BUCKET,
          region: 'us-west-2',
          rules: [
            {
              name: 'web',
              prefix: 'build_artifacts/',
              suffix: '.zip',
              targets: [
                {
                  bucket: 'artifacts-seoul',
                  region: 'ap-northeast-2',
                  deploy: { application: 'web', deploymentGroup: 'prod', bundleType: 'zip' },
                },
                { bucket: 'artifacts-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/' },
              ],
            },
          ],
          ...overrides,
        },
      ],
      defaults: { multipartThresholdBytes: 8 * 1024 * 1024 },
    },
    'test',
  );
}

function eventBridgeEvent(object: Record<string, unknown>) {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-11-24T10:47:07Z',
    region: 'us-west-2',
    resources: [`arn:aws:s3:::${SOURCE_BUCKET}`],
    detail: { version: '0', bucket: { name: SOURCE_BUCKET }, object: { key: KEY, size: 5, ...object } },
  };
}

describe('ResolveTargets', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2']);
  const s3 = mockClient(clients.get('us-west-2')!);

  beforeEach(() => {
    s3.reset();
  });

  function handler(relayConfig = config()) {
    return createResolveTargetsHandler({ s3ClientFor, loadConfig: async () => relayConfig });
  }

  it('pins the source by its version, records it and returns the matching targets', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({
      ContentLength: 5,
      ETag: '"5d41402abc4b2a76b9719d911017c592"',
      VersionId: 'v1',
      ChecksumCRC64NVME: 'M3eFcAZSQlc=',
      ChecksumType: 'FULL_OBJECT',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'arn:aws:kms:us-west-2:111122223333:key/k',
      Metadata: {},
    });
    const event = eventBridgeEvent({
      'version-id': 'v1',
      etag: '5d41402abc4b2a76b9719d911017c592',
      sequencer: '0062E99A88DC407460',
    });

    // Act
    const output = await handler()(event);

    // Assert
    const head = s3.commandCalls(HeadObjectCommand)[0]?.args[0].input;
    expect(head).toMatchObject({ Bucket: SOURCE_BUCKET, Key: KEY, VersionId: 'v1', ChecksumMode: 'ENABLED' });
    expect(head?.IfMatch).toBeUndefined();
    expect(output.source).toEqual({
      bucket: SOURCE_BUCKET,
      key: KEY,
      region: 'us-west-2',
      versionId: 'v1',
      etag: '5d41402abc4b2a76b9719d911017c592',
      size: 5,
      sequencer: '0062E99A88DC407460',
      checksum: { algorithm: 'CRC64NVME', value: 'M3eFcAZSQlc=', type: 'FULL_OBJECT' },
      encryption: { type: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-west-2:111122223333:key/k' },
      content: { metadata: {} },
    });
    expect(output.targets.map((t) => t.bucket)).toEqual(['artifacts-seoul', 'artifacts-frankfurt']);
    expect(output.settings.multipartThresholdBytes).toBe(8 * 1024 * 1024);
    expect(resolveTargetsOutputSchema.safeParse(output).success).toBe(true);
  });

  it("records the metadata and content headers Copy restates, a few KB even for S3's 2 KB of metadata", async () => {
    // Arrange: 20 metadata entries of 100 bytes (key + value): S3's 2 KB user-metadata limit
    const metadata = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`key-${String(i).padStart(2, '0')}`, 'v'.repeat(94)]),
    );
    s3.on(HeadObjectCommand).resolves({
      ContentLength: 5,
      ETag: '"e"',
      VersionId: 'v1',
      LastModified: new Date('2026-11-24T10:47:07Z'),
      Metadata: metadata,
      ContentType: 'application/zip',
      CacheControl: 'no-cache',
      ContentDisposition: 'attachment; filename="web 1.zip"',
      ContentEncoding: 'identity',
      ContentLanguage: 'en',
    });

    // Act
    const output = await handler()(eventBridgeEvent({ 'version-id': 'v1', etag: 'e' }));

    // Assert
    expect(output.source?.content).toEqual({
      metadata,
      contentType: 'application/zip',
      cacheControl: 'no-cache',
      contentDisposition: 'attachment; filename="web 1.zip"',
      contentEncoding: 'identity',
      contentLanguage: 'en',
    });
    expect(output.source?.lastModified).toBe('2026-11-24T10:47:07.000Z');
    expect(
      taskInputSchema.parse({ source: output.source, settings: output.settings, target: output.targets[0] })
        .source.content,
    ).toEqual(output.source?.content);
    // The whole source, as each target's state carries it: well inside Step Functions' 256 KiB.
    expect(Buffer.byteLength(JSON.stringify(output.source))).toBeLessThan(3 * 1024);
  });

  it('returns targets the next tasks accept (only the configuration fields)', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });

    // Act
    const output = await handler()({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    for (const target of output.targets) {
      const parsed = taskInputSchema.safeParse({ source: output.source, settings: output.settings, target });
      expect(parsed.success).toBe(true);
    }
  });

  it('pins an unversioned source with If-Match on the event ETag', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"abc"', Metadata: {} });

    // Act
    const output = await handler()(eventBridgeEvent({ etag: 'abc' }));

    // Assert
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toMatchObject({ IfMatch: '"abc"' });
    expect(output.source?.versionId).toBeUndefined();
    expect(output.source?.etag).toBe('abc');
  });

  it('reports no-rule without calling S3 when no rule matches the key', async () => {
    // Arrange
    const request = { bucket: SOURCE_BUCKET, key: 'logs/build.txt' };

    // Act
    const output = await handler()(request);

    // Assert
    expect(output).toMatchObject({ targets: [], reason: 'no-rule' });
    expect(output.detail).toContain('logs/build.txt');
    expect(s3.calls()).toHaveLength(0);
  });

  it('reports no-rule for a bucket that is not a configured source', async () => {
    // Arrange / Act
    const output = await handler()({ bucket: 'someone-else', key: KEY });

    // Assert
    expect(output).toMatchObject({ targets: [], reason: 'no-rule' });
  });

  it('ignores a replica made by the relay (the loop guard)', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({
      ContentLength: 5,
      ETag: '"e"',
      Metadata: { 'relay-source': 'other-bucket/build_artifacts/web.zip' },
    });

    // Act
    const output = await handler()({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(output).toMatchObject({ targets: [], reason: 'replica' });
  });

  it('reports source-gone when the pinned version no longer exists', async () => {
    // Arrange
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));

    // Act
    const output = await handler()(eventBridgeEvent({ 'version-id': 'v1' }));

    // Assert
    expect(output).toMatchObject({ targets: [], reason: 'source-gone' });
    expect(output.source).toBeUndefined();
  });

  it('reports superseded when the object was overwritten since the event (412 on If-Match)', async () => {
    // Arrange
    s3.on(HeadObjectCommand).rejects(awsError('Unknown', 412));

    // Act
    const output = await handler()(eventBridgeEvent({ etag: 'old' }));

    // Assert
    expect(output).toMatchObject({ targets: [], reason: 'superseded' });
    expect(output.source).toBeUndefined();
    expect(output.detail).toContain('overwritten');
    expect(resolveTargetsOutputSchema.safeParse(output).success).toBe(true);
  });

  it('carries the configured source account in the source and reads the source as that owner', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });

    // Act
    const output = await handler(config({ account: '111122223333' }))({ bucket: SOURCE_BUCKET, key: KEY });
    const without = await handler()({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(output.source?.account).toBe('111122223333');
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input.ExpectedBucketOwner).toBe('111122223333');
    expect(without.source).not.toHaveProperty('account');
    const target = output.targets[0];
    expect(target).toBeDefined();
    const parsed = taskInputSchema.parse({ source: output.source, settings: output.settings, target });
    expect(parsed.source.account).toBe('111122223333');
  });

  it('reads the TargetBucket tag only when the source enables it, and honours allowlisted entries', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });
    s3.on(GetBucketTaggingCommand).resolves({
      TagSet: [{ Key: 'TargetBucket', Value: 'artifacts-tokyo@ap-northeast-1 rogue-bucket' }],
    });
    const enabled = config({ targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] } });

    // Act
    const without = await handler()({ bucket: SOURCE_BUCKET, key: KEY });
    const tagCallsWithout = s3.commandCalls(GetBucketTaggingCommand).length;
    const withTag = await handler(enabled)({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(tagCallsWithout).toBe(0);
    expect(without.targets).toHaveLength(2);
    expect(withTag.targets.map((t) => `${t.bucket}@${t.region}`)).toEqual([
      'artifacts-seoul@ap-northeast-2',
      'artifacts-frankfurt@eu-central-1',
      'artifacts-tokyo@ap-northeast-1',
    ]);
  });

  it('lists the tag entries it refused in its output: not allowlisted, and malformed', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });
    s3.on(GetBucketTaggingCommand).resolves({
      TagSet: [{ Key: 'TargetBucket', Value: 'artifacts-tokyo@ap-northeast-1 rogue-bucket Bad@@entry' }],
    });
    const enabled = config({ targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] } });

    // Act
    const output = await handler(enabled)({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(output.targets).toHaveLength(3);
    expect(output.refusedTagEntries).toEqual({
      entries: [
        {
          entry: 'rogue-bucket',
          reason: 'not-allowed',
          message: expect.stringContaining(
            'rogue-bucket@us-west-2, which targetBucketTag.allowedBuckets (artifacts-*)',
          ),
        },
        { entry: 'Bad@@entry', reason: 'malformed', message: expect.stringContaining('"Bad@@entry"') },
      ],
      more: 0,
    });
    expect(resolveTargetsOutputSchema.parse(output).refusedTagEntries?.entries).toHaveLength(2);
  });

  it('lists at most ten refused tag entries and counts the others', async () => {
    // Arrange
    const rogues = Array.from({ length: 13 }, (_, i) => `rogue-${i}`);
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'TargetBucket', Value: rogues.join(' ') }] });
    const enabled = config({ targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] } });

    // Act
    const output = await handler(enabled)({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(output.refusedTagEntries?.entries.map((e) => e.entry)).toEqual(
      rogues.slice(0, MAX_REFUSED_TAG_ENTRIES),
    );
    expect(output.refusedTagEntries?.more).toBe(13 - MAX_REFUSED_TAG_ENTRIES);
  });

  it('says nothing of refused entries when the tag has none', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });
    s3.on(GetBucketTaggingCommand).resolves({
      TagSet: [{ Key: 'TargetBucket', Value: 'artifacts-tokyo@ap-northeast-1' }],
    });
    const enabled = config({ targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] } });

    // Act
    const output = await handler(enabled)({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(output).not.toHaveProperty('refusedTagEntries');
  });

  it('lists the refused entries when they leave the object with no target at all', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'TargetBucket', Value: 'rogue-bucket' }] });
    const tagOnly = config({
      rules: [{ name: 'web', prefix: 'build_artifacts/', targets: [] }],
      targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] },
    });

    // Act
    const output = await handler(tagOnly)({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(output.reason).toBe('no-targets');
    expect(output.refusedTagEntries?.entries.map((e) => [e.entry, e.reason])).toEqual([
      ['rogue-bucket', 'not-allowed'],
    ]);
  });

  it('treats a source bucket without tags as having no TargetBucket tag', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });
    s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 404));
    const enabled = config({ targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] } });

    // Act
    const output = await handler(enabled)({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    expect(output.targets).toHaveLength(2);
  });

  it('narrows to the targets a CLI request selects, and refuses one that is not configured', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });

    // Act
    const narrowed = await handler()({ bucket: SOURCE_BUCKET, key: KEY, targets: ['artifacts-frankfurt'] });
    const refused = handler()({ bucket: SOURCE_BUCKET, key: KEY, targets: ['elsewhere'] });

    // Assert
    expect(narrowed.targets.map((t) => t.bucket)).toEqual(['artifacts-frankfurt']);
    await expect(refused).rejects.toBeInstanceOf(InvalidInput);
  });

  it('deploys nowhere when the request says deploy: false (a backfill), and as configured otherwise', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', Metadata: {} });

    // Act
    const quiet = await handler()({ bucket: SOURCE_BUCKET, key: KEY, deploy: false });
    const deploying = await handler()({ bucket: SOURCE_BUCKET, key: KEY, deploy: true });

    // Assert
    expect(quiet.targets.map((t) => [t.bucket, t.deploy])).toEqual([
      ['artifacts-seoul', undefined],
      ['artifacts-frankfurt', undefined],
    ]);
    expect(deploying.targets[0]?.deploy).toMatchObject({ application: 'web', deploymentGroup: 'prod' });
  });

  it('refuses an input of no accepted shape with InvalidInput', async () => {
    // Arrange / Act
    const resolving = handler()({ hello: 'world' });

    // Assert
    await expect(resolving).rejects.toBeInstanceOf(InvalidInput);
  });

  it('fails with the classified error when the source cannot be read', async () => {
    // Arrange
    s3.on(HeadObjectCommand).rejects(awsError('AccessDenied', 403));

    // Act
    const resolving = handler()({ bucket: SOURCE_BUCKET, key: KEY });

    // Assert
    await expect(resolving).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
