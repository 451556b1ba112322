import type { S3ObjectLocation } from '../backfill.ts';
import type { RelayConfig, SourceConfig } from '../config/schema.ts';
import { partitionOf } from '../regions.ts';
import {
  BUCKET_TAGGING_ACTION,
  DESTINATION_HEAD_ACTIONS,
  INVENTORY_OBJECTS_REASON,
  INVENTORY_READ_ACTIONS,
  LIST_BUCKET_ACTION,
  RESULTS_OBJECTS_REASON,
  SOURCE_LISTING_ACTIONS,
  WILDCARD_REASONS,
  WORK_LIST_ACTIONS,
} from './actions.ts';
import { s3BucketArn, s3ObjectsArn } from './arns.ts';
import {
  destinationPattern,
  objectsKmsStatement,
  type PlannedStatement,
  tagBucketGlobs,
  targetKmsStatement,
  targetUses,
} from './plan.ts';

/**
 * The least-privilege IAM of the backfill's work-list builder (functions/build-work-list, issue #15),
 * computed from the configuration and the backfill's results bucket. Pure data, like the task functions'
 * plan (plan.ts) and apart from it — the builder is no task of the relay's state machine, and its
 * statements name the results bucket the backfill deploys — so `infra/backfill.ts` renders it as the
 * builder role's CDK policy and the local stack evaluates the same JSON when the builder runs as its role
 * (`local/backfill.ts`).
 */

/** The builder's role, by its `functions/` folder name, as the relay's task roles are named. */
export const BUILD_WORK_LIST_ROLE = 'build-work-list';

/** The name of the work-list builder's planned role. */
export type BuildWorkListRole = typeof BUILD_WORK_LIST_ROLE;

/** The backfill's results bucket, as the work-list builder's plan names it (may be a CDK token ARN). */
export interface BuildWorkListPlanInput {
  /** `arn:<partition>:s3:::<results bucket>`. */
  readonly resultsBucketArn: string;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

/**
 * What the builder needs for the `TargetBucket` tag convention (a source with `targetBucketTag.enabled`):
 * read the source bucket's tag, and HEAD — with s3:ListBucket, for a 404 — the keys the tag's admitted
 * buckets (the allowlist globs, `@region` dropped) would receive: the source key itself, under a rule's
 * prefix and suffix. Tag targets are SSE-S3, so no key.
 */
function tagStatements(config: RelayConfig): PlannedStatement[] {
  const tagged = config.sources.filter((source) => source.targetBucketTag?.enabled === true);
  if (tagged.length === 0) return [];
  const objects = tagged.flatMap((source) =>
    tagBucketGlobs(source).flatMap((glob) =>
      source.rules.map((rule) => s3ObjectsArn(partitionOf(source.region), glob, rule.prefix, rule.suffix)),
    ),
  );
  const buckets = tagged.flatMap((source) =>
    tagBucketGlobs(source).map((glob) => s3BucketArn(partitionOf(source.region), glob)),
  );
  return [
    {
      actions: [BUCKET_TAGGING_ACTION],
      resources: unique(tagged.map((source) => s3BucketArn(partitionOf(source.region), source.bucket))),
    },
    {
      actions: DESTINATION_HEAD_ACTIONS,
      resources: unique(objects),
      wildcardReason: WILDCARD_REASONS.tagBuckets,
    },
    {
      actions: [LIST_BUCKET_ACTION],
      resources: unique(buckets),
      wildcardReason: WILDCARD_REASONS.tagBuckets,
    },
  ];
}

/** The objects of a source's inventory destination: `arn:<partition>:s3:::<bucket>/<prefix>*`. */
function inventoryObjects(source: SourceConfig): string | undefined {
  const inventory = source.inventory;
  if (inventory === undefined) return undefined;
  return s3ObjectsArn(partitionOf(source.region), inventory.bucket, inventory.prefix ?? '');
}

/**
 * What the builder needs to read the S3 Inventory reports of the sources that say where theirs are
 * delivered (`inventory`): s3:GetObject on the destination's prefix — the manifest, then a HEAD and a GET
 * of each data file it names; never a listing, so no s3:ListBucket — and kms:Decrypt of the reports' key
 * when they are SSE-KMS, for S3 in the source's region (where S3 Inventory delivers) and those objects only.
 */
function inventoryStatements(config: RelayConfig): PlannedStatement[] {
  const sources = config.sources.filter((source) => source.inventory !== undefined);
  if (sources.length === 0) return [];
  return [
    {
      actions: INVENTORY_READ_ACTIONS,
      resources: unique(sources.flatMap((source) => inventoryObjects(source) ?? [])),
      wildcardReason: INVENTORY_OBJECTS_REASON,
    },
    ...sources.flatMap((source) => {
      const objects = inventoryObjects(source);
      const kmsKeyArn = source.inventory?.kmsKeyArn;
      if (objects === undefined || kmsKeyArn === undefined || source.inventory === undefined) return [];
      return [
        objectsKmsStatement({ bucket: source.inventory.bucket, region: source.region, kmsKeyArn }, objects),
      ];
    }),
  ];
}

/**
 * Whether the builder's plan lets it read `object` as part of an S3 Inventory report of `source`: an object
 * of the backfill's results bucket (`resultsBucket`, its name; `undefined` when unknown), or one under the
 * source's configured `inventory` bucket and prefix — what {@link planBuildWorkListPermissions} grants.
 */
export function buildWorkListMayReadInventory(
  source: SourceConfig,
  object: S3ObjectLocation,
  resultsBucket: string | undefined,
): boolean {
  if (resultsBucket !== undefined && object.bucket === resultsBucket) return true;
  const inventory = source.inventory;
  return (
    inventory !== undefined &&
    object.bucket === inventory.bucket &&
    object.key.startsWith(inventory.prefix ?? '')
  );
}

/**
 * The IAM statements of the work-list builder: list each configured source bucket, HEAD the destination
 * keys of each configured target (the relay's own key patterns, as the copy and verify tasks are granted
 * them; with s3:ListBucket on the target buckets, so that a replica not there yet answers 404, not 403;
 * with kms:Decrypt of an SSE-KMS target's key, because the in-sync check HEADs with `ChecksumMode: ENABLED`
 * and S3 needs kms:Decrypt to return the checksum of an object encrypted with a KMS key — S3 API
 * Reference, HeadObject, `ChecksumMode`; and the `TargetBucket` tag's, when a source uses it), read the
 * S3 Inventory reports where a source's `inventory` says they are delivered, and build the work list in the
 * results bucket (where a report may be put too). The configuration reaches it like ResolveTargets (environment or
 * bundled file), which needs no IAM.
 */
export function planBuildWorkListPermissions(
  config: RelayConfig,
  input: BuildWorkListPlanInput,
): readonly PlannedStatement[] {
  const uses = targetUses(config);
  return [
    // Listing the source prefix, by the call the bucket's versioning decides.
    {
      actions: SOURCE_LISTING_ACTIONS,
      resources: unique(
        config.sources.map((source) => s3BucketArn(partitionOf(source.region), source.bucket)),
      ),
    },
    // The in-sync check: HEAD of each chosen target's destination key — none when every rule routes by
    // the TargetBucket tag alone (a statement must name a resource).
    ...(uses.length === 0
      ? []
      : [
          {
            actions: DESTINATION_HEAD_ACTIONS,
            resources: unique(uses.map(({ rule, target }) => destinationPattern(rule, target))),
            wildcardReason: WILDCARD_REASONS.objects,
          },
          // So that a HEAD of a replica not there yet answers 404 (not in sync), not 403.
          {
            actions: [LIST_BUCKET_ACTION],
            resources: unique(
              uses.map(({ target }) => s3BucketArn(partitionOf(target.region), target.bucket)),
            ),
          },
        ]),
    // The checksum of an SSE-KMS replica, which the in-sync check compares (VerifyCopy's statement on the key).
    ...uses.flatMap((use) => targetKmsStatement(use, ['kms:Decrypt']) ?? []),
    // Targets a source's TargetBucket tag adds.
    ...tagStatements(config),
    // The S3 Inventory reports of the sources that say where theirs are delivered (relay replay --inventory).
    ...inventoryStatements(config),
    // The work list: chunks, the multipart upload of the list itself, and its abort when nothing is queued.
    {
      actions: WORK_LIST_ACTIONS,
      resources: [`${input.resultsBucketArn}/*`],
      wildcardReason: RESULTS_OBJECTS_REASON,
    },
  ];
}
