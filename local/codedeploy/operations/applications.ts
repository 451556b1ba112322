/** CreateApplication, GetApplication, BatchGetApplications, ListApplications, DeleteApplication. */
import { optionalString } from '../../protocol/json.ts';
import type { RequestContext } from '../../types.ts';
import {
  applicationAlreadyExists,
  applicationDoesNotExist,
  applicationNameRequired,
  batchLimitExceeded,
  invalidApplicationName,
  invalidComputePlatform,
} from '../errors.ts';
import { newResourceId } from '../ids.ts';
import { readName, readStringList } from '../input.ts';
import { COMPUTE_PLATFORMS, type ComputePlatform } from '../model.ts';
import { paginate } from '../paging.ts';
import { type OperationContext, requireApplication } from './context.ts';
import { applicationInfo } from './views.ts';

const BATCH_LIMIT = 100;

const appName = (input: Record<string, unknown>): string =>
  readName(input, 'applicationName', applicationNameRequired, invalidApplicationName);

/** CreateApplication: a new application in the request's region (compute platform `Server` by default). */
export async function createApplication(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const applicationName = appName(input);
  const platform = optionalString(input, 'computePlatform') ?? 'Server';
  if (!(COMPUTE_PLATFORMS as readonly string[]).includes(platform)) throw invalidComputePlatform(platform);
  const state = op.store.current;
  if (state.applications.some((a) => a.region === ctx.region && a.applicationName === applicationName)) {
    throw applicationAlreadyExists(applicationName);
  }
  const applicationId = newResourceId();
  state.applications.push({
    region: ctx.region,
    applicationId,
    applicationName,
    computePlatform: platform as ComputePlatform,
    createTime: op.now(),
  });
  await op.store.save();
  return { applicationId };
}

/** GetApplication. */
export async function getApplication(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  return { application: applicationInfo(requireApplication(op.store.current, ctx.region, appName(input))) };
}

/** BatchGetApplications: every named application (up to 100), or ApplicationDoesNotExistException. */
export async function batchGetApplications(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const names = readStringList(input, 'applicationNames');
  if (!names || names.length === 0) throw applicationNameRequired();
  if (names.length > BATCH_LIMIT) throw batchLimitExceeded(BATCH_LIMIT);
  const apps = names.map((name) => {
    const app = op.store.current.applications.find(
      (a) => a.region === ctx.region && a.applicationName === name,
    );
    if (!app) throw applicationDoesNotExist(name);
    return applicationInfo(app);
  });
  return { applicationsInfo: apps };
}

/** ListApplications: the region's application names, in name order, a page at a time. */
export async function listApplications(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const names = op.store.current.applications
    .filter((a) => a.region === ctx.region)
    .map((a) => a.applicationName);
  const page = paginate(names, (n) => n, optionalString(input, 'nextToken'), op.pageSize);
  return { applications: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/** Deletes the application with its deployment groups and deployments; a missing application is not an error. */
export async function deleteApplication(
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
): Promise<unknown> {
  const applicationName = appName(input);
  const state = op.store.current;
  const other = <T extends { region: string; applicationName: string }>(r: T): boolean =>
    !(r.region === ctx.region && r.applicationName === applicationName);
  const before = state.applications.length;
  state.applications.splice(0, state.applications.length, ...state.applications.filter(other));
  if (state.applications.length === before) return {};
  state.deploymentGroups.splice(0, state.deploymentGroups.length, ...state.deploymentGroups.filter(other));
  state.deployments.splice(0, state.deployments.length, ...state.deployments.filter(other));
  await op.store.save();
  return {};
}
