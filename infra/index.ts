/**
 * artifact-relay on AWS: the {@link ArtifactRelay} construct, a stack holding it, and the ready app.
 */

export {
  type BuildWorkListPlanInput,
  planBuildWorkListPermissions,
} from '../core/permissions/backfill.ts';
export {
  type PermissionPlan,
  type PlannedStatement,
  planPermissions,
} from '../core/permissions/plan.ts';
export { ALARMS_NOTIFY_NOBODY_WARNING, type AlarmNotifications } from './alarm-notifications.ts';
export { ArtifactRelay } from './artifact-relay.ts';
export {
  addBackfillOutputs,
  BACKFILL_STATE_MACHINE_NAME_SUFFIX,
  BUILD_WORK_LIST_FUNCTION_SETTINGS,
  DEFAULT_BACKFILL_RESULTS_EXPIRATION,
  RelayBackfill,
  type RelayBackfillProps,
} from './backfill.ts';
export { type LoadedRelayConfig, type RelayConfigSource, readRelayConfig } from './config-input.ts';
export { type DeploymentEnvironment, deploymentProblems } from './deployment-checks.ts';
export {
  FUNCTION_SETTINGS,
  type FunctionSettings,
  PIPELINE_ACTION_FUNCTION_SETTINGS,
} from './function-settings.ts';
export {
  PIPELINE_STATE_MACHINE_ARN_ENV,
  type PipelineBundleType,
  RelayPipelineAction,
  type RelayPipelineActionBinding,
  type RelayPipelineActionProps,
  RelayPipelineFunction,
  type RelayPipelineFunctionProps,
} from './pipeline-action.ts';
export type { ArtifactRelayProps, FunctionLogLevel } from './props.ts';
export {
  createRelayApp,
  DEFAULT_CONFIG_FILE,
  DEFAULT_STACK_NAME,
  DEFAULT_STATE_MACHINE_NAME,
  EXAMPLE_CONFIG_FILE,
  type RelayApp,
  type RelayAppOptions,
} from './relay-app.ts';
export {
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  defaultExecutionTimeout,
  TARGETS_FAILED_METRIC,
} from './relay-defaults.ts';
export { ArtifactRelayStack, type ArtifactRelayStackProps } from './relay-stack.ts';
