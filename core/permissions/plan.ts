import type { DeployConfig, RelayConfig, RuleConfig, SourceConfig, TargetConfig } from '../config/schema.ts';
import { ledgerKey } from '../deployment-ledger.ts';
import { partitionOf } from '../regions.ts';
import {
  APPLICATION_ACTIONS,
  BUCKET_TAGGING_ACTION,
  CHECK_DEPLOYMENT_ACTION,
  COPY_SOURCE_ACTIONS,
  COPY_TARGET_ACTIONS,
  DEPLOYMENT_CONFIG_ACTION,
  DEPLOYMENT_GROUP_ACTIONS,
  LEDGER_ACTIONS,
  LIST_BUCKET_ACTION,
  LIST_UPLOADS_ACTION,
  PUT_ACL_ACTION,
  READ_OBJECT_ACTIONS,
  REPLICA_HEAD_ACTIONS,
  WILDCARD_REASONS,
} from './actions.ts';
import {
  codeDeployApplicationArn,
  codeDeployConfigArn,
  codeDeployGroupArn,
  kmsKeyGrant,
  kmsKeysOfRegion,
  s3BucketArn,
  s3ObjectArn,
  s3ObjectsArn,
  s3ViaService,
} from './arns.ts';

/**
 * The least-privilege IAM of the five task functions, computed from the configuration: which
 * actions on which buckets, key prefixes, KMS keys and CodeDeploy resources each function needs
 * for the calls it makes — nothing account-wide, no `*` action. Pure data, the one source of the
 * relay's task IAM: `policy-document.ts` writes it as IAM policy JSON, `infra/task-functions.ts`
 * renders that as each role's CDK policy statements (acknowledging each wildcard resource with its
 * reason), and the local stack evaluates the same JSON (`local/iam/`).
 */

/**
 * The task functions the plan covers, by their `functions/` folder names. The state machine's
 * `TaskRole` (state-machine/placeholders.ts) names the same five; `infra/task-functions.ts`
 * indexes this plan with it, so a role the plan lacks fails to compile.
 */
export type PlannedRole =
  | 'resolve-targets'
  | 'copy-object'
  | 'verify-copy'
  | 'start-deployment'
  | 'check-deployment';

/** The task roles, in the order the plan, its tables and resource policy statements list them. */
export const PLANNED_ROLES: readonly PlannedRole[] = [
  'resolve-targets',
  'copy-object',
  'verify-copy',
  'start-deployment',
  'check-deployment',
];

/** IAM condition operators to condition keys to values. */
export type PlannedConditions = Readonly<
  Record<string, Readonly<Record<string, string | readonly string[]>>>
>;

/** One statement of a function's policy. */
export interface PlannedStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: PlannedConditions;
  /** Why the resources carry a wildcard (the cdk-nag acknowledgement); set when any does. */
  readonly wildcardReason?: string;
}

/** The statements of each task function. */
export type PermissionPlan = Readonly<Record<PlannedRole, readonly PlannedStatement[]>>;

function objectStatement(
  actions: readonly string[],
  resources: readonly string[],
  reason: string = WILDCARD_REASONS.objects,
): PlannedStatement {
  return { actions, resources, wildcardReason: reason };
}

function rulePatterns(source: SourceConfig): string[] {
  const partition = partitionOf(source.region);
  return unique(source.rules.map((rule) => s3ObjectsArn(partition, source.bucket, rule.prefix, rule.suffix)));
}

/** The keys a target receives from a rule: the rule's pattern with `keyPrefix` replacing the prefix. */
export function destinationPattern(rule: RuleConfig, target: TargetConfig): string {
  const prefix = target.keyPrefix ?? rule.prefix ?? '';
  return s3ObjectsArn(partitionOf(target.region), target.bucket, prefix, rule.suffix);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

interface TargetUse {
  readonly rule: RuleConfig;
  readonly target: TargetConfig;
}

function targetUses(config: RelayConfig): TargetUse[] {
  return config.sources.flatMap((source) =>
    source.rules.flatMap((rule) => rule.targets.map((target) => ({ rule, target }))),
  );
}

/** The buckets (allowlist globs, `@region` dropped) a source's `TargetBucket` tag may name. */
function tagBucketGlobs(source: SourceConfig): string[] {
  if (source.targetBucketTag?.enabled !== true) return [];
  return unique(source.targetBucketTag.allowedBuckets.map((glob) => glob.split('@', 1)[0] ?? glob));
}

function sourceKmsStatement(source: SourceConfig): PlannedStatement {
  return {
    actions: ['kms:Decrypt'],
    resources: [kmsKeysOfRegion(source.region)],
    conditions: {
      StringEquals: { 'kms:ViaService': s3ViaService(source.region) },
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': [
          s3BucketArn(partitionOf(source.region), source.bucket),
          ...rulePatterns(source),
        ],
      },
    },
    wildcardReason: WILDCARD_REASONS.sourceKeys,
  };
}

function targetKmsStatement(use: TargetUse, actions: readonly string[]): PlannedStatement | undefined {
  const { target } = use;
  if (target.encryption.type !== 'aws:kms') return undefined;
  const grant = kmsKeyGrant(target.encryption.kmsKeyArn);
  return {
    actions,
    resources: [grant.resource],
    conditions: {
      StringEquals: { 'kms:ViaService': s3ViaService(target.region) },
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': [
          s3BucketArn(partitionOf(target.region), target.bucket),
          destinationPattern(use.rule, target),
        ],
      },
      ...(grant.alias === undefined
        ? {}
        : { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': grant.alias } }),
    },
    ...(grant.alias === undefined ? {} : { wildcardReason: WILDCARD_REASONS.aliasKeys }),
  };
}

function listBuckets(buckets: readonly string[], reason?: string): PlannedStatement[] {
  if (buckets.length === 0) return [];
  return [
    {
      actions: [LIST_BUCKET_ACTION],
      resources: unique(buckets),
      ...(reason === undefined ? {} : { wildcardReason: reason }),
    },
  ];
}

function listUploads(buckets: readonly string[]): PlannedStatement[] {
  if (buckets.length === 0) return [];
  const wildcard = buckets.some((bucket) => bucket.includes('*'));
  return [
    {
      actions: [LIST_UPLOADS_ACTION],
      resources: unique(buckets),
      ...(wildcard ? { wildcardReason: WILDCARD_REASONS.tagBuckets } : {}),
    },
  ];
}

/** The bucket ARNs (allowlist globs) a `TargetBucket` tag may name. */
function tagBuckets(config: RelayConfig): string[] {
  return config.sources.flatMap((source) =>
    tagBucketGlobs(source).map((glob) => s3BucketArn(partitionOf(source.region), glob)),
  );
}

function sourceBuckets(config: RelayConfig): string[] {
  return config.sources.map((source) => s3BucketArn(partitionOf(source.region), source.bucket));
}

function targetBuckets(config: RelayConfig): string[] {
  return targetUses(config).map(({ target }) => s3BucketArn(partitionOf(target.region), target.bucket));
}

function tagTargets(
  config: RelayConfig,
  actions: readonly string[],
): { objects: PlannedStatement[]; buckets: PlannedStatement[] } {
  const objects: PlannedStatement[] = [];
  const buckets: string[] = [];
  for (const source of config.sources) {
    const partition = partitionOf(source.region);
    for (const glob of tagBucketGlobs(source)) {
      buckets.push(s3BucketArn(partition, glob));
      const resources = unique(
        source.rules.map((rule) => s3ObjectsArn(partition, glob, rule.prefix, rule.suffix)),
      );
      objects.push(objectStatement(actions, resources, WILDCARD_REASONS.tagBuckets));
    }
  }
  return { objects, buckets: listBuckets(buckets, WILDCARD_REASONS.tagBuckets) };
}

function resolveTargetsPlan(config: RelayConfig): PlannedStatement[] {
  const tagged = config.sources.filter((source) => source.targetBucketTag?.enabled === true);
  return [
    ...config.sources.map((source) => objectStatement(READ_OBJECT_ACTIONS, rulePatterns(source))),
    ...listBuckets(sourceBuckets(config)),
    ...(tagged.length === 0
      ? []
      : [
          {
            actions: [BUCKET_TAGGING_ACTION],
            resources: tagged.map((source) => s3BucketArn(partitionOf(source.region), source.bucket)),
          },
        ]),
  ];
}

function copyObjectPlan(config: RelayConfig): PlannedStatement[] {
  const uses = targetUses(config);
  const tags = tagTargets(config, COPY_TARGET_ACTIONS);
  return [
    ...config.sources.map((source) => objectStatement(COPY_SOURCE_ACTIONS, rulePatterns(source))),
    ...uses.map((use) =>
      objectStatement(
        use.target.acl === undefined ? COPY_TARGET_ACTIONS : [...COPY_TARGET_ACTIONS, PUT_ACL_ACTION],
        [destinationPattern(use.rule, use.target)],
      ),
    ),
    ...tags.objects,
    ...listBuckets([...sourceBuckets(config), ...targetBuckets(config)]),
    ...tags.buckets,
    ...listUploads([...targetBuckets(config), ...tagBuckets(config)]),
    ...config.sources.map(sourceKmsStatement),
    ...uses.flatMap((use) => targetKmsStatement(use, ['kms:GenerateDataKey', 'kms:Decrypt']) ?? []),
  ];
}

function verifyCopyPlan(config: RelayConfig): PlannedStatement[] {
  const uses = targetUses(config);
  const tags = tagTargets(config, READ_OBJECT_ACTIONS);
  return [
    ...config.sources.map((source) => objectStatement(READ_OBJECT_ACTIONS, rulePatterns(source))),
    ...uses.map((use) => objectStatement(READ_OBJECT_ACTIONS, [destinationPattern(use.rule, use.target)])),
    ...tags.objects,
    ...listBuckets([...sourceBuckets(config), ...targetBuckets(config)]),
    ...tags.buckets,
    ...config.sources.map(sourceKmsStatement),
    ...uses.flatMap((use) => targetKmsStatement(use, ['kms:Decrypt']) ?? []),
  ];
}

interface DeployUse {
  readonly region: string;
  readonly deploy: DeployConfig;
  readonly use: TargetUse;
}

function deployUses(config: RelayConfig): DeployUse[] {
  return targetUses(config).flatMap((use) =>
    use.target.deploy === undefined ? [] : [{ region: use.target.region, deploy: use.target.deploy, use }],
  );
}

/** The deployment group's ledger object in the target bucket (core/deployment-ledger.ts). */
function ledgerArn({ use, deploy }: DeployUse): string {
  const { target } = use;
  return s3ObjectArn(
    partitionOf(target.region),
    target.bucket,
    ledgerKey(deploy.application, deploy.deploymentGroup),
  );
}

/**
 * StartDeployment's S3 access: HEAD of the replica key (is it still this build's?), read and
 * conditional write of the group's ledger, and — for an SSE-KMS target — the key, for the ledger
 * written and read under the target's encryption.
 */
function ledgerStatements(uses: readonly DeployUse[]): PlannedStatement[] {
  const kms = uses.flatMap((deployUse) => {
    const { target } = deployUse.use;
    if (target.encryption.type !== 'aws:kms') return [];
    const grant = kmsKeyGrant(target.encryption.kmsKeyArn);
    return [
      {
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [grant.resource],
        conditions: {
          StringEquals: { 'kms:ViaService': s3ViaService(target.region) },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [ledgerArn(deployUse)] },
          ...(grant.alias === undefined
            ? {}
            : { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': grant.alias } }),
        },
        ...(grant.alias === undefined ? {} : { wildcardReason: WILDCARD_REASONS.aliasKeys }),
      } satisfies PlannedStatement,
    ];
  });
  return [
    objectStatement(
      REPLICA_HEAD_ACTIONS,
      unique(uses.map(({ use }) => destinationPattern(use.rule, use.target))),
    ),
    { actions: LEDGER_ACTIONS, resources: unique(uses.map(ledgerArn)) },
    ...listBuckets(uses.map(({ use }) => s3BucketArn(partitionOf(use.target.region), use.target.bucket))),
    ...kms,
  ];
}

function startDeploymentPlan(config: RelayConfig, account: string): PlannedStatement[] {
  const uses = deployUses(config);
  if (uses.length === 0) return [];
  const groups = unique(
    uses.map(({ region, deploy }) =>
      codeDeployGroupArn(region, account, deploy.application, deploy.deploymentGroup),
    ),
  );
  const applications = unique(
    uses.map(({ region, deploy }) => codeDeployApplicationArn(region, account, deploy.application)),
  );
  const named = unique(
    uses.flatMap(({ region, deploy }) =>
      deploy.deploymentConfigName === undefined
        ? []
        : [codeDeployConfigArn(region, account, deploy.deploymentConfigName)],
    ),
  );
  const groupDefault = unique(
    uses.flatMap(({ region, deploy }) =>
      deploy.deploymentConfigName === undefined ? [codeDeployConfigArn(region, account, undefined)] : [],
    ),
  );
  return [
    { actions: DEPLOYMENT_GROUP_ACTIONS, resources: groups },
    { actions: APPLICATION_ACTIONS, resources: applications },
    ...(named.length === 0 ? [] : [{ actions: [DEPLOYMENT_CONFIG_ACTION], resources: named }]),
    ...(groupDefault.length === 0
      ? []
      : [
          {
            actions: [DEPLOYMENT_CONFIG_ACTION],
            resources: groupDefault,
            wildcardReason: WILDCARD_REASONS.deploymentConfigs,
          },
        ]),
    ...ledgerStatements(uses),
  ];
}

function checkDeploymentPlan(config: RelayConfig, account: string): PlannedStatement[] {
  const groups = unique(
    deployUses(config).map(({ region, deploy }) =>
      codeDeployGroupArn(region, account, deploy.application, deploy.deploymentGroup),
    ),
  );
  return groups.length === 0 ? [] : [{ actions: [CHECK_DEPLOYMENT_ACTION], resources: groups }];
}

/**
 * The IAM statements of each task function for `config`.
 *
 * @param account the account of the CodeDeploy resources (the stack's; may be a token string)
 */
export function planPermissions(config: RelayConfig, account: string): PermissionPlan {
  return {
    'resolve-targets': resolveTargetsPlan(config),
    'copy-object': copyObjectPlan(config),
    'verify-copy': verifyCopyPlan(config),
    'start-deployment': startDeploymentPlan(config, account),
    'check-deployment': checkDeploymentPlan(config, account),
  };
}
