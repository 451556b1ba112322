/** The response shapes of the CodeDeploy API, built from stored records. */
import { deploymentState } from '../lifecycle.ts';
import type {
  ApplicationRecord,
  CodeDeployState,
  ComputePlatform,
  DeploymentGroupRecord,
  DeploymentRecord,
} from '../model.ts';

/**
 * A timestamp as the JSON protocol writes it: epoch seconds. Written as a number here rather than left as
 * a `Date`, because `JSON.stringify` turns a `Date` into an ISO string before any replacer sees it.
 */
const date = (ms: number): number => ms / 1000;

/** EC2/On-Premises deployments are in place; Lambda and ECS deployments shift traffic (blue/green). */
function deploymentStyle(platform: ComputePlatform): Record<string, string> {
  return platform === 'Server'
    ? { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' }
    : { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' };
}

/** `ApplicationInfo`. */
export function applicationInfo(app: ApplicationRecord): Record<string, unknown> {
  return {
    applicationId: app.applicationId,
    applicationName: app.applicationName,
    createTime: date(app.createTime),
    linkedToGitHub: false,
    computePlatform: app.computePlatform,
  };
}

/** `DeploymentInfo` as it stands at `now`. */
export function deploymentInfo(d: DeploymentRecord, now: number): Record<string, unknown> {
  const state = deploymentState(d, now);
  return {
    applicationName: d.applicationName,
    deploymentGroupName: d.deploymentGroupName,
    deploymentConfigName: d.deploymentConfigName,
    deploymentId: d.deploymentId,
    revision: d.revision,
    status: state.status,
    ...(state.errorInformation ? { errorInformation: state.errorInformation } : {}),
    createTime: date(d.createTime),
    ...(state.startTime !== undefined ? { startTime: date(state.startTime) } : {}),
    ...(state.completeTime !== undefined ? { completeTime: date(state.completeTime) } : {}),
    deploymentOverview: state.overview,
    ...(d.description !== undefined ? { description: d.description } : {}),
    creator: 'user',
    ignoreApplicationStopFailures: false,
    updateOutdatedInstancesOnly: false,
    deploymentStyle: deploymentStyle(d.computePlatform),
    fileExistsBehavior: 'DISALLOW',
    computePlatform: d.computePlatform,
  };
}

function lastDeploymentInfo(d: DeploymentRecord, now: number): Record<string, unknown> {
  const state = deploymentState(d, now);
  return {
    deploymentId: d.deploymentId,
    status: state.status,
    createTime: date(d.createTime),
    ...(state.completeTime !== undefined ? { endTime: date(state.completeTime) } : {}),
  };
}

/** `DeploymentGroupInfo`, with the group's last attempted and last successful deployments at `now`. */
export function deploymentGroupInfo(
  group: DeploymentGroupRecord,
  state: CodeDeployState,
  now: number,
): Record<string, unknown> {
  const history = state.deployments
    .filter(
      (d) =>
        d.region === group.region &&
        d.applicationName === group.applicationName &&
        d.deploymentGroupName === group.deploymentGroupName,
    )
    .sort((a, b) => b.createTime - a.createTime);
  const lastAttempted = history[0];
  const lastSuccessful = history.find((d) => deploymentState(d, now).status === 'Succeeded');
  return {
    applicationName: group.applicationName,
    deploymentGroupId: group.deploymentGroupId,
    deploymentGroupName: group.deploymentGroupName,
    deploymentConfigName: group.deploymentConfigName,
    ec2TagFilters: [],
    onPremisesInstanceTagFilters: [],
    autoScalingGroups: [],
    serviceRoleArn: group.serviceRoleArn,
    ...(lastSuccessful ? { targetRevision: lastSuccessful.revision } : {}),
    triggerConfigurations: [],
    deploymentStyle: deploymentStyle(group.computePlatform),
    ...(lastSuccessful ? { lastSuccessfulDeployment: lastDeploymentInfo(lastSuccessful, now) } : {}),
    ...(lastAttempted ? { lastAttemptedDeployment: lastDeploymentInfo(lastAttempted, now) } : {}),
    computePlatform: group.computePlatform,
  };
}
