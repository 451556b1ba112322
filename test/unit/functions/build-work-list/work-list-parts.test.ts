import {
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type WorkList, workListChunkKey, workListKey } from '../../../../core/backfill.ts';
import { parseConfig } from '../../../../core/config/parse.ts';
import { MultipartUploadGone, TransientAwsError } from '../../../../core/errors.ts';
import {
  type BuildWorkListDeps,
  createBuildWorkListHandler,
} from '../../../../functions/build-work-list/index.ts';
import { awsError, regionalS3Clients } from '../fixtures.ts';
import { fakeDestinations, fakeResults, fakeSource, jsonLines } from './fake-s3.ts';

/**
 * The work list written across BuildWorkList's calls: one multipart upload, parts of at least
 * `partBytes` (all but the last), chunks in between, one object at the end — with a small part size, a
 * small page and a time budget of (nearly) nothing, so every call lists one or two pages.
 */

const SOURCE = 'build-artifacts-oregon';
const RESULTS = { bucket: 'relay-backfills', prefix: 'backfills' };
const BACKFILL_ID = 'backfill-7';
const LIST_KEY = workListKey({ results: RESULTS }, BACKFILL_ID);
const CONFIG = parseConfig(
  {
    sources: [
      {
        bucket: SOURCE,
        region: 'us-west-2',
        rules: [{ name: 'all', targets: [{ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }] }],
      },
    ],
  },
  'test',
);
const KEYS = Array.from({ length: 10 }, (_, i) => `builds/web-${String(i).padStart(2, '0')}.zip`);
/** Each line is 80 bytes or so: two (a page) stay under a part, four make one. */
const PART_BYTES = 300;

describe('the work list across calls', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2', 'us-east-1']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  const results = mockClient(clients.get('us-east-1')!);
  let bucket: ReturnType<typeof fakeResults>;
  let now = 0;

  /** A handler listing two keys a page, told it has `remaining` ms left on a clock that ticks per read. */
  function handler(overrides: Partial<BuildWorkListDeps> = {}) {
    const run = createBuildWorkListHandler({
      s3ClientFor,
      loadConfig: async () => CONFIG,
      resultsRegion: 'us-east-1',
      partBytes: PART_BYTES,
      pageSize: 2,
      timeMarginMs: 0,
      clock: () => now++,
      ...overrides,
    });
    return (workList: WorkList | undefined, remaining = 0) =>
      run(
        {
          state: {
            source: { bucket: SOURCE },
            results: RESULTS,
            ...(workList === undefined ? {} : { workList }),
          },
          backfillId: BACKFILL_ID,
        },
        { remainingTimeMs: () => remaining },
      );
  }

  /** Calls until done; every answer in order. */
  async function callsUntilDone(run: ReturnType<typeof handler>, remaining = 0): Promise<WorkList[]> {
    const answers: WorkList[] = [];
    let last: WorkList | undefined;
    do {
      last = await run(last, remaining);
      answers.push(last);
      if (answers.length > 50) throw new Error('the work list was never done');
    } while (!last.done);
    return answers;
  }

  beforeEach(() => {
    for (const stub of [source, target, results]) stub.reset();
    now = 0;
    fakeSource(
      source,
      KEYS.map((key) => ({ key })),
      undefined,
    );
    fakeDestinations(target, new Map());
    bucket = fakeResults(results);
  });

  it('writes one object from parts of at least the part size, keeping what is less in chunks between calls', async () => {
    // Arrange
    const run = handler();

    // Act
    const answers = await callsUntilDone(run);

    // Assert
    expect(answers).toHaveLength(KEYS.length / 2);
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual(
      KEYS.map((key) => ({ bucket: SOURCE, key, etag: `etag-${key}`, deploy: false })),
    );
    expect(answers.at(-1)).toMatchObject({ done: true, items: 10, counts: { listed: 10, queued: 10 } });
    // The first call kept its page in a chunk, the second made a part of it and its own page.
    expect(answers[0]!.cursor).toMatchObject({
      listing: 'objects',
      parts: [],
      chunks: [workListChunkKey(LIST_KEY, 0)],
    });
    expect(answers[1]!.cursor).toMatchObject({
      parts: [{ PartNumber: 1 }],
      chunks: [],
      chunkBytes: 0,
      spentChunks: [workListChunkKey(LIST_KEY, 0)],
    });
    const complete = results.commandCalls(CompleteMultipartUploadCommand);
    expect(complete).toHaveLength(1);
    const parts = complete[0]!.args[0].input.MultipartUpload?.Parts ?? [];
    expect(parts.map((p) => p.PartNumber)).toEqual([1, 2, 3]);
    expect(parts.every((p) => p.ChecksumCRC32 !== undefined)).toBe(true);
    const sizes = results
      .commandCalls(UploadPartCommand)
      .map((c) => (c.args[0].input.Body as Buffer).byteLength);
    expect(sizes.slice(0, -1).every((size) => size >= PART_BYTES)).toBe(true);
    // Nothing but the list is left: every chunk was deleted once a part held it.
    expect([...bucket.objects.keys()]).toEqual([LIST_KEY]);
    expect(bucket.uploads.size).toBe(0);
  });

  it('lists at least one page a call, even with no time left', async () => {
    // Arrange
    const run = handler({ timeMarginMs: 60_000 });

    // Act
    const first = await run(undefined, 1_000);

    // Assert
    expect(first).toMatchObject({ done: false, items: 2, counts: { listed: 2 } });
    expect(first.cursor?.continuationToken).toBe('2');
  });

  it('lists several pages a call while time remains', async () => {
    // Arrange: the clock ticks once per page, the budget is 3.5 ticks.
    const run = handler();

    // Act
    const answers = await callsUntilDone(run, 3.5);

    // Assert
    expect(answers.map((a) => a.counts.listed)).toEqual([8, 10]);
  });

  it('survives a call retried from its cursor after it failed past a part: no line lost or written twice', async () => {
    // Arrange: the first call keeps its page in a chunk; the next lists two pages a call, and its first
    // listing of keys 4-5 fails — after it made a part of the chunk and keys 2-3.
    let failures = 0;
    fakeSource(
      source,
      KEYS.map((key) => ({ key })),
      undefined,
      (input) =>
        input.ContinuationToken === '4' && failures++ === 0 ? awsError('SlowDown', 503) : undefined,
    );
    const run = handler();
    const first = await run(undefined);

    // Act
    const failed = run(first, 1.5);
    await expect(failed).rejects.toThrow(TransientAwsError);
    const answers = [first];
    let last: WorkList = first;
    do {
      last = await run(last, 1.5);
      answers.push(last);
    } while (!last.done);

    // Assert
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual(
      KEYS.map((key) => ({ bucket: SOURCE, key, etag: `etag-${key}`, deploy: false })),
    );
    expect(last).toMatchObject({ items: 10, counts: { listed: 10, queued: 10 } });
  });

  it('deletes the chunks a part took in the next call, not in the call that might be retried', async () => {
    // Arrange
    const run = handler();
    const first = await run(undefined);
    const second = await run(first);

    // Act
    const leftAfterSecond = bucket.objects.has(workListChunkKey(LIST_KEY, 0));
    await run(second);

    // Assert
    expect(leftAfterSecond).toBe(true);
    expect(bucket.objects.has(workListChunkKey(LIST_KEY, 0))).toBe(false);
  });

  it('fails for good, saying to start again, when the upload was aborted meanwhile', async () => {
    // Arrange
    const run = handler();
    const first = await run(undefined);
    bucket.uploads.clear();

    // Act
    const failure = run(first);

    // Assert
    await expect(failure).rejects.toThrow(MultipartUploadGone);
    await expect(failure).rejects.toThrow(
      /AbortIncompleteMultipartUpload lifecycle rule.*Start the backfill again/,
    );
  });

  it('fails for good when a chunk was removed meanwhile', async () => {
    // Arrange
    const run = handler();
    const first = await run(undefined);
    bucket.objects.delete(workListChunkKey(LIST_KEY, 0));

    // Act
    const failure = run(first);

    // Assert
    await expect(failure).rejects.toThrow(MultipartUploadGone);
    await expect(failure).rejects.toThrow(
      /chunk s3:\/\/relay-backfills\/backfills\/backfill-7\/work-list\.jsonl\.chunk-000000 is gone/,
    );
    expect(results.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('is done when a completion retried by the SDK finds the upload already completed', async () => {
    // Arrange: the completion lands, its answer is lost, the retry finds no upload.
    results.on(CompleteMultipartUploadCommand).callsFake(() => {
      bucket.objects.set(LIST_KEY, Buffer.from('{}\n'));
      throw awsError('NoSuchUpload', 404);
    });
    const run = handler();

    // Act
    const answers = await callsUntilDone(run, 100);

    // Assert
    expect(answers.at(-1)).toMatchObject({ done: true, items: 10 });
  });

  it('lists from the continuation token of the cursor', async () => {
    // Arrange
    const run = handler();
    const first = await run(undefined);
    source.resetHistory();

    // Act
    await run(first);

    // Assert
    expect(source.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({
      ContinuationToken: '2',
      MaxKeys: 2,
    });
  });
});
