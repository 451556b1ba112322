/**
 * The records the local CodeDeploy keeps, and the fixed vocabularies of the CodeDeploy API
 * (compute platforms, bundle types, deployment statuses, predefined deployment configurations).
 */

/** `ComputePlatform` of the CodeDeploy API. */
export const COMPUTE_PLATFORMS = ['Server', 'Lambda', 'ECS'] as const;
export type ComputePlatform = (typeof COMPUTE_PLATFORMS)[number];

/** `BundleType` of an `S3Location`. */
export const BUNDLE_TYPES = ['tar', 'tgz', 'zip', 'YAML', 'JSON'] as const;
export type BundleType = (typeof BUNDLE_TYPES)[number];

/** `DeploymentStatus` of the CodeDeploy API. */
export const DEPLOYMENT_STATUSES = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Succeeded',
  'Failed',
  'Stopped',
  'Ready',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Statuses in which a deployment still occupies its deployment group (one active deployment per group). */
export const ACTIVE_STATUSES: ReadonlySet<DeploymentStatus> = new Set([
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
]);

/** The predefined deployment configurations, per compute platform. */
export const DEPLOYMENT_CONFIGS: Readonly<Record<ComputePlatform, readonly string[]>> = {
  Server: ['CodeDeployDefault.OneAtATime', 'CodeDeployDefault.HalfAtATime', 'CodeDeployDefault.AllAtOnce'],
  Lambda: [
    'CodeDeployDefault.LambdaAllAtOnce',
    'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    'CodeDeployDefault.LambdaCanary10Percent10Minutes',
    'CodeDeployDefault.LambdaCanary10Percent15Minutes',
    'CodeDeployDefault.LambdaCanary10Percent30Minutes',
    'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
    'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes',
    'CodeDeployDefault.LambdaLinear10PercentEvery3Minutes',
    'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes',
  ],
  ECS: [
    'CodeDeployDefault.ECSAllAtOnce',
    'CodeDeployDefault.ECSCanary10Percent5Minutes',
    'CodeDeployDefault.ECSCanary10Percent15Minutes',
    'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
    'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
  ],
};

/** The configuration a deployment group gets when CreateDeploymentGroup names none. */
export const DEFAULT_DEPLOYMENT_CONFIG: Readonly<Record<ComputePlatform, string>> = {
  Server: 'CodeDeployDefault.OneAtATime',
  Lambda: 'CodeDeployDefault.LambdaAllAtOnce',
  ECS: 'CodeDeployDefault.ECSAllAtOnce',
};

/** `S3Location` as given in a revision. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
  readonly bundleType: BundleType;
  readonly eTag?: string;
  readonly version?: string;
}

/** `RawString` / `AppSpecContent` of a revision. */
export interface RawContent {
  readonly content: string;
  readonly sha256?: string;
}

/** `RevisionLocation` as stored and returned (only the kinds the local stack accepts). */
export type RevisionLocation =
  | { readonly revisionType: 'S3'; readonly s3Location: S3Location }
  | { readonly revisionType: 'String'; readonly string: RawContent }
  | { readonly revisionType: 'AppSpecContent'; readonly appSpecContent: RawContent };

export interface ApplicationRecord {
  readonly region: string;
  readonly applicationId: string;
  readonly applicationName: string;
  readonly computePlatform: ComputePlatform;
  /** Epoch milliseconds. */
  readonly createTime: number;
}

export interface DeploymentGroupRecord {
  /** The group's region: the region the CreateDeploymentGroup request was signed for. */
  readonly region: string;
  readonly applicationName: string;
  readonly deploymentGroupId: string;
  readonly deploymentGroupName: string;
  readonly deploymentConfigName: string;
  readonly serviceRoleArn: string;
  readonly computePlatform: ComputePlatform;
}

/** How a deployment ends when nobody stops it; decided when it is created. */
export type DeploymentOutcome =
  | { readonly status: 'Succeeded' }
  | { readonly status: 'Failed'; readonly code: string; readonly message: string };

export interface DeploymentRecord {
  readonly region: string;
  readonly deploymentId: string;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  readonly deploymentConfigName: string;
  readonly computePlatform: ComputePlatform;
  readonly revision: RevisionLocation;
  readonly description?: string;
  /** Epoch milliseconds: created, moves to InProgress, reaches its outcome. */
  readonly createTime: number;
  readonly startTime: number;
  readonly completeTime: number;
  readonly outcome: DeploymentOutcome;
  /** Epoch milliseconds of a StopDeployment that caught the deployment while it was active. */
  readonly stopTime?: number;
}

/** Everything the local CodeDeploy persists. */
export interface CodeDeployState {
  readonly applications: ApplicationRecord[];
  readonly deploymentGroups: DeploymentGroupRecord[];
  readonly deployments: DeploymentRecord[];
}
