import type { DeployConfig, RelayConfig, RuleConfig, SourceConfig, TargetConfig } from '../config/schema.ts';
import { ledgerKey } from '../deployment-ledger.ts';
import { partitionOf } from '../regions.ts';
import {
  APPLICATION_ACTIONS,
  ARTIFACT_HEAD_ACTIONS,
  BUCKET_TAGGING_ACTION,
  CHECK_DEPLOYMENT_ACTION,
  COPY_SOURCE_ACTIONS,
  COPY_TARGET_ACTIONS,
  DELETE_REPLICA_ACTIONS,
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
 * The least-privilege IAM of the task functions, computed from the configuration: which
 * actions on which buckets, key prefixes, KMS keys and CodeDeploy resources each function needs
 * for the calls it makes — nothing account-wide, no `*` action. Pure data, the one source of the
 * relay's task IAM: `policy-document.ts` writes it as IAM policy JSON, `infra/task-functions.ts`
 * renders that as each role's CDK policy statements (acknowledging each wildcard resource with its
 * reason), and the local stack evaluates the same JSON (`local/iam/`).
 */

/**
 * The task functions the plan covers, by their `functions/` folder names. The state machine's
 * `TaskRole` (state-machine/placeholders.ts) names the same roles; `infra/task-functions.ts`
 * indexes this plan with it, so a role the plan lacks fails to compile.
 */
export type PlannedRole =
  | 'resolve-targets'
  | 'copy-object'
  | 'verify-copy'
  | 'start-deployment'
  | 'check-deployment'
  | 'delete-replica';

/**
 * The task roles, in the order the plan, its tables and resource policy statements list them.
 * Only the state machine's tasks: the CodePipeline action's role ({@link PIPELINE_ACTION_ROLE}) is
 * planned apart ({@link planPipelineActionPermissions}), because it runs outside the state machine
 * and its statements depend on the deployed state machine, not on the configuration.
 */
export const PLANNED_ROLES: readonly PlannedRole[] = [
  'resolve-targets',
  'copy-object',
  'verify-copy',
  'start-deployment',
  'check-deployment',
  'delete-replica',
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

/** A target as a rule names it (a target two rules name is used twice). */
export interface TargetUse {
  readonly rule: RuleConfig;
  readonly target: TargetConfig;
}

/** Every target of every rule of every source, with its rule. */
export function targetUses(config: RelayConfig): TargetUse[] {
  return config.sources.flatMap((source) =>
    source.rules.flatMap((rule) => rule.targets.map((target) => ({ rule, target }))),
  );
}

/** The buckets (allowlist globs, `@region` dropped) a source's `TargetBucket` tag may name. */
export function tagBucketGlobs(source: SourceConfig): string[] {
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

/**
 * `actions` on an SSE-KMS target's key (by ARN, or by alias narrowed with `kms:ResourceAliases`), for S3 in
 * the target's region and the target's bucket and destination keys only; none for an SSE-S3 target.
 */
export function targetKmsStatement(use: TargetUse, actions: readonly string[]): PlannedStatement | undefined {
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
 * DeleteReplica's S3 access: HEAD and conditional delete of the destination keys of the rules that
 * propagate deletes (`propagateDeletes: true`) — and of no other rule's — plus s3:ListBucket on their
 * buckets, so that a HEAD of a missing replica answers 404 (`absent`), not 403. With no such rule the
 * role holds no statement: it still exists, because the state machine names every task function, but
 * it can touch nothing (ResolveTargets never hands it a target then).
 */
function deleteReplicaPlan(config: RelayConfig): PlannedStatement[] {
  const uses = targetUses(config).filter(({ rule }) => rule.propagateDeletes);
  if (uses.length === 0) return [];
  return [
    objectStatement(
      DELETE_REPLICA_ACTIONS,
      unique(uses.map((use) => destinationPattern(use.rule, use.target))),
    ),
    ...listBuckets(unique(uses.map(({ target }) => s3BucketArn(partitionOf(target.region), target.bucket)))),
  ];
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
    'delete-replica': deleteReplicaPlan(config),
  };
}

/**
 * The role of the CodePipeline Lambda-invoke action (functions/pipeline-action/). Not a
 * {@link PlannedRole}: it is no state-machine task, so {@link PLANNED_ROLES}, {@link PermissionPlan}
 * and everything indexed by the task roles stay the five tasks.
 */
export const PIPELINE_ACTION_ROLE = 'pipeline-action';

/** The name of the pipeline action's planned role. */
export type PipelineActionRole = typeof PIPELINE_ACTION_ROLE;

/** The pipeline action starts the relay for a pipeline run (ExecutionAlreadyExists continues it). */
export const PIPELINE_START_ACTIONS = ['states:StartExecution'] as const;

/**
 * The pipeline action reads how the relay execution of its run is doing, and redrives it when a
 * retried stage finds it failed (a retry continues the same relay, re-running only failed targets).
 */
export const PIPELINE_EXECUTION_ACTIONS = ['states:DescribeExecution', 'states:RedriveExecution'] as const;

/** The pipeline action reports to CodePipeline; these calls have no resource-level permissions. */
export const PIPELINE_JOB_RESULT_ACTIONS = [
  'codepipeline:PutJobSuccessResult',
  'codepipeline:PutJobFailureResult',
] as const;

/** Why the job result calls are granted on `*` (the cdk-nag acknowledgement quotes it). */
export const PIPELINE_JOB_RESULT_REASON =
  'codepipeline:PutJobSuccessResult and codepipeline:PutJobFailureResult support no resource-level permissions (Service Authorization Reference, "Actions, resources, and condition keys for AWS CodePipeline"), so they can only be granted on "*".';

/** Why the executions are granted by pattern. */
export const PIPELINE_EXECUTIONS_REASON =
  "Relay executions are named per pipeline run when the action starts them, so DescribeExecution and RedriveExecution are granted on the executions of the relay's own state machine only.";

/** The deployed relay state machine the pipeline action drives (either may be a CDK token string). */
export interface PipelineActionPlanInput {
  /** The relay state machine's ARN. */
  readonly stateMachineArn: string;
  /** Its executions: `arn:<partition>:states:<region>:<account>:execution:<state machine name>:*`. */
  readonly executionsArn: string;
}

/**
 * The executions of a state machine, from its literal ARN (`…:stateMachine:<name>` →
 * `…:execution:<name>:*`). A CDK token ARN cannot be split here; infra formats that one itself.
 *
 * @throws Error when `stateMachineArn` is not a Step Functions state machine ARN
 */
export function executionsArnOf(stateMachineArn: string): string {
  const match = /^(arn:[a-z-]+:states:[a-z0-9-]+:[^:]+):stateMachine:([^:]+)$/.exec(stateMachineArn);
  if (match === null) throw new Error(`not a Step Functions state machine ARN: ${stateMachineArn}`);
  return `${match[1]}:execution:${match[2]}:*`;
}

/**
 * The IAM statements of the pipeline action's role: start the relay state machine, describe and
 * redrive its executions, and report the job's result (on `*`, acknowledged with its reason). It reads no
 * artifact itself — the relay's tasks do, with their own roles.
 */
export function planPipelineActionPermissions(input: PipelineActionPlanInput): readonly PlannedStatement[] {
  return [
    { actions: PIPELINE_START_ACTIONS, resources: [input.stateMachineArn] },
    {
      actions: PIPELINE_EXECUTION_ACTIONS,
      resources: [input.executionsArn],
      wildcardReason: PIPELINE_EXECUTIONS_REASON,
    },
    {
      actions: PIPELINE_JOB_RESULT_ACTIONS,
      resources: ['*'],
      wildcardReason: PIPELINE_JOB_RESULT_REASON,
    },
  ];
}

/** A pipeline's artifact store, whose objects the relay's tasks read when the action relays one. */
export interface PipelineArtifactStore {
  readonly bucket: string;
  readonly region: string;
  /** The artifact key's prefix (the pipeline's folder). @default the whole bucket */
  readonly keyPrefix?: string;
  /** The artifact store's KMS key; without it, any key S3 uses in the region for this bucket. */
  readonly kmsKeyArn?: string;
}

/** Objects S3 decrypts on a caller's behalf: their bucket and region, and the key when it is known. */
export interface KeyedObjects {
  readonly bucket: string;
  readonly region: string;
  readonly kmsKeyArn?: string | undefined;
}

/**
 * `kms:Decrypt` for S3 reading `objects` (a pattern of `store.bucket`) in the bucket's region: of the key
 * by ARN (or by alias, narrowed with `kms:ResourceAliases`), or — no key given — of any key S3 uses there,
 * for requests S3 makes in that region (`kms:ViaService`) for that bucket's objects only
 * (`kms:EncryptionContext:aws:s3:arn`: the object, or the bucket with an S3 Bucket Key).
 */
export function objectsKmsStatement(store: KeyedObjects, objects: string): PlannedStatement {
  const conditions: PlannedConditions = {
    StringEquals: { 'kms:ViaService': s3ViaService(store.region) },
    StringLike: {
      'kms:EncryptionContext:aws:s3:arn': [s3BucketArn(partitionOf(store.region), store.bucket), objects],
    },
  };
  if (store.kmsKeyArn === undefined) {
    return {
      actions: ['kms:Decrypt'],
      resources: [kmsKeysOfRegion(store.region)],
      conditions,
      wildcardReason: WILDCARD_REASONS.sourceKeys,
    };
  }
  const grant = kmsKeyGrant(store.kmsKeyArn);
  return {
    actions: ['kms:Decrypt'],
    resources: [grant.resource],
    conditions:
      grant.alias === undefined
        ? conditions
        : { ...conditions, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': grant.alias } },
    ...(grant.alias === undefined ? {} : { wildcardReason: WILDCARD_REASONS.aliasKeys }),
  };
}

/**
 * What the relay's tasks additionally need when a pipeline action relays artifacts out of `store`:
 * the source reads they have on a configured source bucket — except that ResolveTargets HEADs the
 * artifact by key only, as the job names no version — CopyObject reads it and its tags, VerifyCopy reads
 * it — and `kms:Decrypt` of the artifact key for the two that read its bytes. The deployment tasks never
 * touch the artifact.
 */
export function planPipelineArtifactPermissions(
  store: PipelineArtifactStore,
): Readonly<Partial<Record<PlannedRole, readonly PlannedStatement[]>>> {
  const partition = partitionOf(store.region);
  const objects = s3ObjectsArn(partition, store.bucket, store.keyPrefix ?? '');
  const list = listBuckets([s3BucketArn(partition, store.bucket)]);
  const kms = objectsKmsStatement(store, objects);
  return {
    'resolve-targets': [objectStatement(ARTIFACT_HEAD_ACTIONS, [objects]), ...list],
    'copy-object': [objectStatement(COPY_SOURCE_ACTIONS, [objects]), ...list, kms],
    'verify-copy': [objectStatement(READ_OBJECT_ACTIONS, [objects]), ...list, kms],
  };
}
