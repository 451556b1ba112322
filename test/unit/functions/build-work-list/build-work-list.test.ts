import { getMaxListeners } from 'node:events';
import {
  CreateMultipartUploadCommand,
  GetBucketTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildWorkListInputSchema, workListKey, workListSchema } from '../../../../core/backfill.ts';
import { parseConfig } from '../../../../core/config/parse.ts';
import type { RelayConfigInput } from '../../../../core/config/schema.ts';
import { AccessDenied, InvalidInput, TransientAwsError } from '../../../../core/errors.ts';
import { buildReplicaMetadata } from '../../../../core/replica-metadata.ts';
import { buildWorkList, DEFAULT_HEAD_CONCURRENCY } from '../../../../functions/build-work-list/build.ts';
import { createBuildWorkListHandler } from '../../../../functions/build-work-list/index.ts';
import { awsError, regionalS3Clients } from '../fixtures.ts';
import { fakeDestinations, fakeResults, fakeSource, jsonLines, type SourceVersion } from './fake-s3.ts';

const SOURCE = 'build-artifacts-oregon';
const SEOUL = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };
const FRANKFURT = { bucket: 'artifacts-frankfurt', region: 'eu-central-1' };
const RESULTS = { bucket: 'relay-backfills', prefix: 'backfills/' };
const BACKFILL_ID = 'backfill-1';
const LIST_KEY = workListKey({ results: RESULTS }, BACKFILL_ID);

function config(source: Partial<RelayConfigInput['sources'][number]> = {}) {
  return parseConfig(
    {
      sources: [
        {
          bucket: SOURCE,
          region: 'us-west-2',
          rules: [
            {
              name: 'web',
              prefix: 'build_artifacts/',
              suffix: '.zip',
              targets: [SEOUL, { ...FRANKFURT, keyPrefix: 'releases/' }],
            },
          ],
          ...source,
        },
      ],
    },
    'test',
  );
}

function request(overrides: Record<string, unknown> = {}) {
  return { state: { source: { bucket: SOURCE }, results: RESULTS, ...overrides }, backfillId: BACKFILL_ID };
}

/** A destination that is the relay's replica of `key` (at `versionId` / `etag`), holding `size` bytes. */
function replica(
  key: string,
  pin: { versionId?: string; etag?: string },
  size = 10,
): Partial<HeadObjectCommandOutput> {
  return {
    ContentLength: size,
    ETag: '"replica-etag"',
    ServerSideEncryption: 'AES256',
    Metadata: buildReplicaMetadata({ bucket: SOURCE, key, etag: pin.etag ?? 'x', ...pin }),
  };
}

describe('BuildWorkList', () => {
  const { clients, s3ClientFor } = regionalS3Clients([
    'us-west-2',
    SEOUL.region,
    FRANKFURT.region,
    'us-east-1',
  ]);
  const source = mockClient(clients.get('us-west-2')!);
  const seoul = mockClient(clients.get(SEOUL.region)!);
  const frankfurt = mockClient(clients.get(FRANKFURT.region)!);
  const results = mockClient(clients.get('us-east-1')!);
  let bucket: ReturnType<typeof fakeResults>;

  function handler(relayConfig = config()) {
    return createBuildWorkListHandler({
      s3ClientFor,
      loadConfig: async () => relayConfig,
      resultsRegion: 'us-east-1',
    });
  }

  function givenSource(versions: readonly SourceVersion[], status?: 'Enabled' | 'Suspended'): void {
    fakeSource(source, versions, status);
  }

  function givenDestinations(
    seoulObjects: Record<string, Partial<HeadObjectCommandOutput>> = {},
    frankfurtObjects: Record<string, Partial<HeadObjectCommandOutput>> = {},
  ): void {
    fakeDestinations(
      seoul,
      new Map(Object.entries(seoulObjects).map(([key, head]) => [`${SEOUL.bucket}/${key}`, head])),
    );
    fakeDestinations(
      frankfurt,
      new Map(Object.entries(frankfurtObjects).map(([key, head]) => [`${FRANKFURT.bucket}/${key}`, head])),
    );
  }

  beforeEach(() => {
    for (const stub of [source, seoul, frankfurt, results]) stub.reset();
    bucket = fakeResults(results);
    givenDestinations();
  });

  it('queues every routed object of an unversioned source, pinned by its ETag, as one JSONL object', async () => {
    // Arrange
    givenSource([
      { key: 'build_artifacts/a.zip', etag: 'etag-a', size: 100 },
      { key: 'build_artifacts/b.zip', etag: 'etag-b', size: 200 },
    ]);

    // Act
    const answer = await handler()(request());

    // Assert
    expect(workListSchema.parse(answer)).toEqual(answer);
    expect(answer).toMatchObject({
      done: true,
      bucket: RESULTS.bucket,
      key: 'backfills/backfill-1/work-list.jsonl',
      items: 2,
      maxConcurrency: 40,
      toleratedFailurePercentage: 0,
      counts: { listed: 2, tooOld: 0, noTarget: 0, inSync: 0, queued: 2, queuedBytes: 300 },
    });
    expect(answer.cursor).toBeUndefined();
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      { bucket: SOURCE, key: 'build_artifacts/a.zip', etag: 'etag-a', deploy: false },
      { bucket: SOURCE, key: 'build_artifacts/b.zip', etag: 'etag-b', deploy: false },
    ]);
    expect(source.commandCalls(ListObjectVersionsCommand)).toHaveLength(0);
    expect(bucket.uploads.size).toBe(0);
  });

  it.each(['Enabled', 'Suspended'] as const)(
    'lists a %s source by version: the latest of each key, pinned by version id, none whose latest is a delete marker',
    async (status) => {
      // Arrange
      givenSource(
        [
          { key: 'build_artifacts/a.zip', versionId: 'a-2', etag: 'a2' },
          { key: 'build_artifacts/a.zip', versionId: 'a-1', etag: 'a1' },
          { key: 'build_artifacts/b.zip', versionId: 'b-marker', deleteMarker: true },
          { key: 'build_artifacts/b.zip', versionId: 'b-1', etag: 'b1' },
          { key: 'build_artifacts/c.zip', versionId: 'null', etag: 'c0' },
        ],
        status,
      );

      // Act
      const answer = await handler()(request());

      // Assert
      expect(answer.counts).toMatchObject({ listed: 2, queued: 2 });
      expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
        { bucket: SOURCE, key: 'build_artifacts/a.zip', versionId: 'a-2', deploy: false },
        { bucket: SOURCE, key: 'build_artifacts/c.zip', versionId: 'null', deploy: false },
      ]);
      expect(source.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    },
  );

  it("makes room on the invocation's abort signal for every request it has in flight", async () => {
    // Arrange: 32 destination HEADs at once, each SDK request listening on the signal until it ends
    givenSource([{ key: 'build_artifacts/a.zip', etag: 'etag-a', size: 100 }]);
    const signal = new AbortController().signal;

    // Act
    await buildWorkList(
      buildWorkListInputSchema.parse(request()),
      { s3ClientFor, loadConfig: async () => config(), resultsRegion: 'us-east-1' },
      { signal },
    );

    // Assert: above Node's default of 10, so no MaxListenersExceededWarning
    expect(getMaxListeners(signal)).toBeGreaterThan(DEFAULT_HEAD_CONCURRENCY);
  });

  it('lists only the prefix asked for', async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/2025/a.zip' }, { key: 'build_artifacts/2026/b.zip' }]);

    // Act
    const answer = await handler()(request({ source: { bucket: SOURCE, prefix: 'build_artifacts/2026/' } }));

    // Assert
    expect(answer.counts).toMatchObject({ listed: 1, queued: 1 });
    expect(source.commandCalls(ListObjectsV2Command)[0]!.args[0].input.Prefix).toBe('build_artifacts/2026/');
  });

  it('leaves out objects modified before since', async () => {
    // Arrange
    givenSource([
      { key: 'build_artifacts/old.zip', lastModified: '2026-03-01T00:00:00Z' },
      { key: 'build_artifacts/new.zip', lastModified: '2026-05-01T00:00:00Z' },
    ]);

    // Act
    const answer = await handler()(request({ since: '2026-04-01T00:00:00Z' }));

    // Assert
    expect(answer.counts).toMatchObject({ listed: 2, tooOld: 1, queued: 1 });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      expect.objectContaining({ key: 'build_artifacts/new.zip' }),
    ]);
  });

  it("leaves out keys no rule routes, and keys under the relay's own prefix", async () => {
    // Arrange
    givenSource([
      { key: 'build_artifacts/a.zip' },
      { key: 'build_artifacts/notes.txt' },
      { key: 'logs/a.zip' },
      { key: '.artifact-relay/ledger.json' },
    ]);

    // Act
    const answer = await handler()(request());

    // Assert
    expect(answer.counts).toMatchObject({ listed: 4, noTarget: 3, queued: 1 });
  });

  it("never relays the backfill's own output when it writes into the source bucket", async () => {
    // Arrange
    givenSource([
      { key: 'build_artifacts/a.zip' },
      { key: 'build_artifacts/backfills/earlier/work-list.zip' },
    ]);

    // Act
    const answer = await handler()(
      request({ results: { bucket: SOURCE, prefix: 'build_artifacts/backfills' } }),
    );

    // Assert
    expect(answer.counts).toMatchObject({ listed: 2, noTarget: 1, queued: 1 });
  });

  it("narrows every line to the request's targets, and leaves out objects routed to none of them", async () => {
    // Arrange
    const relayConfig = config({
      rules: [
        { name: 'web', prefix: 'web/', targets: [SEOUL, FRANKFURT] },
        { name: 'api', prefix: 'api/', targets: [SEOUL] },
      ],
    });
    givenSource([{ key: 'web/a.zip' }, { key: 'api/b.zip' }]);

    // Act
    const answer = await handler(relayConfig)(request({ targets: [FRANKFURT.bucket] }));

    // Assert
    expect(answer.counts).toMatchObject({ listed: 2, noTarget: 1, queued: 1 });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      {
        bucket: SOURCE,
        key: 'web/a.zip',
        etag: 'etag-web/a.zip',
        targets: ['artifacts-frankfurt@eu-central-1'],
        deploy: false,
      },
    ]);
    expect(seoul.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it("skips an object whose every target holds the relay's replica of this very version", async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/a.zip', versionId: 'v1' }], 'Enabled');
    givenDestinations(
      { 'build_artifacts/a.zip': replica('build_artifacts/a.zip', { versionId: 'v1' }) },
      { 'releases/a.zip': replica('build_artifacts/a.zip', { versionId: 'v1' }) },
    );

    // Act
    const answer = await handler()(request());

    // Assert
    expect(answer).toMatchObject({ done: true, items: 0, counts: { listed: 1, inSync: 1, queued: 0 } });
    // The destination key follows the target's keyPrefix.
    expect(frankfurt.commandCalls(HeadObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: FRANKFURT.bucket,
      Key: 'releases/a.zip',
      ChecksumMode: 'ENABLED',
    });
  });

  it('names only the targets not in sync when some are', async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/a.zip', versionId: 'v1' }], 'Enabled');
    givenDestinations({ 'build_artifacts/a.zip': replica('build_artifacts/a.zip', { versionId: 'v1' }) });

    // Act
    const answer = await handler()(request());

    // Assert
    expect(answer.counts).toMatchObject({ inSync: 0, queued: 1 });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      {
        bucket: SOURCE,
        key: 'build_artifacts/a.zip',
        versionId: 'v1',
        targets: ['artifacts-frankfurt@eu-central-1'],
        deploy: false,
      },
    ]);
  });

  it('queues an object whose replica was made from another version, or holds other bytes', async () => {
    // Arrange
    givenSource(
      [
        { key: 'build_artifacts/a.zip', versionId: 'v2', size: 10 },
        { key: 'build_artifacts/b.zip', versionId: 'v1', size: 10 },
      ],
      'Enabled',
    );
    const stale = replica('build_artifacts/a.zip', { versionId: 'v1' });
    const resized = replica('build_artifacts/b.zip', { versionId: 'v1' }, 11);
    givenDestinations(
      { 'build_artifacts/a.zip': stale, 'build_artifacts/b.zip': resized },
      { 'releases/a.zip': stale, 'releases/b.zip': resized },
    );

    // Act
    const answer = await handler()(request());

    // Assert
    expect(answer.counts).toMatchObject({ inSync: 0, queued: 2 });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      { bucket: SOURCE, key: 'build_artifacts/a.zip', versionId: 'v2', deploy: false },
      { bucket: SOURCE, key: 'build_artifacts/b.zip', versionId: 'v1', deploy: false },
    ]);
  });

  it('counts as in sync a destination proven the same bytes by a comparable ETag, stamp or not', async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/a.zip', etag: '9b2cf535f27731c974343645a3985328', size: 10 }]);
    const same = {
      ContentLength: 10,
      ETag: '"9b2cf535f27731c974343645a3985328"',
      ServerSideEncryption: 'AES256' as const,
    };
    givenDestinations({ 'build_artifacts/a.zip': same }, { 'releases/a.zip': same });

    // Act
    const answer = await handler()(request());

    // Assert
    expect(answer.counts).toMatchObject({ inSync: 1, queued: 0 });
  });

  it('with deploy, checks nothing at the targets and asks every line to deploy', async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/a.zip', versionId: 'v1' }], 'Enabled');
    givenDestinations(
      { 'build_artifacts/a.zip': replica('build_artifacts/a.zip', { versionId: 'v1' }) },
      { 'releases/a.zip': replica('build_artifacts/a.zip', { versionId: 'v1' }) },
    );

    // Act
    const answer = await handler()(request({ deploy: true }));

    // Assert
    expect(answer.counts).toMatchObject({ inSync: 0, queued: 1 });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      { bucket: SOURCE, key: 'build_artifacts/a.zip', versionId: 'v1' },
    ]);
    expect(seoul.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(frankfurt.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it("routes by the source's TargetBucket tag too when the source enables it", async () => {
    // Arrange
    const relayConfig = config({
      rules: [{ name: 'web', prefix: 'build_artifacts/', targets: [SEOUL] }],
      targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] },
    });
    source.on(GetBucketTaggingCommand).resolves({
      TagSet: [{ Key: 'TargetBucket', Value: 'artifacts-frankfurt@eu-central-1' }],
    });
    givenSource([{ key: 'build_artifacts/a.zip' }]);

    // Act
    const answer = await handler(relayConfig)(request({ targets: ['artifacts-frankfurt@eu-central-1'] }));

    // Assert
    expect(answer.counts).toMatchObject({ queued: 1 });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      expect.objectContaining({ targets: ['artifacts-frankfurt@eu-central-1'] }),
    ]);
  });

  it('aborts the upload and answers items 0 when nothing needs relaying', async () => {
    // Arrange
    givenSource([{ key: 'logs/a.txt' }]);

    // Act
    const answer = await handler()(request());

    // Assert
    expect(answer).toMatchObject({ done: true, items: 0, counts: { listed: 1, noTarget: 1, queued: 0 } });
    expect(bucket.aborted).toHaveLength(1);
    expect(bucket.objects.size).toBe(0);
  });

  it('answers a done work list again as it is, calling nothing', async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/a.zip' }]);
    const first = await handler()(request());
    source.resetHistory();
    results.resetHistory();

    // Act
    const again = await handler()(request({ workList: first }));

    // Assert
    expect(again).toEqual(first);
    expect(source.calls()).toHaveLength(0);
    expect(results.calls()).toHaveLength(0);
  });

  describe('refuses, naming what to fix,', () => {
    it('a request that does not parse', async () => {
      // Arrange / Act
      const failure = handler()({ state: { source: {} }, backfillId: BACKFILL_ID });

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(/BuildWorkList task input is invalid: state\.source\.bucket/);
    });

    it('a request without a results location when the builder has no default', async () => {
      // Arrange / Act
      const failure = handler()({ state: { source: { bucket: SOURCE } }, backfillId: BACKFILL_ID });

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(/names no results location .* set results \{ bucket, prefix \}/);
    });

    it('a source that is not configured', async () => {
      // Arrange / Act
      const failure = handler()(request({ source: { bucket: 'someone-elses-bucket' } }));

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(
        /"someone-elses-bucket" is not a source .*build-artifacts-oregon/,
      );
      expect(results.calls()).toHaveLength(0);
    });

    it('a target selector that names no target of the source, or is malformed', async () => {
      // Arrange / Act
      const failure = handler()(request({ targets: ['artifacts-tokyo', 'Not_A_Bucket@x'] }));

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(/"artifacts-tokyo" is not a target of any rule/);
      await expect(failure).rejects.toThrow(/"Not_A_Bucket@x": /);
      await expect(failure).rejects.toThrow(
        /artifacts-seoul@ap-northeast-2, artifacts-frankfurt@eu-central-1/,
      );
    });

    it('a results bucket that does not exist', async () => {
      // Arrange
      givenSource([{ key: 'build_artifacts/a.zip' }]);
      results.on(CreateMultipartUploadCommand).rejects(awsError('NoSuchBucket', 404));

      // Act
      const failure = handler()(request());

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(/results bucket relay-backfills does not exist/);
    });
  });

  it('fails with AccessDenied naming the grants when a destination HEAD is denied', async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/a.zip' }]);
    seoul.on(HeadObjectCommand).rejects(awsError('Forbidden', 403));

    // Act
    const failure = handler()(request());

    // Assert
    await expect(failure).rejects.toThrow(AccessDenied);
    await expect(failure).rejects.toThrow(/s3:GetObject on s3:\/\/artifacts-seoul\/build_artifacts\/a\.zip/);
  });

  it('fails with a retryable error when the listing is throttled', async () => {
    // Arrange
    givenSource([{ key: 'build_artifacts/a.zip' }]);
    source.on(ListObjectsV2Command).rejects(awsError('SlowDown', 503));

    // Act / Assert
    await expect(handler()(request())).rejects.toThrow(TransientAwsError);
  });
});
