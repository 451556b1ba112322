/**
 * The backfill scenarios of the least-privilege proof: the backfill workflow (local/backfill.ts) relays the
 * objects a source already holds, its work-list builder running as its own role with its planned policy
 * (core/permissions/backfill.ts `planBuildWorkListPermissions`), the relay executions it starts as the task
 * roles. Together they use every builder grant the local stack evaluates: the listing of a versioned
 * (ListObjectVersions) and an unversioned (ListObjectsV2) source and GetBucketVersioning, which tells them
 * apart; HEADs of replicas not there yet (404 rather than 403 only with `s3:ListBucket`: HeadObject API
 * reference, "Permissions") and of replicas in sync, at an SSE-KMS target and at a bucket the source's
 * `TargetBucket` tag names; and the work list in the results bucket — a multipart upload across
 * calls (a chunk written, read back into a part, and deleted by the next call) completed, or aborted when
 * nothing is queued; and the S3 Inventory report a source's `inventory` setting says where S3 delivers,
 * read (and decrypted with its key) instead of listing the source.
 *
 * Objects are put before the relay is deployed, so no S3 event relays them: the backfill does.
 */
import { CURRENT_COLUMNS, inventoryFile, inventoryManifest } from '../../helpers/inventory.ts';
import type { Execution, Relay, WorkflowHarness } from '../workflow/harness.ts';
import { relayProblems, shorten } from './outcomes.ts';
import type { RunNames } from './run-names.ts';
import type { RunBackfill, Scenario } from './scenario.ts';
import { COPIED, EU, expect, RULE, SOURCE_REGION, source, tagSourceBucket, zip } from './scenario-kit.ts';

/** A build the rule takes, with a short key: its work-list line is shorter than {@link LINE_PART_BYTES}. */
const SHORT_KEY = `${RULE.prefix}a${RULE.suffix}`;
/** A build the rule takes whose work-list line alone is longer than {@link LINE_PART_BYTES}. */
const LONG_KEY = `${RULE.prefix}b-${'x'.repeat(300)}${RULE.suffix}`;
/** Listed after the builds (keys are listed in order) and taken by no rule. */
const NOTES_KEY = `${RULE.prefix}z-notes.txt`;

/**
 * A work-list part of more than one line and less than two: with one key per listing page and one page per
 * call, the builder's first call keeps the short key's line as a chunk object, the second reads it back
 * into the list's one part with the long key's line, and the third — listing the notes, which it queues
 * nowhere — deletes the chunk (strictly: a failure fails the call) and completes the list. The part is the
 * upload's last, so it may be smaller than S3's 5 MiB.
 */
const LINE_PART_BYTES = 300;

/** One key per page, one page per call, parts of {@link LINE_PART_BYTES}. */
const CHUNKED_BUILDER = { pageSize: 1, budgetMs: 0, partBytes: LINE_PART_BYTES } as const;

/** What a backfill execution must have done: ended well, with its work list counted as this. */
interface ExpectedBackfill {
  readonly listed: number;
  readonly queued: number;
  readonly inSync: number;
  readonly noTarget: number;
}

interface BackfillOutput {
  readonly workList?: { readonly done?: boolean; readonly counts?: Record<string, number> };
}

/** Problems of a backfill execution: not succeeded, or its work list not counted as `expected`. */
function backfillProblems(
  label: string,
  execution: Execution | undefined,
  expected: ExpectedBackfill,
): string[] {
  if (execution === undefined) return [`${label} did not run`];
  if (execution.status !== 'SUCCEEDED') {
    return [
      `${label} ${execution.status}: ${execution.described.error ?? ''} ${shorten(execution.described.cause)}`,
    ];
  }
  const output = JSON.parse(execution.described.output ?? '{}') as BackfillOutput;
  const counts = output.workList?.counts ?? {};
  const wrong = (Object.entries(expected) as Array<[string, number]>).filter(
    ([name, value]) => counts[name] !== value,
  );
  return wrong.length === 0
    ? []
    : [`${label}'s work list counted ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`];
}

/**
 * Whether the work list went through a chunk — written, read back into a part, deleted — as
 * {@link LINE_PART_BYTES} means it to (else the builder's s3:GetObject and s3:DeleteObject on the results
 * bucket would go unused): one chunk deleted in the results bucket.
 */
function chunkProblems(h: WorkflowHarness, results: string | undefined): string[] {
  if (results === undefined) return ['no backfill was deployed'];
  const deleted = h.s3Requests('DeleteObject', results, 204);
  return deleted === 1
    ? []
    : [
        `${deleted} work-list chunks were deleted in ${results}, expected 1: a short key's line no longer fits ${LINE_PART_BYTES} bytes with room to spare, or a long key's line fills them alone no more — adjust LINE_PART_BYTES`,
      ];
}

/** Puts the objects a backfill will find, and waits until their S3 events are delivered (to no relay). */
async function putExisting(
  h: WorkflowHarness,
  bucket: string,
  objects: ReadonlyArray<{ readonly key: string; readonly tagging?: string }>,
): Promise<void> {
  for (const object of objects) {
    await h.put(SOURCE_REGION, {
      Bucket: bucket,
      Key: object.key,
      Body: await zip(object.key),
      ...(object.tagging === undefined ? {} : { Tagging: object.tagging }),
    });
  }
  await h.stack.events.idle();
}

/** Runs one backfill of the whole source, then every relay execution it started. */
async function backfillOnce(
  backfill: RunBackfill,
  relay: Relay,
  bucket: string,
): Promise<{ readonly backfill: Execution; readonly relayed: Execution[] }> {
  const execution = await backfill.run({ source: { bucket, prefix: RULE.prefix } });
  return { backfill: execution, relayed: await relay.settle() };
}

const backfillVersioned: Scenario = {
  name: 'backfill-versioned',
  summary:
    'A backfill of a versioned source to an SSE-KMS target (its HEADs answer 404, not 403), its work list built a key per call (a chunk written, read back into a part, deleted), then a second backfill that finds both builds in sync there and aborts its empty work list.',
  prepare(names: RunNames, account: string) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    const key = `arn:aws:kms:${EU}:${account}:key/${names.keyId('target-key-id')}`;
    const backfills: Execution[] = [];
    let results: string | undefined;
    return {
      config: {
        sources: [source(src, [{ bucket: eu, region: EU, encryption: { type: 'aws:kms', kmsKeyArn: key } }])],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION);
        await h.bucket(eu, EU);
        await h.stack.createKmsKey(key);
        await putExisting(h, src, [{ key: SHORT_KEY }, { key: LONG_KEY }, { key: NOTES_KEY }]);
      },
      async act(_h, relay, seams) {
        const backfill = await seams.backfill(relay, { builder: CHUNKED_BUILDER });
        results = backfill.resultsBucket;
        const first = await backfillOnce(backfill, relay, src);
        backfills.push(first.backfill);
        // A first backfill that failed (a grant taken away) has shown what it can: no second one.
        if (first.backfill.status !== 'SUCCEEDED') return first.relayed;
        const second = await backfillOnce(backfill, relay, src);
        backfills.push(second.backfill);
        return [...first.relayed, ...second.relayed];
      },
      check: async (h, executions) => [
        ...chunkProblems(h, results),
        ...backfillProblems('the first backfill', backfills[0], {
          listed: 3,
          queued: 2,
          inSync: 0,
          noTarget: 1,
        }),
        ...backfillProblems('the second backfill', backfills[1], {
          listed: 3,
          queued: 0,
          inSync: 2,
          noTarget: 1,
        }),
        ...(executions.length === 2 ? [] : [`${executions.length} relay executions, expected 2`]),
        ...relayProblems(executions, expect([[eu, COPIED]])),
      ],
    };
  },
};

const backfillUnversionedTag: Scenario = {
  name: 'backfill-unversioned-tag',
  summary:
    "A backfill of an unversioned source whose rule has no target of its own: its TargetBucket tag names an allowlisted bucket, where the builder's HEAD answers 404 (not 403) and the relay copies the tagged object.",
  prepare(names: RunNames) {
    const src = names.bucket('source-bucket');
    const tagged = names.bucket('tagged-bucket', 'one');
    const glob = names.register(tagged.replace(/-one$/, '-*'), 'allowlisted-bucket-glob');
    const backfills: Execution[] = [];
    return {
      config: {
        sources: [source(src, [], { targetBucketTag: { enabled: true, allowedBuckets: [glob] } })],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION, { versioned: false });
        await h.bucket(tagged, EU);
        await tagSourceBucket(h, src, `${tagged}@${EU}`);
        await putExisting(h, src, [{ key: SHORT_KEY, tagging: 'team=web' }]);
      },
      async act(_h, relay, seams) {
        const first = await backfillOnce(await seams.backfill(relay), relay, src);
        backfills.push(first.backfill);
        return first.relayed;
      },
      check: async (_h, executions) => [
        ...backfillProblems('the backfill', backfills[0], { listed: 1, queued: 1, inSync: 0, noTarget: 0 }),
        ...relayProblems(executions, expect([[tagged, COPIED]])),
      ],
    };
  },
};

/** The inventory configuration's destination prefix: S3 delivers under `<prefix>/<source bucket>/<name>/`. */
const INVENTORY_PREFIX = 'inventory/';

const backfillInventory: Scenario = {
  name: 'backfill-inventory',
  summary:
    "A backfill that reads the source's S3 Inventory report instead of listing it, where the source's inventory setting says S3 delivers it: the builder GETs the SSE-KMS manifest and data file (decrypting them with the report's key) and HEADs the file, and the relay copies the build the report lists.",
  prepare(names: RunNames, account: string) {
    const src = names.bucket('source-bucket');
    const eu = names.bucket('target-bucket');
    const reports = names.bucket('inventory-bucket');
    const key = `arn:aws:kms:${SOURCE_REGION}:${account}:key/${names.keyId('inventory-key-id')}`;
    const manifestKey = `${INVENTORY_PREFIX}${src}/daily/2026-12-02T01-00Z/manifest.json`;
    const backfills: Execution[] = [];
    return {
      config: {
        sources: [
          source(src, [{ bucket: eu, region: EU }], {
            inventory: { bucket: reports, prefix: INVENTORY_PREFIX, kmsKeyArn: key },
          }),
        ],
      },
      async arrange(h) {
        await h.bucket(src, SOURCE_REGION, { versioned: false });
        await h.bucket(eu, EU);
        await h.bucket(reports, SOURCE_REGION, { versioned: false });
        await h.stack.createKmsKey(key);
        await putExisting(h, src, [{ key: SHORT_KEY }]);
        const head = await h.head(SOURCE_REGION, src, SHORT_KEY);
        const file = {
          key: `${INVENTORY_PREFIX}${src}/daily/data/0.csv.gz`,
          body: inventoryFile(src, CURRENT_COLUMNS, [
            { key: SHORT_KEY, size: head.ContentLength ?? 0, etag: (head.ETag ?? '').replace(/"/g, '') },
          ]),
        };
        const manifest = inventoryManifest({
          sourceBucket: src,
          destinationBucket: reports,
          columns: CURRENT_COLUMNS,
          files: [file],
        });
        for (const object of [file, { key: manifestKey, body: manifest }]) {
          await h.put(SOURCE_REGION, {
            Bucket: reports,
            Key: object.key,
            Body: object.body,
            ServerSideEncryption: 'aws:kms',
            SSEKMSKeyId: key,
          });
        }
        await h.stack.events.idle();
      },
      async act(_h, relay, seams) {
        const backfill = await seams.backfill(relay);
        const execution = await backfill.run({
          source: { bucket: src, prefix: RULE.prefix },
          inventory: `s3://${reports}/${manifestKey}`,
        });
        backfills.push(execution);
        return relay.settle();
      },
      check: async (_h, executions) => [
        ...backfillProblems('the backfill', backfills[0], { listed: 1, queued: 1, inSync: 0, noTarget: 0 }),
        ...relayProblems(executions, expect([[eu, COPIED]])),
      ],
    };
  },
};

/** The backfill scenarios, in the order the proof tries them. */
export const BACKFILL_SCENARIOS: readonly Scenario[] = [
  backfillVersioned,
  backfillUnversionedTag,
  backfillInventory,
];
