/** The UI's calls to the console's JSON API; mutating calls carry the page's token. */
import {
  type ApprovalAnswerView,
  type BackfillDetailView,
  type BackfillPage,
  type DeployAnswer,
  type DeploymentGroupPage,
  type DeploymentStatusAnswer,
  type DeploymentsView,
  type ErrorAnswer,
  type ExecutionDetailView,
  type ExecutionPage,
  type MapRunChildrenPage,
  type RedriveAnswer,
  type RelayAgainAnswer,
  type ReplicasView,
  type StopAnswer,
  TOKEN_HEADER,
  TOKEN_META,
} from '../api-types.ts';
import { readExecutionDetail, readExecutionPage } from './read-views.ts';

/** An error answer from the API, with its message for people. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function token(): string {
  return document.querySelector(`meta[name="${TOKEN_META}"]`)?.getAttribute('content') ?? '';
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers } });
  const body = (await response.json()) as T | ErrorAnswer;
  if (!response.ok) {
    const answer = body as ErrorAnswer;
    throw new ApiError(response.status, answer.error, answer.message);
  }
  return body as T;
}

/** One page of the executions list (read tolerantly: read-views.ts). */
export async function listExecutions(options: {
  status: string;
  next?: string | undefined;
  /** Only executions whose source object (s3://bucket/key) or name contains it. */
  key?: string | undefined;
  /** ISO 8601: only executions started at or after it. */
  since?: string | undefined;
  /** ISO 8601: only executions started at or before it. */
  until?: string | undefined;
}): Promise<ExecutionPage> {
  const query = new URLSearchParams();
  if (options.status !== '') query.set('status', options.status);
  if (options.since !== undefined) query.set('since', options.since);
  if (options.until !== undefined) query.set('until', options.until);
  if (options.key !== undefined && options.key.trim() !== '') query.set('key', options.key.trim());
  if (options.next !== undefined) query.set('next', options.next);
  return readExecutionPage(await call<unknown>(`/api/executions?${query}`));
}

/** One execution (read tolerantly: read-views.ts). */
export async function getExecution(arn: string): Promise<ExecutionDetailView> {
  return readExecutionDetail(await call<unknown>(`/api/executions/${encodeURIComponent(arn)}`));
}

export function redriveExecution(arn: string): Promise<RedriveAnswer> {
  return call<RedriveAnswer>(`/api/executions/${encodeURIComponent(arn)}/redrive`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token() },
  });
}

export function stopExecution(arn: string): Promise<StopAnswer> {
  return call<StopAnswer>(`/api/executions/${encodeURIComponent(arn)}/stop`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token() },
  });
}

/**
 * Approves the deployment wave the execution waits on (`relay approve`), with an optional comment; `wave`
 * is the wave the page shows, so a page out of date decides nothing it did not show.
 */
export function approveWave(arn: string, wave: number, comment: string): Promise<ApprovalAnswerView> {
  return call<ApprovalAnswerView>(`/api/executions/${encodeURIComponent(arn)}/approve`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token(), 'content-type': 'application/json' },
    body: JSON.stringify(comment.trim() === '' ? { wave } : { wave, comment }),
  });
}

/** Rejects the deployment wave the execution waits on (`relay reject`), saying why. */
export function rejectWave(arn: string, wave: number, reason: string): Promise<ApprovalAnswerView> {
  return call<ApprovalAnswerView>(`/api/executions/${encodeURIComponent(arn)}/reject`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token(), 'content-type': 'application/json' },
    body: JSON.stringify({ wave, reason }),
  });
}

/** The replay of one object (`relay replay s3://bucket/key`). */
export function relayAgain(bucket: string, key: string): Promise<RelayAgainAnswer> {
  return call<RelayAgainAnswer>(`/api/relay-again?${new URLSearchParams({ bucket, key })}`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token() },
  });
}

export function getReplicas(object: {
  bucket: string;
  key: string;
  versionId?: string | undefined;
}): Promise<ReplicasView> {
  const query = new URLSearchParams({ bucket: object.bucket, key: object.key });
  if (object.versionId !== undefined) query.set('versionId', object.versionId);
  return call<ReplicasView>(`/api/replicas?${query}`);
}

export function getDeployments(): Promise<DeploymentsView> {
  return call<DeploymentsView>('/api/deployments');
}

export function getDeploymentGroupPage(group: {
  region: string;
  application: string;
  deploymentGroup: string;
  next: string;
}): Promise<DeploymentGroupPage> {
  return call<DeploymentGroupPage>(`/api/deployments/group?${new URLSearchParams(group)}`);
}

/** What the Deploy… form asks `relay deploy` to do. */
export interface DeployRequestView {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly versionId: string | null;
  readonly application: string;
  readonly deploymentGroup: string;
  readonly bundleType: string | null;
  readonly deploymentConfigName: string | null;
  readonly rollback: boolean;
}

/** `relay deploy s3://bucket/key --application --deployment-group [--rollback]`. */
export function deployReplica(request: DeployRequestView): Promise<DeployAnswer> {
  const query = new URLSearchParams({
    bucket: request.bucket,
    key: request.key,
    region: request.region,
    application: request.application,
    deploymentGroup: request.deploymentGroup,
    rollback: String(request.rollback),
  });
  if (request.versionId !== null) query.set('versionId', request.versionId);
  if (request.bundleType !== null) query.set('bundleType', request.bundleType);
  if (request.deploymentConfigName !== null) query.set('deploymentConfig', request.deploymentConfigName);
  return call<DeployAnswer>(`/api/deploy?${query}`, {
    method: 'POST',
    headers: { [TOKEN_HEADER]: token() },
  });
}

export function getDeploymentStatus(region: string, deploymentId: string): Promise<DeploymentStatusAnswer> {
  return call<DeploymentStatusAnswer>(`/api/deploy/status?${new URLSearchParams({ region, deploymentId })}`);
}

/** One page of backfills, newest first. */
export function listBackfills(next?: string): Promise<BackfillPage> {
  const query = new URLSearchParams();
  if (next !== undefined) query.set('next', next);
  return call<BackfillPage>(`/api/backfills?${query}`);
}

/** One backfill: work list, map runs, failed items. */
export function getBackfill(arn: string): Promise<BackfillDetailView> {
  return call<BackfillDetailView>(`/api/backfills/${encodeURIComponent(arn)}`);
}

/** One page of a map run's child executions (`status` filters them: ListExecutions' statusFilter). */
export function listMapRunChildren(
  mapRunArn: string,
  options: { status?: string | undefined; next?: string | undefined },
): Promise<MapRunChildrenPage> {
  const query = new URLSearchParams();
  if (options.status !== undefined && options.status !== '') query.set('status', options.status);
  if (options.next !== undefined) query.set('next', options.next);
  return call<MapRunChildrenPage>(`/api/map-runs/${encodeURIComponent(mapRunArn)}/executions?${query}`);
}
