/**
 * The IAM actions each task needs, named after the calls the handlers make, and the reasons for
 * the wildcard resources some of them need (the cdk-nag acknowledgements quote them).
 */

/** HeadObject of the pinned source or replica (`VersionId` needs GetObjectVersion). */
export const READ_OBJECT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;

/** What a copy reads from the source: the object (version) and its tags. */
export const COPY_SOURCE_ACTIONS = [
  's3:GetObject',
  's3:GetObjectVersion',
  's3:GetObjectTagging',
  's3:GetObjectVersionTagging',
] as const;

/** What a copy does at the destination: (multipart) writes with tags, HEAD, ListParts, abort. */
export const COPY_TARGET_ACTIONS = [
  's3:PutObject',
  's3:PutObjectTagging',
  's3:GetObject',
  's3:AbortMultipartUpload',
  's3:ListMultipartUploadParts',
] as const;

/** Added for a target with a canned `acl` (PutObject with `x-amz-acl` needs it). */
export const PUT_ACL_ACTION = 's3:PutObjectAcl';

/** Lets HEAD of a missing object answer 404 (not 403), which the tasks read as "not there". */
export const LIST_BUCKET_ACTION = 's3:ListBucket';

/**
 * A fresh multipart copy looks for an upload an earlier attempt left on its destination key
 * (ListMultipartUploads), to continue or abort it.
 */
export const LIST_UPLOADS_ACTION = 's3:ListBucketMultipartUploads';

/** Reading the classic `TargetBucket` tag. */
export const BUCKET_TAGGING_ACTION = 's3:GetBucketTagging';

/**
 * StartDeployment: read the status of the deployment its ledger records, find an existing deployment
 * of the revision, else create one.
 */
export const DEPLOYMENT_GROUP_ACTIONS = [
  'codedeploy:CreateDeployment',
  'codedeploy:GetDeployment',
  'codedeploy:ListDeployments',
  'codedeploy:BatchGetDeployments',
] as const;

/**
 * StartDeployment HEADs the destination key's current object (no `VersionId`: is it still this build's
 * replica?), which needs `s3:GetObject` only; CodeDeploy reads the revision with its own role.
 */
export const REPLICA_HEAD_ACTIONS = ['s3:GetObject'] as const;

/**
 * ResolveTargets HEADs a pipeline's artifact by bucket and key only: a job names its input artifact by
 * `s3Location` (`bucketName`, `objectKey`) and no version (CodePipeline User Guide, "Invoke an AWS Lambda
 * function in a pipeline", the job event), so it needs `s3:GetObject` and never `s3:GetObjectVersion` —
 * the least-privilege proof finds the latter unused.
 */
export const ARTIFACT_HEAD_ACTIONS = ['s3:GetObject'] as const;

/** StartDeployment reads and conditionally writes the deployment group's ledger object. */
export const LEDGER_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;

/** CreateDeployment registers the revision with the application. */
export const APPLICATION_ACTIONS = [
  'codedeploy:GetApplicationRevision',
  'codedeploy:RegisterApplicationRevision',
] as const;

/** CreateDeployment reads the deployment configuration it uses. */
export const DEPLOYMENT_CONFIG_ACTION = 'codedeploy:GetDeploymentConfig';

/** CheckDeployment polls the deployment. */
export const CHECK_DEPLOYMENT_ACTION = 'codedeploy:GetDeployment';

/**
 * DeleteReplica HEADs the destination key's current object (is it the relay's replica of the deleted
 * source?) and deletes it with `If-Match`, which needs s3:GetObject besides s3:DeleteObject (S3 User
 * Guide, "How to perform conditional deletes"). No `VersionId`: a versioned target gets a delete
 * marker, so s3:DeleteObjectVersion is never needed.
 */
export const DELETE_REPLICA_ACTIONS = ['s3:GetObject', 's3:DeleteObject'] as const;

/**
 * The backfill's work-list builder lists a source: ListObjectsV2 (s3:ListBucket) for an unversioned
 * bucket, ListObjectVersions (s3:ListBucketVersions) for a versioned one, and GetBucketVersioning to tell
 * which.
 */
export const SOURCE_LISTING_ACTIONS = [
  LIST_BUCKET_ACTION,
  's3:ListBucketVersions',
  's3:GetBucketVersioning',
] as const;

/** The builder's in-sync check HEADs each destination key (no `VersionId`), which needs s3:GetObject only. */
export const DESTINATION_HEAD_ACTIONS = ['s3:GetObject'] as const;

/**
 * The builder writes the work list as one multipart upload across invocations (CreateMultipartUpload,
 * UploadPart and CompleteMultipartUpload are s3:PutObject), built from chunk objects written, read back
 * and deleted; AbortMultipartUpload when nothing is queued.
 */
export const WORK_LIST_ACTIONS = [
  's3:PutObject',
  's3:GetObject',
  's3:DeleteObject',
  's3:AbortMultipartUpload',
] as const;

/**
 * The builder reads an S3 Inventory report (`relay replay --inventory`): GetObject of its manifest.json (with
 * If-Match on later calls) and of each gzipped CSV file, and HeadObject of each file — all s3:GetObject. It
 * never lists the report's bucket (the manifest names every file).
 */
export const INVENTORY_READ_ACTIONS = ['s3:GetObject'] as const;

/** Why a source's inventory reports are granted by prefix. */
export const INVENTORY_OBJECTS_REASON =
  "S3 Inventory delivers a new report (a manifest.json and its data files, under <prefix>/<source bucket>/<inventory name>/) every day or week, named by the delivery's date and unknown until then: s3:GetObject is granted on the configured inventory destination's bucket and prefix only (the source's inventory setting).";

/** Why the backfill's results bucket's objects are granted by `/*` (the builder's and the state machine's). */
export const RESULTS_OBJECTS_REASON =
  "The backfill's results prefix is given per execution (its work list under <prefix>/<backfill id>/, the map run's results under <prefix>/<map run id>/), so object access is granted on the backfill's own results bucket only, a bucket nothing else writes to.";

/** Reasons for wildcard resources, as the acknowledgements state them. */
export const WILDCARD_REASONS = {
  objects:
    'Objects are granted by key pattern because their keys are unknown until they are uploaded; each pattern is one configured bucket and one rule prefix*suffix (or the target keyPrefix that replaces it).',
  tagBuckets:
    'TargetBucket tag entries are only honoured for buckets the source allowlist admits; the grant is limited to exactly those allowlist globs and the rule key patterns.',
  sourceKeys:
    "The source bucket's SSE-KMS key is not part of the configuration; kms:Decrypt is limited to requests S3 makes in the source region (kms:ViaService) for this source bucket's objects (kms:EncryptionContext:aws:s3:arn).",
  aliasKeys:
    'The target names its KMS key by alias and IAM authorizes KMS use against key ARNs only; the grant covers keys of that account and region that carry the alias (kms:ResourceAliases), used by S3 for this target.',
  deploymentConfigs:
    "The target deploys with its deployment group's own configuration, which is unknown at synth; codedeploy:GetDeploymentConfig is read-only and limited to the group's region and account.",
} as const;
