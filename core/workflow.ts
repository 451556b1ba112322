import * as z from 'zod/mini';
import {
  type DefaultsConfig,
  MAX_COPY_TIME_BUDGET_SECONDS,
  MIN_MULTIPART_THRESHOLD_BYTES,
  targetSchema,
  VERIFY_MODES,
} from './config/schema.ts';
import { MAX_COPY_OBJECT_BYTES, MAX_PART_BYTES, MIN_PART_BYTES } from './s3-limits.ts';
import './schema-locale.ts';
import { REJECTION_REASONS, type RejectedEntry } from './target-tag.ts';

/**
 * The contract between the relay state machine (state-machine/) and its task Lambdas
 * (functions/): what each task receives and returns. Handlers parse their input with these
 * schemas; the state machine's paths read exactly these fields.
 *
 * Objects are parsed with `z.object`, which drops keys it does not know: a task's input is the
 * whole per-target state, which may carry keys only the state machine uses (such as `result` in
 * the second pass).
 *
 * Written with `zod/mini` (functions instead of methods), so a Lambda bundle carries only the zod it
 * uses — the classic API does not tree-shake (docs/performance.md, case 3). `.parse`/`.safeParse` are
 * the same.
 *
 * ETags are stored unquoted (see core/etag.ts).
 */

const nonEmpty = z.string().check(z.minLength(1));
const byteCount = z.number().check(z.int(), z.gte(0));

// ── The source object ─────────────────────────────────────────────────────────────────────────

/** Full-object and composite checksum algorithms S3 reports (with `ChecksumMode=ENABLED`). */
/**
 * A target as the workflow carries it: the configured target plus the matched rule's prefix, which
 * `keyPrefix` replaces in the destination key (`build_artifacts/web.zip` → `releases/web.zip`).
 */
export const workflowTargetSchema = z.strictObject({
  ...targetSchema.shape,
  sourcePrefix: z.optional(z.string()),
  destinationKey: z.optional(nonEmpty),
});

export const CHECKSUM_ALGORITHMS = ['CRC64NVME', 'CRC32C', 'CRC32', 'SHA256', 'SHA1'] as const;

/** S3 checksum types: over the whole object, or a checksum of the part checksums. */
export const CHECKSUM_TYPES = ['FULL_OBJECT', 'COMPOSITE'] as const;

/** A checksum as S3 reports it (base64 `value`; a composite one ends in `-N`). */
export const checksumSchema = z.object({
  algorithm: z.enum(CHECKSUM_ALGORITHMS),
  value: nonEmpty,
  type: z.enum(CHECKSUM_TYPES),
});

/** How an object is encrypted at rest (S3's `AES256` is reported as `SSE-S3`). */
export const OBJECT_ENCRYPTION_TYPES = ['SSE-S3', 'aws:kms', 'aws:kms:dsse', 'SSE-C'] as const;

/** An object's server-side encryption. */
export const objectEncryptionSchema = z.object({
  type: z.enum(OBJECT_ENCRYPTION_TYPES),
  /** The KMS key (ARN as S3 reports it) for `aws:kms` and `aws:kms:dsse`. */
  kmsKeyId: z.optional(nonEmpty),
});

/**
 * The source's user metadata and content headers. S3 limits user-defined metadata to 2 KB (S3 User
 * Guide "Working with object metadata"), so this stays a few KB at most in the 256 KiB state.
 */
export const sourceContentSchema = z.object({
  metadata: z.record(z.string(), z.string()),
  contentType: z.optional(z.string()),
  cacheControl: z.optional(z.string()),
  contentDisposition: z.optional(z.string()),
  contentEncoding: z.optional(z.string()),
  contentLanguage: z.optional(z.string()),
});

/** The source object, pinned to the version (or ETag) the event named. */
export const sourceObjectSchema = z.object({
  bucket: nonEmpty,
  key: nonEmpty,
  region: nonEmpty,
  /**
   * The account that owns the source bucket, when the configuration names one: every request that
   * reads the source carries it (`ExpectedBucketOwner`, `ExpectedSourceBucketOwner` on copies).
   */
  account: z.optional(z.string().check(z.regex(/^\d{12}$/, { message: 'an account id is 12 digits' }))),
  /** Present when the bucket is versioned; the copy reads exactly this version. */
  versionId: z.optional(nonEmpty),
  /** Unquoted; the copy uses it as `CopySourceIfMatch` when there is no version. */
  etag: nonEmpty,
  size: byteCount,
  /** The event's sequencer: replicas from a newer one are never overwritten. */
  sequencer: z.optional(nonEmpty),
  /**
   * The version's `LastModified` (ISO 8601): orders builds that carry no sequencer (replays) and
   * builds of different keys (core/build-order.ts).
   */
  lastModified: z.optional(z.iso.datetime({ offset: true })),
  checksum: z.optional(checksumSchema),
  encryption: z.optional(objectEncryptionSchema),
  /** The number of parts of a multipart source (from `…-N` / `PartsCount`). */
  partCount: z.optional(z.number().check(z.int(), z.gte(1))),
  /**
   * What a copy restates (MetadataDirective REPLACE), as ResolveTargets' HEAD read it. Present in
   * every execution started since ResolveTargets records it — then Copy and Verify use the facts
   * above instead of reading the source again; absent in older executions (redriven within
   * 14 days), which read the source as before.
   */
  content: z.optional(sourceContentSchema),
});

// ── Settings ──────────────────────────────────────────────────────────────────────────────────

/** The copy time budget when the configuration sets none: well inside the Lambda's 900 s. */
export const DEFAULT_COPY_TIME_BUDGET_SECONDS = 600;

/** The settings every task of an execution shares (from the configuration's `defaults`). */
export const relaySettingsSchema = z.object({
  verify: z.enum(VERIFY_MODES),
  multipartThresholdBytes: z
    .number()
    .check(z.int(), z.gte(MIN_MULTIPART_THRESHOLD_BYTES), z.lte(MAX_COPY_OBJECT_BYTES)),
  partSizeBytes: z.number().check(z.int(), z.gte(MIN_PART_BYTES), z.lte(MAX_PART_BYTES)),
  copyTimeBudgetSeconds: z.number().check(z.positive(), z.lte(MAX_COPY_TIME_BUDGET_SECONDS)),
});

/** The workflow settings of a configuration's `defaults`. */
export function settingsFromDefaults(defaults: DefaultsConfig): RelaySettings {
  return {
    verify: defaults.verify,
    multipartThresholdBytes: defaults.multipartThresholdBytes,
    partSizeBytes: defaults.partSizeBytes,
    copyTimeBudgetSeconds: defaults.copyTimeBudgetSeconds ?? DEFAULT_COPY_TIME_BUDGET_SECONDS,
  };
}

/** A target's position in ResolveTargets' `targets`. */
export const targetIndexSchema = z.number().check(z.int(), z.gte(0));

// ── ResolveTargets ────────────────────────────────────────────────────────────────────────────

/**
 * Why an object goes nowhere: no rule matches, the rule lists no targets, it is a replica (loop
 * guard), the version the event named is gone (`source-gone`), or the object was overwritten since
 * the event (`superseded`: the newer object's own event relays it).
 */
export const NO_TARGETS_REASONS = ['no-rule', 'no-targets', 'replica', 'source-gone', 'superseded'] as const;

/**
 * How many refused `TargetBucket` tag entries an output lists; the rest are only counted, so a
 * long tag cannot push the execution's data towards Step Functions' 256 KiB payload limit.
 */
export const MAX_REFUSED_TAG_ENTRIES = 10;

/** A `TargetBucket` tag entry the allowlist refused, or that is not `bucket[@region]`. */
export const refusedTagEntrySchema = z.object({
  entry: z.string(),
  reason: z.enum(REJECTION_REASONS),
  /** A sentence for people: what the entry named and which allowlist refused it. */
  message: z.string(),
});

/** The refused tag entries of an execution: the first few, and how many more there were. */
export const refusedTagEntriesSchema = z.object({
  entries: z.array(refusedTagEntrySchema).check(z.maxLength(MAX_REFUSED_TAG_ENTRIES)),
  more: z.number().check(z.int(), z.gte(0)),
});

/** The refused tag entries among `rejected`, capped; `undefined` when the tag refused none. */
export function refusedTagEntries(rejected: readonly RejectedEntry[]): RefusedTagEntries | undefined {
  const fromTag = rejected.filter((entry) => entry.from === 'tag');
  if (fromTag.length === 0) return undefined;
  return {
    entries: fromTag
      .slice(0, MAX_REFUSED_TAG_ENTRIES)
      .map(({ entry, reason, message }) => ({ entry, reason, message })),
    more: Math.max(0, fromTag.length - MAX_REFUSED_TAG_ENTRIES),
  };
}

/** ResolveTargets' result: the source and its targets, or no targets and the reason. */
export const resolveTargetsOutputSchema = z
  .object({
    /** Absent only when there are no targets (a source that is gone cannot be described). */
    source: z.optional(sourceObjectSchema),
    targets: z.array(workflowTargetSchema),
    settings: relaySettingsSchema,
    reason: z.optional(z.enum(NO_TARGETS_REASONS)),
    /** A sentence for people, such as which bucket and key matched no rule. */
    detail: z.optional(z.string()),
    /** `TargetBucket` tag entries that were not honoured (absent when none were refused). */
    refusedTagEntries: z.optional(refusedTagEntriesSchema),
    /**
     * The deploying targets of each deployment wave after the first (core/waves.ts), with their index in
     * `targets` — present when the configuration has later waves, one list per wave (possibly empty).
     */
    deployWaves: z.optional(
      z.array(z.array(z.object({ target: workflowTargetSchema, index: targetIndexSchema }))),
    ),
  })
  .check(
    z.superRefine((value, ctx) => {
      if (value.targets.length > 0 && value.source === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['source'],
          message: 'source is required when there are targets',
        });
      }
      if (value.targets.length === 0 && value.reason === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['reason'],
          message: 'reason is required when there are no targets',
        });
      }
      if (value.targets.length > 0 && value.reason !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['reason'],
          message: 'reason is only given when there are no targets',
        });
      }
    }),
  );

// ── Copy ──────────────────────────────────────────────────────────────────────────────────────

/** Where a replica goes. */
export const objectLocationSchema = z.object({ bucket: nonEmpty, key: nonEmpty });

/** A replica that exists. */
export const replicaSchema = z.extend(objectLocationSchema, {
  versionId: z.optional(nonEmpty),
  /** Unquoted. */
  etag: nonEmpty,
});

/** A multipart copy still in progress: the state machine calls Copy again with this result. */
export const copyInProgressSchema = z.object({
  status: z.literal('copying'),
  /** Bytes copied so far. */
  bytes: byteCount,
  uploadId: nonEmpty,
  /** The first part number not copied yet. */
  nextPart: z.number().check(z.int(), z.gte(1)),
  destination: objectLocationSchema,
});

/**
 * What S3 reported about the replica: the CopyObject / CompleteMultipartUpload answer that wrote it,
 * or the HEAD that found it in sync. Verify's evidence without reading the replica again.
 */
export const replicaFactsSchema = z.object({
  /**
   * The size S3 reported (a HEAD, or the parts a multipart copy listed); absent after CopyObject,
   * whose answer has none — that copy wrote the whole pinned source version.
   */
  size: z.optional(byteCount),
  checksum: z.optional(checksumSchema),
  encryption: z.optional(objectEncryptionSchema),
  partCount: z.optional(z.number().check(z.int(), z.gte(1))),
});

/** The replica holds the source's bytes: copied now, or already there (`in-sync`, no copy made). */
export const copyDoneSchema = z.object({
  status: z.literal(['copied', 'in-sync']),
  bytes: byteCount,
  destination: replicaSchema,
  /** What S3 reported about the replica (absent in results of Copy before it carried them). */
  replicaFacts: z.optional(replicaFactsSchema),
});

/** A replica made from a newer source version exists and was left alone. */
export const copySupersededSchema = z.object({
  status: z.literal('superseded'),
  bytes: byteCount,
  /** The newer replica when there is one; just the location when the source changed before any copy. */
  destination: z.extend(objectLocationSchema, {
    versionId: z.optional(nonEmpty),
    etag: z.optional(nonEmpty),
  }),
});

/** The pinned source version no longer exists; nothing was copied. */
export const copySourceGoneSchema = z.object({
  status: z.literal('source-gone'),
  bytes: byteCount,
  destination: objectLocationSchema,
});

/** The Copy task's result. */
export const copyResultSchema = z.discriminatedUnion('status', [
  copyInProgressSchema,
  copyDoneSchema,
  copySupersededSchema,
  copySourceGoneSchema,
]);

/** Every status the Copy task can return. */
export const COPY_STATUSES = ['copying', 'copied', 'in-sync', 'superseded', 'source-gone'] as const;

// ── Verify ────────────────────────────────────────────────────────────────────────────────────

/** The evidence a replica was proven identical by (size always matches too). */
export const VERIFIED_BY = [
  ...CHECKSUM_ALGORITHMS.map((algorithm) => `checksum:${algorithm}` as const),
  'etag',
  'stream:sha256',
] as const;

/** The Verify task's result (a mismatch is the error `VerificationFailed`, not a result). */
export const verifyResultSchema = z.object({
  verifiedBy: z.enum(VERIFIED_BY),
  bytes: byteCount,
});

// ── Deployment ────────────────────────────────────────────────────────────────────────────────

/** CodeDeploy's deployment statuses. */
export const DEPLOYMENT_STATUSES = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
  'Succeeded',
  'Failed',
  'Stopped',
] as const;

/** A deployment the relay started or reuses, as StartDeployment and CheckDeployment report it. */
export const deploymentRunSchema = z.object({
  id: nonEmpty,
  status: z.enum(DEPLOYMENT_STATUSES),
  /** True once the deployment succeeded (`Failed`/`Stopped` is the error `DeploymentFailed`, not a result). */
  done: z.boolean(),
});

/**
 * Why StartDeployment deployed nothing (newest wins for deployments, DESIGN §2):
 * - `newer-build-deployed`: the deployment group already has a relay deployment of a newer build
 *   (succeeded, in progress, or being started by another execution);
 * - `replica-replaced`: the destination key no longer holds this replica but one of a newer build.
 */
export const DEPLOYMENT_SKIP_REASONS = ['newer-build-deployed', 'replica-replaced'] as const;

/** StartDeployment left the group alone: a newer build is deployed there, or replaced this replica. */
export const deploymentSkippedSchema = z.object({
  status: z.literal('Skipped'),
  done: z.literal(true),
  reason: z.enum(DEPLOYMENT_SKIP_REASONS),
  /** A sentence for people: which newer build, and how it was found newer. */
  detail: z.string(),
  /** The newer build's deployment, when there is one. */
  newerDeploymentId: z.optional(nonEmpty),
});

/** StartDeployment's and CheckDeployment's result. */
export const deploymentStateSchema = z.union([deploymentRunSchema, deploymentSkippedSchema]);

/**
 * The execution a task runs in, from the context object (`$$.Execution.Id`, `.RedriveCount`):
 * StartDeployment tells its own claim from another execution's, and an operator's redrive
 * (`redriveCount` > 0) from automatic work.
 */
export const executionContextSchema = z.object({
  id: nonEmpty,
  redriveCount: z.number().check(z.int(), z.gte(0)),
});

// ── Task input ────────────────────────────────────────────────────────────────────────────────

/** The error output a `Catch` stores (`Cause` is optional in the States Language). */
export const stateErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

/**
 * The input of Copy, Verify, StartDeployment and CheckDeployment: the per-target state.
 *
 * Copy continues the upload of `copy` when its status is `copying`, and starts afresh otherwise;
 * with `recopy` (set after a verification mismatch) it also skips its `in-sync` shortcut.
 */
export const taskInputSchema = z.object({
  source: sourceObjectSchema,
  settings: relaySettingsSchema,
  target: workflowTargetSchema,
  /** The previous Copy result (on a `copying` loop or a re-copy). */
  copy: z.optional(copyResultSchema),
  /** True on the one re-copy after a verification mismatch. */
  recopy: z.optional(z.literal(true)),
  verify: z.optional(verifyResultSchema),
  deployment: z.optional(deploymentStateSchema),
  /** The verification mismatch that caused the re-copy. */
  mismatch: z.optional(stateErrorSchema),
  /** The execution (StartDeployment's input only). */
  execution: z.optional(executionContextSchema),
  /**
   * The target's position in ResolveTargets' `targets` (`$$.Map.Item.Index` of the first pass): every
   * result carries it, so the second pass's results replace the right first-pass ones. Absent in
   * executions started on a definition before it was carried.
   */
  index: z.optional(targetIndexSchema),
});

// ── Results ───────────────────────────────────────────────────────────────────────────────────

/** A deployment as reported in a target's result. */
export const deploymentSummarySchema = z.pick(deploymentRunSchema, { id: true, status: true });

/** A deployment left out, as reported in a superseded target's result. */
export const deploymentSkipSummarySchema = deploymentSkippedSchema;

/** A target whose replica holds the source's bytes, proven, and deployed when asked. */
export const targetDoneSchema = z.object({
  target: workflowTargetSchema,
  index: z.optional(targetIndexSchema),
  status: z.literal(['copied', 'in-sync']),
  bytes: byteCount,
  verifiedBy: z.enum(VERIFIED_BY),
  destination: replicaSchema,
  deployment: z.optional(deploymentSummarySchema),
});

/**
 * A target left alone: a newer replica is there, or the source vanished — or the replica was copied
 * and verified but not deployed because a newer build is deployed in the group (`verifiedBy` and a
 * skipped `deployment` say so).
 */
export const targetSkippedSchema = z.object({
  target: workflowTargetSchema,
  index: z.optional(targetIndexSchema),
  status: z.literal(['superseded', 'source-gone']),
  bytes: byteCount,
  destination: z.extend(objectLocationSchema, {
    versionId: z.optional(nonEmpty),
    etag: z.optional(nonEmpty),
  }),
  verifiedBy: z.optional(z.enum(VERIFIED_BY)),
  deployment: z.optional(deploymentSkipSummarySchema),
});

/** A target that failed (first pass): the error name and its cause. */
export const targetFailedSchema = z.object({
  target: workflowTargetSchema,
  index: z.optional(targetIndexSchema),
  status: z.literal('failed'),
  error: z.string(),
  cause: z.optional(z.string()),
});

/**
 * The Verify task's result (state-machine/chain.ts): the target's result for a target that does not
 * deploy — the proof (`verifiedBy`, `bytes`) with the target, its index, the copy's status and the
 * replica — so the chain needs no Pass to assemble it. A deploying target keeps it under `verify`.
 */
export const verifiedTargetSchema = z.omit(targetDoneSchema, { deployment: true });

/** One target's result. */
export const targetResultSchema = z.discriminatedUnion('status', [
  targetDoneSchema,
  targetSkippedSchema,
  targetFailedSchema,
]);

/** Every status a target's result can have. */
export const TARGET_STATUSES = ['copied', 'in-sync', 'superseded', 'source-gone', 'failed'] as const;

/** The output of an execution that relayed, as readers use it: the source and one result per target. */
const relayResultsSchema = z.object({
  source: sourceObjectSchema,
  results: z.array(targetResultSchema),
  /** ResolveTargets' refused `TargetBucket` tag entries, when it refused some. */
  refusedTagEntries: z.optional(refusedTagEntriesSchema),
});

/**
 * The output the current definition ends with (state-machine/build.ts): ResolveTargets' own output,
 * the first pass (`results`, one per target, and the `failed` ones) and the second pass's results
 * for those (`retried`, each with the target's `index`).
 */
export const passesOutputSchema = z.object({
  source: sourceObjectSchema,
  refusedTagEntries: z.optional(refusedTagEntriesSchema),
  firstPass: z.object({ results: z.array(targetResultSchema), failed: z.array(targetResultSchema) }),
  retried: z.array(targetResultSchema),
  /** The later deployment waves' results (docs/waves.md), by Map: `wave2`, `wave3`, … */
  deployed: z.optional(z.record(z.string(), z.array(z.lazy(() => waveResultSchema)))),
});

/**
 * A later deployment wave's result for one target (state-machine/chain.ts `buildWaveChain`): its
 * deployment, or — a newer build deployed or replacing the replica — the skip, which makes the target
 * `superseded`.
 */
export const waveResultSchema = z.union([
  z.object({ target: workflowTargetSchema, index: targetIndexSchema, deployment: deploymentSummarySchema }),
  z.object({
    target: workflowTargetSchema,
    index: targetIndexSchema,
    status: z.literal('superseded'),
    deployment: deploymentSkipSummarySchema,
  }),
]);

/** A target's result with its later wave's deployment folded in. */
function withWaveDeployment(result: TargetResult, wave: z.infer<typeof waveResultSchema>): TargetResult {
  if (result.status !== 'copied' && result.status !== 'in-sync') return result;
  if ('status' in wave) {
    return {
      target: result.target,
      ...(result.index === undefined ? {} : { index: result.index }),
      status: 'superseded',
      bytes: result.bytes,
      destination: result.destination,
      verifiedBy: result.verifiedBy,
      deployment: wave.deployment,
    };
  }
  return { ...result, deployment: wave.deployment };
}

/**
 * One result per target from the current output: the second pass's result where a target ran again,
 * else the first pass's — with its later deployment wave's deployment, when it has one.
 */
function mergePasses(output: z.infer<typeof passesOutputSchema>): RelayOutput {
  const retried = new Map(output.retried.map((result) => [result.index, result]));
  const waves = new Map(
    Object.values(output.deployed ?? {}).flatMap((items) => items.map((w) => [w.index, w])),
  );
  return {
    source: output.source,
    results: output.firstPass.results.map((first, index) => {
      const result = first.status === 'failed' ? (retried.get(first.index ?? index) ?? first) : first;
      const wave = waves.get(first.index ?? index);
      return wave === undefined ? result : withWaveDeployment(result, wave);
    }),
    ...(output.refusedTagEntries === undefined ? {} : { refusedTagEntries: output.refusedTagEntries }),
  };
}

/**
 * The output of an execution that relayed, read into one result per target whichever definition
 * the execution ran on: the current one (first and second pass side by side, merged here) or the
 * former one whose final Summarize state wrote `{ source, results }` (executions stay redrivable
 * on the definition they started with for 14 days). Every reader — the CLI, the console, the
 * pipeline action — goes through this.
 */
export const relayOutputSchema = z.union([
  z.pipe(passesOutputSchema, z.transform(mergePasses)),
  relayResultsSchema,
]);

/** How a result's deployment reads for people: `d-123 Succeeded`, or `skipped (newer build deployed)`. */
export function describeDeployment(
  deployment: z.infer<typeof deploymentSummarySchema> | z.infer<typeof deploymentSkipSummarySchema>,
): string {
  if (deployment.status !== 'Skipped') return `${deployment.id} ${deployment.status}`;
  return deployment.reason === 'newer-build-deployed'
    ? 'skipped (newer build deployed)'
    : 'skipped (replica replaced by a newer build)';
}

// ── Types ─────────────────────────────────────────────────────────────────────────────────────

/** A target as the workflow carries it. */
export type WorkflowTarget = z.infer<typeof workflowTargetSchema>;
/** A checksum as S3 reports it. */
export type Checksum = z.infer<typeof checksumSchema>;
/** An object's server-side encryption. */
export type ObjectEncryption = z.infer<typeof objectEncryptionSchema>;
/** The pinned source object. */
export type SourceObject = z.infer<typeof sourceObjectSchema>;
/** The source's user metadata and content headers. */
export type SourceContent = z.infer<typeof sourceContentSchema>;
/** What S3 reported about a replica when the copy wrote it or found it. */
export type ReplicaFacts = z.infer<typeof replicaFactsSchema>;
/** The settings every task of an execution shares. */
export type RelaySettings = z.infer<typeof relaySettingsSchema>;
/** Why an object goes nowhere. */
export type NoTargetsReason = (typeof NO_TARGETS_REASONS)[number];
/** A refused `TargetBucket` tag entry. */
export type RefusedTagEntry = z.infer<typeof refusedTagEntrySchema>;
/** The refused tag entries of an execution, capped. */
export type RefusedTagEntries = z.infer<typeof refusedTagEntriesSchema>;
/** ResolveTargets' result. */
export type ResolveTargetsOutput = z.infer<typeof resolveTargetsOutputSchema>;
/** A destination bucket and key. */
export type ObjectLocation = z.infer<typeof objectLocationSchema>;
/** A replica that exists. */
export type Replica = z.infer<typeof replicaSchema>;
/** The Copy task's result. */
export type CopyResult = z.infer<typeof copyResultSchema>;
/** A Copy status. */
export type CopyStatus = (typeof COPY_STATUSES)[number];
/** The evidence a replica was verified by. */
export type VerifiedBy = (typeof VERIFIED_BY)[number];
/** The proof Verify found (what `verifyCopy` returns). */
export type VerifyResult = z.infer<typeof verifyResultSchema>;
/** The Verify task's result: the proof with the target's result around it. */
export type VerifiedTarget = z.infer<typeof verifiedTargetSchema>;
/** A CodeDeploy deployment status. */
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
/** StartDeployment's and CheckDeployment's result. */
export type DeploymentState = z.infer<typeof deploymentStateSchema>;
/** A deployment started or reused. */
export type DeploymentRun = z.infer<typeof deploymentRunSchema>;
/** A deployment left out (newest wins). */
export type DeploymentSkipped = z.infer<typeof deploymentSkippedSchema>;
/** Why a deployment was left out. */
export type DeploymentSkipReason = (typeof DEPLOYMENT_SKIP_REASONS)[number];
/** The execution a task runs in. */
export type ExecutionContext = z.infer<typeof executionContextSchema>;
/** The error output a `Catch` stores. */
export type StateError = z.infer<typeof stateErrorSchema>;
/** The per-target task input. */
export type TaskInput = z.infer<typeof taskInputSchema>;
/** One target's result. */
export type TargetResult = z.infer<typeof targetResultSchema>;
/** A target result status. */
export type TargetStatus = (typeof TARGET_STATUSES)[number];
/** The output of an execution that relayed, one result per target (see {@link relayOutputSchema}). */
export type RelayOutput = z.infer<typeof relayResultsSchema>;
