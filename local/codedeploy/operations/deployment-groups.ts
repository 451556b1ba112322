/** CreateDeploymentGroup, GetDeploymentGroup, ListDeploymentGroups, DeleteDeploymentGroup. */
import { optionalString } from '../../protocol/json.ts';
import type { RequestContext } from '../../types.ts';
import {
  applicationNameRequired,
  deploymentGroupAlreadyExists,
  deploymentGroupNameRequired,
  invalidApplicationName,
  invalidDeploymentGroupName,
  roleRequired,
} from '../errors.ts';
import { newResourceId } from '../ids.ts';
import { readName } from '../input.ts';
import { DEFAULT_DEPLOYMENT_CONFIG } from '../model.ts';
import { paginate } from '../paging.ts';
import {
  type OperationContext,
  requireApplication,
  requireDeploymentConfig,
  requireDeploymentGroup,
} from './context.ts';
import { deploymentGroupInfo } from './views.ts';

const appName = (input: Record<string, unknown>): string =>
  readName(input, 'applicationName', applicationNameRequired, invalidApplicationName);
const groupName = (input: Record<string, unknown>, member = 'deploymentGroupName'): string =>
  readName(input, member, deploymentGroupNameRequired, invalidDeploymentGroupName);

/** Creates a deployment group in the request's region; the service role is recorded, not checked. */
export async function createDeploymentGroup(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const applicationName = appName(input);
  const deploymentGroupName = groupName(input);
  const state = op.store.current;
  const app = requireApplication(state, ctx.region, applicationName);
  const configName = optionalString(input, 'deploymentConfigName');
  const deploymentConfigName =
    configName === undefined
      ? DEFAULT_DEPLOYMENT_CONFIG[app.computePlatform]
      : requireDeploymentConfig(configName, app.computePlatform);
  const serviceRoleArn = optionalString(input, 'serviceRoleArn');
  if (serviceRoleArn === undefined || serviceRoleArn === '') throw roleRequired();
  if (
    state.deploymentGroups.some(
      (g) =>
        g.region === ctx.region &&
        g.applicationName === applicationName &&
        g.deploymentGroupName === deploymentGroupName,
    )
  ) {
    throw deploymentGroupAlreadyExists(applicationName, deploymentGroupName);
  }
  const deploymentGroupId = newResourceId();
  state.deploymentGroups.push({
    region: ctx.region,
    applicationName,
    deploymentGroupId,
    deploymentGroupName,
    deploymentConfigName,
    serviceRoleArn,
    computePlatform: app.computePlatform,
  });
  await op.store.save();
  return { deploymentGroupId };
}

/** GetDeploymentGroup, with the group's last attempted and last successful deployments. */
export async function getDeploymentGroup(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const applicationName = appName(input);
  const deploymentGroupName = groupName(input);
  const state = op.store.current;
  requireApplication(state, ctx.region, applicationName);
  const group = requireDeploymentGroup(state, ctx.region, applicationName, deploymentGroupName);
  return { deploymentGroupInfo: deploymentGroupInfo(group, state, op.now()) };
}

/** ListDeploymentGroups: the application's group names, in name order. */
export async function listDeploymentGroups(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const applicationName = appName(input);
  const state = op.store.current;
  requireApplication(state, ctx.region, applicationName);
  const names = state.deploymentGroups
    .filter((g) => g.region === ctx.region && g.applicationName === applicationName)
    .map((g) => g.deploymentGroupName);
  const page = paginate(names, (n) => n, optionalString(input, 'nextToken'), op.pageSize);
  return {
    applicationName,
    deploymentGroups: page.items,
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/** Deletes the group and its deployments; a missing group is not an error (as in CodeDeploy). */
export async function deleteDeploymentGroup(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const applicationName = appName(input);
  const deploymentGroupName = groupName(input);
  const state = op.store.current;
  const other = <T extends { region: string; applicationName: string; deploymentGroupName: string }>(
    r: T,
  ): boolean =>
    !(
      r.region === ctx.region &&
      r.applicationName === applicationName &&
      r.deploymentGroupName === deploymentGroupName
    );
  const before = state.deploymentGroups.length;
  state.deploymentGroups.splice(0, state.deploymentGroups.length, ...state.deploymentGroups.filter(other));
  if (state.deploymentGroups.length !== before) {
    state.deployments.splice(0, state.deployments.length, ...state.deployments.filter(other));
    await op.store.save();
  }
  return { hooksNotCleanedUp: [] };
}
