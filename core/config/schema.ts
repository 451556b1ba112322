import * as z from 'zod/mini';
import {
  ACCOUNT_PATTERN,
  BUCKET_NAME_PATTERN,
  BUCKET_NAME_RULES,
  bucketNameProblem,
  isAccountId,
  isRegion,
  KMS_KEY_ARN_PATTERN,
  parseKmsKeyArn,
  REGION_PATTERN,
} from '../aws-names.ts';
import { BUCKET_GLOB_PATTERN, isBucketGlob } from '../glob.ts';
import {
  GIB,
  MAX_COPY_OBJECT_BYTES,
  MAX_KEY_BYTES,
  MAX_PART_BYTES,
  MIB,
  MIN_PART_BYTES,
  utf8Length,
} from '../s3-limits.ts';
import '../schema-locale.ts';
import { alarmsSchema } from './alarms.ts';

/**
 * The shape of `relay.config.json` (DESIGN §3). Structural rules live here and are emitted to
 * `relay.schema.json`; rules that relate several fields live in `consistency.ts`.
 *
 * A failed custom check carries `params.allowed`, which the problem formatter prints as
 * `allowed: …`.
 *
 * Written with `zod/mini` (functions and `.check(…)` instead of methods, `z.meta` for what the JSON
 * schema shows), like every schema ResolveTargets parses with, so its Lambda bundle carries only the
 * zod it uses (docs/performance.md, case 3).
 */

/** A string checked by `problem`, advertising `pattern` in the JSON schema. */
function checkedString(problem: (value: string) => string | undefined, allowed: string, pattern: string) {
  return z.string().check(
    z.superRefine((value, ctx) => {
      const message = problem(value);
      if (message !== undefined) ctx.addIssue({ code: 'custom', message, input: value, params: { allowed } });
    }),
    z.meta({ pattern }),
  );
}

/** A string of at most `maxBytes` UTF-8 bytes (S3 measures keys in bytes, not characters). */
function byteLimitedString(maxBytes: number, what: string) {
  return z.string().check(
    z.minLength(1),
    z.superRefine((value, ctx) => {
      const bytes = utf8Length(value);
      if (bytes > maxBytes) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} is ${bytes} bytes long in UTF-8`,
          input: value,
          params: { allowed: `at most ${maxBytes} bytes` },
        });
      }
    }),
  );
}

const bucketName = checkedString(bucketNameProblem, BUCKET_NAME_RULES, BUCKET_NAME_PATTERN).check(
  z.meta({ description: 'An S3 general purpose bucket name.', minLength: 3, maxLength: 63 }),
);

const region = checkedString(
  (value) => (isRegion(value) ? undefined : 'not an AWS region code'),
  'a region code such as us-west-2, ap-northeast-2 or eu-central-1',
  REGION_PATTERN,
).check(
  z.meta({
    description:
      'An AWS region code, such as `us-west-2`: a region AWS has, or one listed in `defaults.extraRegions`.',
  }),
);

const accountId = checkedString(
  (value) => (isAccountId(value) ? undefined : 'not a 12-digit AWS account id'),
  '12 digits',
  ACCOUNT_PATTERN,
).check(
  z.meta({
    description:
      'The 12-digit id of the account that owns the bucket. When set, every S3 call on the bucket carries it as ExpectedBucketOwner.',
  }),
);

/** A KMS key (or alias) ARN; `description` says whose key it is. */
function kmsKeyArnField(description: string) {
  return checkedString(
    (value) => (parseKmsKeyArn(value) === undefined ? 'not a KMS key ARN' : undefined),
    'arn:aws:kms:<region>:<account>:key/<key-id> or …:alias/<name>',
    KMS_KEY_ARN_PATTERN,
  ).check(z.meta({ description }));
}

const kmsKeyArn = kmsKeyArnField("The ARN of a symmetric KMS key (or alias) in the target's region.");

/** The S3 storage classes a relayed object may be written with. */
export const STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;

/** Storage classes whose objects must be restored before they can be read. */
export const ARCHIVE_STORAGE_CLASSES: readonly StorageClass[] = ['GLACIER', 'DEEP_ARCHIVE'];

/** Canned ACLs a target may ask for (public ACLs are deliberately not offered). */
export const TARGET_ACLS = ['bucket-owner-full-control', 'bucket-owner-read', 'private'] as const;

/** CodeDeploy revision bundle types. */
export const BUNDLE_TYPES = ['zip', 'tar', 'tgz', 'YAML', 'JSON'] as const;

/** How a replica is proven identical: `auto` picks the strongest valid evidence per target. */
export const VERIFY_MODES = ['auto', 'checksum', 'etag', 'stream'] as const;

/** The default multipart threshold: CopyObject's own 5 GiB limit. */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 5 * GIB;

/** The lowest multipart threshold accepted (lets tests force multipart copies on small objects). */
export const MIN_MULTIPART_THRESHOLD_BYTES = MIB;

/** The default part size of multipart copies. */
export const DEFAULT_PART_SIZE_BYTES = 64 * MIB;

/** The longest copy time budget: a Lambda runs at most 900 s, and the handler needs a margin. */
export const MAX_COPY_TIME_BUDGET_SECONDS = 840;

/** The default time a deploying target waits for CodeDeploy. */
export const DEFAULT_DEPLOY_WAIT_TIMEOUT_SECONDS = 3600;

const codeDeployName = (what: string) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(100),
      z.meta({ description: `The CodeDeploy ${what} name (in the target's region).` }),
    );

/** A target's encryption: SSE-S3 (the default) or SSE-KMS with a key in the target's region. */
export const encryptionSchema = z
  .discriminatedUnion('type', [
    z
      .strictObject({ type: z.literal('SSE-S3') })
      .check(z.meta({ description: 'Amazon S3 managed keys (SSE-S3).' })),
    z
      .strictObject({ type: z.literal('aws:kms'), kmsKeyArn })
      .check(z.meta({ description: "AWS KMS keys (SSE-KMS); the key must be in the target's region." })),
  ])
  .check(z.meta({ description: 'How the replica is encrypted at rest.' }));

/** The most deployment waves a configuration may use (each later wave is one Map state of the definition). */
export const MAX_DEPLOYMENT_WAVES = 10;

/** The default and the longest wait for an approval, in seconds (1 day; 30 days). */
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 3600;
export const MAX_APPROVAL_TIMEOUT_SECONDS = 30 * 24 * 3600;

/**
 * What a deployment wave requires before it runs (`waves` of the configuration, keyed by wave number from
 * 2): an approval — the execution waits until someone approves (`relay approve`) or rejects, or the wait
 * times out, which holds the wave like a failure. Wave 1 cannot require one: it deploys in the first pass as
 * soon as its copy is verified (docs/waves.md).
 */
export const waveSettingsSchema = z
  .strictObject({
    approval: z
      .optional(
        z.strictObject({
          timeoutSeconds: z
            ._default(
              z.number().check(z.int(), z.gte(60), z.lte(MAX_APPROVAL_TIMEOUT_SECONDS)),
              DEFAULT_APPROVAL_TIMEOUT_SECONDS,
            )
            .check(
              z.meta({
                description:
                  'How long the execution waits for a decision; past it the wave is held (the execution fails with States.Timeout) and a redrive asks again.',
              }),
            ),
        }),
      )
      .check(
        z.meta({
          description:
            'Require an approval before this wave deploys: `relay approve|reject <execution>` or the console decides, recording who and when.',
        }),
      ),
  })
  .check(z.meta({ description: 'What one deployment wave requires before it deploys.' }));

/** The keys of `waves`: a wave number from 2 to {@link MAX_DEPLOYMENT_WAVES}. */
const WAVE_KEY = /^(?:[2-9]|10)$/;

/** CodeDeploy settings of a target that deploys what it receives. */
export const deploySchema = z
  .strictObject({
    application: codeDeployName('application'),
    deploymentGroup: codeDeployName('deployment group'),
    bundleType: z.enum(BUNDLE_TYPES).check(z.meta({ description: 'The revision bundle type.' })),
    deploymentConfigName: z
      .optional(codeDeployName('deployment configuration'))
      .check(
        z.meta({ description: "The deployment configuration; the deployment group's own when omitted." }),
      ),
    waitTimeoutSeconds: z
      ._default(
        z.number().check(z.int(), z.gte(60), z.lte(7 * 24 * 3600)),
        DEFAULT_DEPLOY_WAIT_TIMEOUT_SECONDS,
      )
      .check(z.meta({ description: 'How long the relay waits for the deployment to finish, in seconds.' })),
    wave: z.optional(z.number().check(z.int(), z.gte(1), z.lte(MAX_DEPLOYMENT_WAVES))).check(
      z.meta({
        description:
          'The deployment wave (1 when omitted): copies and verification run for every target at once, deployments wave by wave — wave 2 deploys only after every wave-1 deployment succeeded, and a failure holds the later waves.',
      }),
    ),
  })
  .check(z.meta({ description: "Deploy the replica with CodeDeploy in the target's region." }));

/** One destination of a rule. */
export const targetSchema = z
  .strictObject({
    bucket: bucketName,
    region,
    account: z.optional(accountId),
    keyPrefix: z
      .optional(
        z.string().check(
          z.superRefine((value, ctx) => {
            const bytes = utf8Length(value);
            if (bytes > MAX_KEY_BYTES) {
              ctx.addIssue({
                code: 'custom',
                message: `keyPrefix is ${bytes} bytes long in UTF-8`,
                input: value,
                params: { allowed: `at most ${MAX_KEY_BYTES} bytes` },
              });
            }
          }),
        ),
      )
      .check(
        z.meta({
          description:
            "Replaces the rule's prefix in the destination key (prepended when the rule has no prefix); an empty string strips it. The key is unchanged when omitted.",
        }),
      ),
    encryption: z._default(encryptionSchema, { type: 'SSE-S3' }),
    storageClass: z
      .optional(z.enum(STORAGE_CLASSES))
      .check(z.meta({ description: "The replica's storage class." })),
    acl: z.optional(z.enum(TARGET_ACLS)).check(
      z.meta({
        description: 'A canned ACL for the replica; omit it for buckets that disable ACLs (the S3 default).',
      }),
    ),
    deploy: z.optional(deploySchema),
  })
  .check(z.meta({ description: 'A bucket, in a region, that receives the objects a rule matches.' }));

/** Which objects of a source go to which targets. */
export const ruleSchema = z
  .strictObject({
    name: z.string().check(
      z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
        message:
          'a rule name is 1-64 characters of letters, digits, ".", "_" and "-", starting with a letter or digit',
      }),
      z.meta({ description: 'A name for the rule, unique within its source.' }),
    ),
    prefix: z
      .optional(byteLimitedString(MAX_KEY_BYTES, 'prefix'))
      .check(z.meta({ description: 'Only keys starting with this; omit it to match every key.' })),
    suffix: z
      .optional(byteLimitedString(MAX_KEY_BYTES, 'suffix'))
      .check(
        z.meta({ description: 'Only keys ending with this (after the prefix); omit it to match every key.' }),
      ),
    targets: z.array(targetSchema),
    propagateDeletes: z._default(z.boolean(), false).check(
      z.meta({
        description:
          "When a matching source object is deleted, delete the replicas the relay made of it in this rule's targets (a delete marker in a versioned target). Only objects carrying the relay's metadata naming that source object are deleted, never a replica of a newer upload and never anything else; TargetBucket tag targets are left alone. Grants the relay s3:DeleteObject on this rule's destination keys; off by default.",
      }),
    ),
  })
  .check(
    z.meta({
      description: 'Objects whose key starts with `prefix` and ends with `suffix` go to every target.',
    }),
  );

/** The classic `TargetBucket` tag on the source bucket, honoured only for allowlisted buckets. */
export const targetBucketTagSchema = z
  .strictObject({
    enabled: z._default(z.boolean(), false),
    allowedBuckets: z
      ._default(
        z.array(
          checkedString(
            (value) => (isBucketGlob(value) ? undefined : 'not a bucket glob'),
            'a bucket name or bucket@region with * and ? wildcards, such as artifacts-*',
            BUCKET_GLOB_PATTERN,
          ),
        ),
        [],
      )
      .check(z.meta({ description: 'Globs (`*`, `?`) a tag entry must match to be honoured.' })),
    tagKey: z
      ._default(z.string().check(z.minLength(1), z.maxLength(128)), 'TargetBucket')
      .check(z.meta({ description: 'The tag key to read.' })),
  })
  .check(
    z.meta({
      description:
        'Honour a tag on the source bucket holding space-separated `bucket` or `bucket@region` entries (region defaults to the source region).',
    }),
  );

/**
 * Where S3 Inventory delivers the reports of a source (the destination of its inventory configuration):
 * the backfill's work-list builder may read reports there (`relay replay --inventory`), besides the
 * backfill's own results bucket.
 */
export const inventorySchema = z
  .strictObject({
    bucket: bucketName,
    prefix: z.optional(byteLimitedString(MAX_KEY_BYTES, 'prefix')).check(
      z.meta({
        description:
          "The inventory configuration's destination prefix: reports are delivered under <prefix>/<source bucket>/<inventory name>/. Omit it when the configuration has none.",
      }),
    ),
    kmsKeyArn: z.optional(
      kmsKeyArnField(
        "The KMS key the reports are encrypted with (the inventory's SSE-KMS encryption), in the source's region; omit it for SSE-S3.",
      ),
    ),
  })
  .check(
    z.meta({
      description:
        "Where S3 Inventory delivers this source's reports: the backfill (relay replay --inventory) may read reports there, with s3:GetObject on <bucket>/<prefix>* (and kms:Decrypt on kmsKeyArn).",
    }),
  );

/** A bucket whose new objects are relayed. */
export const sourceSchema = z
  .strictObject({
    bucket: bucketName,
    region,
    account: z.optional(accountId),
    rules: z.array(ruleSchema).check(z.minLength(1)),
    targetBucketTag: z.optional(targetBucketTagSchema),
    inventory: z.optional(inventorySchema),
  })
  .check(z.meta({ description: 'A bucket whose new objects are relayed.' }));

/** Settings that apply to every target. */
export const defaultsSchema = z
  .strictObject({
    maxConcurrency: z
      ._default(z.number().check(z.int(), z.gte(1), z.lte(40)), 10)
      .check(z.meta({ description: 'How many targets are relayed at once (the Map state MaxConcurrency).' })),
    verify: z
      ._default(z.enum(VERIFY_MODES), 'auto')
      .check(z.meta({ description: 'How replicas are proven identical.' })),
    multipartThresholdBytes: z
      ._default(
        z.number().check(z.int(), z.gte(MIN_MULTIPART_THRESHOLD_BYTES), z.lte(MAX_COPY_OBJECT_BYTES)),
        DEFAULT_MULTIPART_THRESHOLD_BYTES,
      )
      .check(z.meta({ description: 'Objects larger than this are copied in parts (1 MiB to 5 GiB).' })),
    partSizeBytes: z
      ._default(
        z.number().check(z.int(), z.gte(MIN_PART_BYTES), z.lte(MAX_PART_BYTES)),
        DEFAULT_PART_SIZE_BYTES,
      )
      .check(
        z.meta({
          description: "Part size of multipart copies when the source's own part layout is not reused.",
        }),
      ),
    copyTimeBudgetSeconds: z
      .optional(z.number().check(z.positive(), z.lte(MAX_COPY_TIME_BUDGET_SECONDS)))
      .check(
        z.meta({
          description: 'How long one copy invocation works before handing back to the state machine.',
        }),
      ),
    extraRegions: z.optional(z.array(region)).check(
      z.meta({
        description:
          'Region codes AWS opened after this version of the relay was released: accepted wherever a region is named. Other region codes must be regions the relay knows.',
      }),
    ),
  })
  .check(z.meta({ description: 'Settings that apply to every target.' }));

/** The whole configuration file. */
export const relayConfigSchema = z
  .strictObject({
    $schema: z.optional(z.string()).check(z.meta({ description: 'The JSON schema, for editors.' })),
    sources: z.array(sourceSchema).check(z.minLength(1)),
    defaults: z.prefault(defaultsSchema, {}),
    alarms: z.optional(alarmsSchema),
    waves: z
      .optional(
        z.record(
          z.string().check(
            z.regex(WAVE_KEY, {
              message: `a wave number from 2 to ${MAX_DEPLOYMENT_WAVES}; wave 1 deploys as soon as its copies are verified and cannot wait for an approval — move the targets that need one to "wave": 2`,
            }),
          ),
          waveSettingsSchema,
        ),
      )
      .check(
        z.meta({
          description:
            'Settings of deployment waves 2 and up, keyed by wave number, such as { "2": { "approval": { "timeoutSeconds": 86400 } } }.',
        }),
      ),
  })
  .check(
    z.meta({
      title: 'artifact-relay configuration',
      description: 'What artifact-relay copies, where, and how.',
    }),
  );

/** A validated configuration, defaults applied. */
export type RelayConfig = z.output<typeof relayConfigSchema>;
/** A configuration as written in the file. */
export type RelayConfigInput = z.input<typeof relayConfigSchema>;
/** A configured source bucket. */
export type SourceConfig = RelayConfig['sources'][number];
/** A configured rule. */
export type RuleConfig = SourceConfig['rules'][number];
/** A configured target. */
export type TargetConfig = RuleConfig['targets'][number];
/** A target's encryption. */
export type EncryptionConfig = TargetConfig['encryption'];
/** A target's CodeDeploy settings. */
export type DeployConfig = NonNullable<TargetConfig['deploy']>;
/** The tag convention's settings. */
export type TargetBucketTagConfig = NonNullable<SourceConfig['targetBucketTag']>;
/** Where a source's S3 Inventory reports are delivered. */
export type InventoryConfig = NonNullable<SourceConfig['inventory']>;
/** One wave's settings. */
export type WaveSettings = z.output<typeof waveSettingsSchema>;
/** The defaults block. */
export type DefaultsConfig = RelayConfig['defaults'];
/** A storage class. */
export type StorageClass = (typeof STORAGE_CLASSES)[number];
/** A verify mode. */
export type VerifyMode = (typeof VERIFY_MODES)[number];
