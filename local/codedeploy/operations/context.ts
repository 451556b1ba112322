/** What every CodeDeploy operation works with, and the lookups they share. */
import type { S3ObjectReader } from '../../types.ts';
import {
  applicationDoesNotExist,
  deploymentConfigDoesNotExist,
  deploymentGroupDoesNotExist,
  invalidDeploymentConfigName,
} from '../errors.ts';
import type { FailureInjector } from '../failures.ts';
import type { LifecycleDurations } from '../lifecycle.ts';
import {
  type ApplicationRecord,
  type CodeDeployState,
  type ComputePlatform,
  DEPLOYMENT_CONFIGS,
  type DeploymentGroupRecord,
} from '../model.ts';
import type { StateStore } from '../store.ts';

/** Shared by the operations of one service instance. */
export interface OperationContext {
  readonly store: StateStore;
  readonly s3: S3ObjectReader;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly failures: FailureInjector;
  readonly durations: LifecycleDurations;
  readonly timeScale: number;
  /** Largest page a List* operation returns. */
  readonly pageSize: number;
  /** Where revisions may be spooled while they are checked. */
  readonly scratchDir: string;
}

/** The application `name` in `region`, or ApplicationDoesNotExistException. */
export function requireApplication(state: CodeDeployState, region: string, name: string): ApplicationRecord {
  const app = state.applications.find((a) => a.region === region && a.applicationName === name);
  if (!app) throw applicationDoesNotExist(name);
  return app;
}

/** The deployment group `name` of `application` in `region`, or DeploymentGroupDoesNotExistException. */
export function requireDeploymentGroup(
  state: CodeDeployState,
  region: string,
  application: string,
  name: string,
): DeploymentGroupRecord {
  const group = state.deploymentGroups.find(
    (g) => g.region === region && g.applicationName === application && g.deploymentGroupName === name,
  );
  if (!group) throw deploymentGroupDoesNotExist(name);
  return group;
}

/** Checks that `name` is a deployment configuration usable on `platform`. */
export function requireDeploymentConfig(name: string, platform: ComputePlatform): string {
  if (DEPLOYMENT_CONFIGS[platform].includes(name)) return name;
  const known = Object.values(DEPLOYMENT_CONFIGS).some((names) => names.includes(name));
  throw known ? invalidDeploymentConfigName(name, platform) : deploymentConfigDoesNotExist(name);
}
