import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  CreateMultipartUploadCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type WorkList, workListKey, workListSchema } from '../../../../core/backfill.ts';
import { parseConfig } from '../../../../core/config/parse.ts';
import { AccessDenied, InvalidInput, TransientAwsError } from '../../../../core/errors.ts';
import {
  type BuildWorkListDeps,
  createBuildWorkListHandler,
} from '../../../../functions/build-work-list/index.ts';
import {
  CURRENT_COLUMNS,
  type InventoryEntry,
  inventoryFile,
  inventoryLine,
  inventoryManifest,
  VERSION_COLUMNS,
} from '../../../helpers/inventory.ts';
import { awsError, regionalS3Clients } from '../fixtures.ts';
import { fakeDestinations, fakeResults, jsonLines } from './fake-s3.ts';

/**
 * BuildWorkList reading an S3 Inventory report instead of listing the source: the manifest, its gzipped
 * CSV files streamed line by line, keys URL-decoded, versions reduced to the latest, resumed across calls
 * from a cursor naming the file, the line and its byte offset — and the reports it refuses.
 */

const SOURCE = 'build-artifacts-oregon';
const SEOUL = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };
const RESULTS = { bucket: 'relay-backfills', prefix: 'backfills' };
const BACKFILL_ID = 'backfill-inv';
const LIST_KEY = workListKey({ results: RESULTS }, BACKFILL_ID);
const INVENTORY_BUCKET = 'inventory-oregon';
const REPORT = `inventory/${SOURCE}/daily`;
const MANIFEST_KEY = `${REPORT}/2026-12-02T01-00Z/manifest.json`;
const MANIFEST_URL = `s3://${INVENTORY_BUCKET}/${MANIFEST_KEY}`;
const CONFIG = parseConfig(
  {
    sources: [
      {
        bucket: SOURCE,
        region: 'us-west-2',
        rules: [{ name: 'builds', prefix: 'build_artifacts/', suffix: '.zip', targets: [SEOUL] }],
      },
    ],
  },
  'test',
);

/** The inventory bucket in memory: the manifest (with an ETag that changes when it does) and the files. */
interface InventoryBucket {
  readonly objects: Map<string, Buffer>;
  /** Writes a report: its manifest and files (file `i` is `data/file-<i>.csv.gz`). */
  write(
    files: readonly (readonly InventoryEntry[])[],
    options?: { columns?: readonly string[]; format?: string; sourceBucket?: string },
  ): void;
  fileKey(index: number): string;
  /**
   * Replaces file `index` with `body`, the manifest naming its new size under the same ETag — so that the
   * reader's own checks, not If-Match, meet the change.
   */
  replaceFile(index: number, body: Buffer): void;
  /** The next GET of file `index` breaks (ECONNRESET) after half its bytes. */
  breakNextRead(index: number): void;
}

describe('BuildWorkList from an S3 Inventory report', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', SEOUL.region, 'us-east-1']);
  const source = mockClient(clients.get('us-west-2')!);
  const seoul = mockClient(clients.get(SEOUL.region)!);
  const results = mockClient(clients.get('us-east-1')!);
  let bucket: ReturnType<typeof fakeResults>;
  let inventory: InventoryBucket;
  let now = 0;

  function fakeInventory(): InventoryBucket {
    const objects = new Map<string, Buffer>();
    const breaking = new Set<string>();
    let manifestVersion = 0;
    const fileKey = (index: number) => `${REPORT}/data/file-${index}.csv.gz`;
    source.on(GetObjectCommand).callsFake((input) => {
      const body = input.Bucket === INVENTORY_BUCKET ? objects.get(input.Key) : undefined;
      if (body === undefined) throw awsError('NoSuchKey', 404);
      if (input.Key === MANIFEST_KEY) {
        const etag = `"manifest-${manifestVersion}"`;
        if (input.IfMatch !== undefined && input.IfMatch !== etag) throw awsError('PreconditionFailed', 412);
        return { ETag: etag, Body: { transformToString: async () => body.toString('utf8') } };
      }
      if (breaking.delete(input.Key)) {
        const half = body.subarray(0, body.byteLength >> 1);
        async function* broken() {
          yield half;
          await new Promise((resolve) => setImmediate(resolve));
          throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
        }
        return { ContentLength: body.byteLength, Body: Readable.from(broken()) };
      }
      return { ContentLength: body.byteLength, Body: Readable.from([body.subarray(0, 7), body.subarray(7)]) };
    });
    source.on(HeadObjectCommand).callsFake((input) => {
      const body = input.Bucket === INVENTORY_BUCKET ? objects.get(input.Key) : undefined;
      if (body === undefined) throw awsError('NotFound', 404);
      return { ContentLength: body.byteLength };
    });
    return {
      objects,
      fileKey,
      breakNextRead(index) {
        breaking.add(fileKey(index));
      },
      replaceFile(index, body) {
        objects.set(fileKey(index), body);
        const manifest = JSON.parse(objects.get(MANIFEST_KEY)?.toString() ?? '{}') as {
          files: { size: number }[];
        };
        const file = manifest.files[index];
        if (file !== undefined) file.size = body.byteLength;
        objects.set(MANIFEST_KEY, Buffer.from(JSON.stringify(manifest)));
      },
      write(files, options = {}) {
        const columns = options.columns ?? CURRENT_COLUMNS;
        const bodies = files.map((entries, i) => ({
          key: fileKey(i),
          body: inventoryFile(SOURCE, columns, entries),
        }));
        for (const file of bodies) objects.set(file.key, file.body);
        objects.set(
          MANIFEST_KEY,
          Buffer.from(
            inventoryManifest({
              sourceBucket: options.sourceBucket ?? SOURCE,
              destinationBucket: INVENTORY_BUCKET,
              columns,
              files: bodies,
              ...(options.format === undefined ? {} : { format: options.format }),
            }),
          ),
        );
        manifestVersion += 1;
      },
    };
  }

  /** A handler reading `pageSize` lines a page, told it has `remaining` ms left on a clock ticking per read. */
  function handler(overrides: Partial<BuildWorkListDeps> = {}, request: Record<string, unknown> = {}) {
    const run = createBuildWorkListHandler({
      s3ClientFor,
      loadConfig: async () => CONFIG,
      resultsRegion: 'us-east-1',
      partBytes: 300,
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
            inventory: MANIFEST_URL,
            results: RESULTS,
            ...request,
            ...(workList === undefined ? {} : { workList }),
          },
          backfillId: BACKFILL_ID,
        },
        { remainingTimeMs: () => remaining },
      );
  }

  async function callsUntilDone(run: ReturnType<typeof handler>, remaining = 0): Promise<WorkList[]> {
    const answers: WorkList[] = [];
    let last: WorkList | undefined;
    do {
      last = await run(last, remaining);
      answers.push(last);
      if (answers.length > 100) throw new Error('the work list was never done');
    } while (!last.done);
    return answers;
  }

  beforeEach(() => {
    for (const stub of [source, seoul, results]) stub.reset();
    now = 0;
    inventory = fakeInventory();
    fakeDestinations(seoul, new Map());
    bucket = fakeResults(results);
  });

  it('reads the keys URL-decoded — + a space, %2B a plus, UTF-8 escapes — and lists nothing', async () => {
    // Arrange
    const keys = [
      'build_artifacts/web 1.zip',
      'build_artifacts/c++ tools.zip',
      'build_artifacts/résumé/日本.zip',
      'build_artifacts/100%=done?.zip',
    ];
    inventory.write([keys.map((key, i) => ({ key, size: 100 + i, etag: `e${i}` }))]);

    // Act
    const answers = await callsUntilDone(handler({ pageSize: 1000 }));

    // Assert
    const last = answers.at(-1)!;
    expect(workListSchema.parse(last)).toEqual(last);
    expect(last).toMatchObject({
      done: true,
      items: 4,
      counts: { listed: 4, tooOld: 0, noTarget: 0, inSync: 0, queued: 4, queuedBytes: 406 },
    });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual(
      keys.map((key, i) => ({ bucket: SOURCE, key, etag: `e${i}`, deploy: false })),
    );
    // The in-sync check HEADs the decoded key at the target.
    expect(seoul.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual(keys);
    for (const command of [ListObjectsV2Command, ListObjectVersionsCommand, GetBucketVersioningCommand]) {
      expect(source.commandCalls(command)).toHaveLength(0);
    }
    // The raw CSV held the encoded forms.
    expect(inventoryLine(SOURCE, CURRENT_COLUMNS, { key: keys[1]! })).toContain(
      '"build_artifacts/c%2B%2B+tools.zip"',
    );
  });

  it('takes from a report of every version only the latest of each key, pinned by its version id', async () => {
    // Arrange
    inventory.write(
      [
        [
          { key: 'build_artifacts/a.zip', versionId: 'a-2', isLatest: true },
          { key: 'build_artifacts/a.zip', versionId: 'a-1', isLatest: false },
          { key: 'build_artifacts/b.zip', versionId: 'b-m', isLatest: true, deleteMarker: true },
          { key: 'build_artifacts/b.zip', versionId: 'b-1', isLatest: false },
          { key: 'build_artifacts/c.zip', versionId: 'c-m', isLatest: false, deleteMarker: true },
          { key: 'build_artifacts/c.zip', versionId: 'c-1', isLatest: true },
          { key: 'build_artifacts/d.zip', isLatest: true },
        ],
      ],
      { columns: VERSION_COLUMNS },
    );

    // Act
    const answers = await callsUntilDone(handler({ pageSize: 1000 }));

    // Assert
    expect(answers.at(-1)).toMatchObject({ items: 3, counts: { listed: 3, queued: 3 } });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      { bucket: SOURCE, key: 'build_artifacts/a.zip', versionId: 'a-2', deploy: false },
      { bucket: SOURCE, key: 'build_artifacts/c.zip', versionId: 'c-1', deploy: false },
      // No version id in the row (written before versioning): pinned by its ETag.
      { bucket: SOURCE, key: 'build_artifacts/d.zip', etag: 'etag-build_artifacts/d.zip', deploy: false },
    ]);
  });

  it("filters the report's keys by the request's prefix, and by since on LastModifiedDate", async () => {
    // Arrange
    inventory.write([
      [
        { key: 'build_artifacts/2025/old.zip', lastModified: '2025-06-01T00:00:00.000Z' },
        { key: 'build_artifacts/2026/old.zip', lastModified: '2026-03-01T00:00:00.000Z' },
        { key: 'build_artifacts/2026/new.zip', lastModified: '2026-05-01T00:00:00.000Z' },
        { key: 'logs/2026/x.zip', lastModified: '2026-05-01T00:00:00.000Z' },
      ],
    ]);

    // Act
    const answers = await callsUntilDone(
      handler(
        { pageSize: 1000 },
        { source: { bucket: SOURCE, prefix: 'build_artifacts/2026/' }, since: '2026-04-01T00:00:00Z' },
      ),
    );

    // Assert: only keys under the prefix count as listed, as a listing of it would have returned.
    expect(answers.at(-1)).toMatchObject({ counts: { listed: 2, tooOld: 1, noTarget: 0, queued: 1 } });
    expect(jsonLines(bucket.text(LIST_KEY))).toEqual([
      expect.objectContaining({ key: 'build_artifacts/2026/new.zip' }),
    ]);
  });

  it('reads across files and calls, the cursor naming the file, the line and its byte offset', async () => {
    // Arrange: 3 files of 5, 0 and 4 lines; 2 lines a page, one page a call.
    const files = [
      Array.from({ length: 5 }, (_, i) => ({ key: `build_artifacts/a-${i}.zip` })),
      [],
      Array.from({ length: 4 }, (_, i) => ({ key: `build_artifacts/b-${i}.zip` })),
    ];
    inventory.write(files);

    // Act
    const answers = await callsUntilDone(handler());

    // Assert
    expect(
      answers.map((a) => a.cursor?.inventory && [a.cursor.inventory.file, a.cursor.inventory.line]),
    ).toEqual([[0, 2], [0, 4], [1, 0], [2, 0], [2, 2], undefined]);
    const lineBytes = Buffer.byteLength(`${inventoryLine(SOURCE, CURRENT_COLUMNS, files[0]![0]!)}\n`);
    expect(answers[0]!.cursor).toMatchObject({
      listing: 'inventory',
      inventory: { manifestETag: '"manifest-1"', file: 0, line: 2, byte: 2 * lineBytes },
    });
    expect(jsonLines(bucket.text(LIST_KEY)).map((line) => (line as { key: string }).key)).toEqual(
      [...files[0]!, ...files[2]!].map((entry) => entry.key),
    );
    expect(answers.at(-1)).toMatchObject({ items: 9, counts: { listed: 9, queued: 9 } });
    // Every file was checked once, by the first call.
    expect(source.commandCalls(HeadObjectCommand)).toHaveLength(3);
  });

  it('survives a call retried mid-file after it failed past a part: no line lost or read twice', async () => {
    // Arrange: 10 objects, 2 lines a page; the call reading lines 2-5 fails at its second page's HEADs,
    // after it made a part of its first page.
    inventory.write([Array.from({ length: 10 }, (_, i) => ({ key: `build_artifacts/w-${i}.zip` }))]);
    let failures = 0;
    fakeDestinations(seoul, new Map());
    seoul.on(HeadObjectCommand).callsFake((input) => {
      if (input.Key === 'build_artifacts/w-4.zip' && failures++ === 0) throw awsError('SlowDown', 503);
      throw awsError('NotFound', 404);
    });
    const run = handler({ partBytes: 150 });
    const first = await run(undefined);

    // Act
    await expect(run(first, 1.5)).rejects.toThrow(TransientAwsError);
    let last: WorkList = first;
    do last = await run(last, 1.5);
    while (!last.done);

    // Assert
    expect(jsonLines(bucket.text(LIST_KEY)).map((line) => (line as { key: string }).key)).toEqual(
      Array.from({ length: 10 }, (_, i) => `build_artifacts/w-${i}.zip`),
    );
    expect(last).toMatchObject({ items: 10, counts: { listed: 10, queued: 10 } });
  });

  it('opens a file again from the cursor when its stream breaks mid-page, keeping nothing of that page', async () => {
    // Arrange: 400 objects, 50 lines a page, every page in one call; the stream breaks halfway.
    const keys = Array.from({ length: 400 }, (_, i) => `build_artifacts/s-${String(i).padStart(3, '0')}.zip`);
    inventory.write([keys.map((key) => ({ key }))]);
    inventory.breakNextRead(0);

    // Act
    const answers = await callsUntilDone(handler({ pageSize: 50, partBytes: 5000 }), 1_000);

    // Assert
    expect(answers).toHaveLength(1);
    expect(jsonLines(bucket.text(LIST_KEY)).map((line) => (line as { key: string }).key)).toEqual(keys);
    expect(answers[0]).toMatchObject({ items: 400, counts: { listed: 400, queued: 400 } });
    const fileReads = source
      .commandCalls(GetObjectCommand)
      .filter((c) => c.args[0].input.Key === inventory.fileKey(0));
    expect(fileReads).toHaveLength(2);
  });

  it('reads the same lines again when a call is retried with the same cursor', async () => {
    // Arrange
    inventory.write([Array.from({ length: 6 }, (_, i) => ({ key: `build_artifacts/r-${i}.zip` }))]);
    const run = handler();
    const first = await run(undefined);

    // Act: the second call runs twice from the same cursor (its first answer lost).
    const lost = await run(first);
    const again = await run(first);

    // Assert
    expect(again.cursor?.inventory).toEqual(lost.cursor?.inventory);
    expect(again.counts).toEqual(lost.counts);
    let last = again;
    while (!last.done) last = await run(last);
    expect(jsonLines(bucket.text(LIST_KEY))).toHaveLength(6);
  });

  describe('refuses, naming what to fix,', () => {
    it.each(['ORC', 'Parquet'])('a report in %s format', async (format) => {
      // Arrange
      inventory.write([[{ key: 'build_artifacts/a.zip' }]], { format });

      // Act
      const failure = handler()(undefined);

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(
        new RegExp(`in ${format} format, which the backfill does not read: configure the inventory as CSV`),
      );
      expect(results.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    });

    it('a report of another bucket', async () => {
      // Arrange
      inventory.write([[{ key: 'build_artifacts/a.zip' }]], { sourceBucket: 'someone-else' });

      // Act / Assert
      await expect(handler()(undefined)).rejects.toThrow(
        /lists the bucket someone-else, not the backfill's source build-artifacts-oregon/,
      );
    });

    it('a manifest that is not there', async () => {
      // Arrange / Act
      const failure = handler()(undefined);

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(
        /There is no inventory manifest at s3:\/\/inventory-oregon\/inventory\/build-artifacts-oregon\/daily\/2026-12-02T01-00Z\/manifest\.json/,
      );
    });

    it('a report whose file is gone, before anything is written', async () => {
      // Arrange
      inventory.write([[{ key: 'build_artifacts/a.zip' }], [{ key: 'build_artifacts/b.zip' }]]);
      inventory.objects.delete(inventory.fileKey(1));

      // Act
      const failure = handler()(undefined);

      // Assert
      await expect(failure).rejects.toThrow(InvalidInput);
      await expect(failure).rejects.toThrow(/file-1\.csv\.gz, named by the manifest, is missing/);
      expect(results.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    });

    it('a report without the Size and ETag fields', async () => {
      // Arrange
      inventory.write([[{ key: 'build_artifacts/a.zip' }]], {
        columns: ['Bucket', 'Key', 'LastModifiedDate'],
      });

      // Act / Assert
      await expect(handler()(undefined)).rejects.toThrow(
        /has no Size, ETag field .* add Size, ETag to the inventory's additional fields/,
      );
    });

    it('since with a report that has no LastModifiedDate', async () => {
      // Arrange
      inventory.write([[{ key: 'build_artifacts/a.zip' }]], { columns: ['Bucket', 'Key', 'Size', 'ETag'] });

      // Act / Assert
      await expect(handler({}, { since: '2026-01-01T00:00:00Z' })(undefined)).rejects.toThrow(
        /has no LastModifiedDate field.*or leave out since/,
      );
    });

    it('a manifest replaced since the first call', async () => {
      // Arrange
      inventory.write([Array.from({ length: 4 }, (_, i) => ({ key: `build_artifacts/m-${i}.zip` }))]);
      const first = await handler()(undefined);
      inventory.write([[{ key: 'build_artifacts/other.zip' }]]);

      // Act / Assert
      await expect(handler()(first)).rejects.toThrow(
        /manifest .* changed since this backfill began reading it/,
      );
    });

    it('a file whose lines moved since the cursor was made', async () => {
      // Arrange: the first call read 2 lines; then the file is rewritten with other lengths.
      inventory.write([Array.from({ length: 4 }, (_, i) => ({ key: `build_artifacts/f-${i}.zip` }))]);
      const first = await handler()(undefined);
      const longer = inventoryFile(
        SOURCE,
        CURRENT_COLUMNS,
        Array.from({ length: 4 }, (_, i) => ({ key: `build_artifacts/a-much-longer-name-${i}.zip` })),
      );
      inventory.replaceFile(0, longer);

      // Act / Assert
      await expect(handler()(first)).rejects.toThrow(
        /file-0\.csv\.gz .* changed since this backfill began reading it \(its first \d+ bytes hold 1 lines and end inside a line, not 2\)/,
      );
    });

    it('a line that does not parse, naming the file and the line', async () => {
      // Arrange
      inventory.write([[{ key: 'build_artifacts/a.zip' }]]);
      const bad = gzipSync(
        `${inventoryLine(SOURCE, CURRENT_COLUMNS, { key: 'build_artifacts/a.zip' })}\n"${SOURCE}","x%ZZ","1","2026-01-01T00:00:00.000Z","e","STANDARD"\n`,
      );
      inventory.replaceFile(0, bad);

      // Act / Assert
      await expect(handler({ pageSize: 1000 })(undefined)).rejects.toThrow(
        /Line 2 of the inventory file s3:\/\/inventory-oregon\/.*file-0\.csv\.gz cannot be read: its Key "x%ZZ" is not URL-encoded/,
      );
    });

    it('a file that is not gzip', async () => {
      // Arrange
      inventory.write([[{ key: 'build_artifacts/a.zip' }]]);
      const plain = Buffer.from(inventoryLine(SOURCE, CURRENT_COLUMNS, { key: 'build_artifacts/a.zip' }));
      inventory.replaceFile(0, plain);

      // Act / Assert
      await expect(handler()(undefined)).rejects.toThrow(/is not a readable gzip file \(Z_DATA_ERROR\)/);
    });

    it('a read of the inventory that is denied, naming the grant', async () => {
      // Arrange
      source.on(GetObjectCommand).rejects(awsError('AccessDenied', 403));

      // Act
      const failure = handler()(undefined);

      // Assert
      await expect(failure).rejects.toThrow(AccessDenied);
      await expect(failure).rejects.toThrow(/needs s3:GetObject on the inventory's objects/);
    });
  });
});
