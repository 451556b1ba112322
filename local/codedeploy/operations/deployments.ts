/** CreateDeployment, GetDeployment, BatchGetDeployments, ListDeployments, StopDeployment. */
import { optionalString } from '../../protocol/json.ts';
import type { RequestContext } from '../../types.ts';
import {
  applicationNameRequired,
  batchLimitExceeded,
  deploymentAlreadyCompleted,
  deploymentDoesNotExist,
  deploymentGroupNameRequired,
  deploymentIdRequired,
  deploymentLimitExceeded,
  invalidApplicationName,
  invalidDeploymentGroupName,
  invalidDeploymentId,
  invalidDeploymentStatus,
  invalidTimeRange,
} from '../errors.ts';
import { DEPLOYMENT_ID, newDeploymentId } from '../ids.ts';
import { readName, readObject, readStringList, readTimestamp } from '../input.ts';
import { deploymentState, scheduleDeployment } from '../lifecycle.ts';
import {
  ACTIVE_STATUSES,
  type CodeDeployState,
  DEPLOYMENT_STATUSES,
  type DeploymentRecord,
  type DeploymentStatus,
} from '../model.ts';
import { paginate } from '../paging.ts';
import { checkRevision, parseRevision } from '../revision.ts';
import {
  type OperationContext,
  requireApplication,
  requireDeploymentConfig,
  requireDeploymentGroup,
} from './context.ts';
import { deploymentInfo } from './views.ts';

const BATCH_LIMIT = 25;
/** Makes a sort key that orders deployments newest first, then by ID. */
const NEWEST_FIRST = (d: DeploymentRecord): string =>
  `${(Number.MAX_SAFE_INTEGER - d.createTime).toString().padStart(16, '0')}|${d.deploymentId}`;

const appName = (input: Record<string, unknown>): string =>
  readName(input, 'applicationName', applicationNameRequired, invalidApplicationName);
const groupName = (input: Record<string, unknown>): string =>
  readName(input, 'deploymentGroupName', deploymentGroupNameRequired, invalidDeploymentGroupName);

function activeDeployment(
  state: CodeDeployState,
  region: string,
  application: string,
  group: string,
  now: number,
): DeploymentRecord | undefined {
  return state.deployments.find(
    (d) =>
      d.region === region &&
      d.applicationName === application &&
      d.deploymentGroupName === group &&
      ACTIVE_STATUSES.has(deploymentState(d, now).status),
  );
}

/**
 * Checks the application, group, configuration and revision (see revision.ts), refuses a second active
 * deployment in the group, and records a deployment whose lifecycle then runs on the clock.
 */
export async function createDeployment(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const applicationName = appName(input);
  const deploymentGroupName = groupName(input);
  const initial = op.store.current;
  const app = requireApplication(initial, ctx.region, applicationName);
  const group = requireDeploymentGroup(initial, ctx.region, applicationName, deploymentGroupName);
  const configName = optionalString(input, 'deploymentConfigName');
  const deploymentConfigName =
    configName === undefined
      ? group.deploymentConfigName
      : requireDeploymentConfig(configName, app.computePlatform);
  const description = optionalString(input, 'description');
  const revision = parseRevision(input.revision);

  const assertIdle = (state: CodeDeployState): void => {
    const active = activeDeployment(state, ctx.region, applicationName, deploymentGroupName, op.now());
    if (active) throw deploymentLimitExceeded(deploymentGroupName, active.deploymentId);
  };
  assertIdle(initial);

  await checkRevision(revision, {
    s3: op.s3,
    region: group.region,
    deploymentGroupName,
    computePlatform: group.computePlatform,
    scratchDir: op.scratchDir,
  });

  // The revision check awaited: look again, synchronously from here to the push.
  const state = op.store.current;
  requireApplication(state, ctx.region, applicationName);
  requireDeploymentGroup(state, ctx.region, applicationName, deploymentGroupName);
  assertIdle(state);
  const deploymentId = newDeploymentId();
  state.deployments.push({
    region: ctx.region,
    deploymentId,
    applicationName,
    deploymentGroupName,
    deploymentConfigName,
    computePlatform: group.computePlatform,
    revision,
    ...(description !== undefined ? { description } : {}),
    ...scheduleDeployment(op.now(), op.durations, op.timeScale),
    outcome: op.failures.take(ctx.region, applicationName, deploymentGroupName),
  });
  await op.store.save();
  return { deploymentId };
}

function readDeploymentId(value: unknown): string {
  if (value === undefined || value === null || value === '') throw deploymentIdRequired();
  if (typeof value !== 'string' || !DEPLOYMENT_ID.test(value)) throw invalidDeploymentId(String(value));
  return value;
}

function findDeployment(state: CodeDeployState, region: string, id: string): DeploymentRecord | undefined {
  return state.deployments.find((d) => d.region === region && d.deploymentId === id);
}

/** GetDeployment: the deployment as it stands on the clock now. */
export async function getDeployment(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const id = readDeploymentId(input.deploymentId);
  const deployment = findDeployment(op.store.current, ctx.region, id);
  if (!deployment) throw deploymentDoesNotExist(id);
  return { deploymentInfo: deploymentInfo(deployment, op.now()) };
}

/** Up to 25 deployments; IDs that match no deployment are left out of the answer. */
export async function batchGetDeployments(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const ids = readStringList(input, 'deploymentIds');
  if (!ids || ids.length === 0) throw deploymentIdRequired();
  if (ids.length > BATCH_LIMIT) throw batchLimitExceeded(BATCH_LIMIT);
  const now = op.now();
  const infos = ids
    .map(readDeploymentId)
    .map((id) => findDeployment(op.store.current, ctx.region, id))
    .filter((d): d is DeploymentRecord => d !== undefined)
    .map((d) => deploymentInfo(d, now));
  return { deploymentsInfo: infos };
}

function readStatuses(input: Record<string, unknown>): ReadonlySet<DeploymentStatus> | undefined {
  const statuses = readStringList(input, 'includeOnlyStatuses');
  if (!statuses || statuses.length === 0) return undefined;
  for (const s of statuses) {
    if (!(DEPLOYMENT_STATUSES as readonly string[]).includes(s)) throw invalidDeploymentStatus(s);
  }
  return new Set(statuses as DeploymentStatus[]);
}

function readTimeRange(input: Record<string, unknown>): { start?: number; end?: number } {
  const range = readObject(input, 'createTimeRange');
  if (!range) return {};
  const unreadable = () => invalidTimeRange('createTimeRange start and end must be timestamps');
  const start = readTimestamp(range.start, unreadable);
  const end = readTimestamp(range.end, unreadable);
  if (start !== undefined && end !== undefined && start > end) {
    throw invalidTimeRange('createTimeRange start must not be later than its end');
  }
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/**
 * The IDs of the deployments of one group (or, without names, of the region), newest first, filtered by
 * status and by creation time (both ends inclusive).
 */
export async function listDeployments(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const hasApp = input.applicationName !== undefined && input.applicationName !== null;
  const hasGroup = input.deploymentGroupName !== undefined && input.deploymentGroupName !== null;
  const state = op.store.current;
  let application: string | undefined;
  let group: string | undefined;
  if (hasApp || hasGroup) {
    application = appName(input);
    requireApplication(state, ctx.region, application);
    group = groupName(input);
    requireDeploymentGroup(state, ctx.region, application, group);
  }
  // Deployments started by CloudFormation carry an external ID; none made here do.
  const externalId = optionalString(input, 'externalId');
  const statuses = readStatuses(input);
  const { start, end } = readTimeRange(input);
  const now = op.now();
  const matching = state.deployments.filter(
    (d) =>
      externalId === undefined &&
      d.region === ctx.region &&
      (application === undefined || d.applicationName === application) &&
      (group === undefined || d.deploymentGroupName === group) &&
      (start === undefined || d.createTime >= start) &&
      (end === undefined || d.createTime <= end) &&
      (statuses === undefined || statuses.has(deploymentState(d, now).status)),
  );
  const page = paginate(matching, NEWEST_FIRST, optionalString(input, 'nextToken'), op.pageSize);
  return {
    deployments: page.items.map((d) => d.deploymentId),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

/** Stops an active deployment at once (it reads Stopped from now on). */
export async function stopDeployment(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const id = readDeploymentId(input.deploymentId);
  const state = op.store.current;
  const index = state.deployments.findIndex((d) => d.region === ctx.region && d.deploymentId === id);
  const deployment = state.deployments[index];
  if (!deployment) throw deploymentDoesNotExist(id);
  const now = op.now();
  if (!ACTIVE_STATUSES.has(deploymentState(deployment, now).status)) throw deploymentAlreadyCompleted(id);
  state.deployments[index] = { ...deployment, stopTime: now };
  await op.store.save();
  return {
    status: 'Pending',
    statusMessage: 'Stopping Pending. Stopping to schedule commands in the deployment instances',
  };
}
