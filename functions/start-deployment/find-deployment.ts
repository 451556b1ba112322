import {
  BatchGetDeploymentsCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentStatus,
  ListDeploymentsCommand,
  type RevisionLocation,
} from '@aws-sdk/client-codedeploy';
import type { DeployConfig } from '../../core/config/schema.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';
import { deploysRevision } from './revision.ts';

/** How far back a deployment of the same revision is looked for: Step Functions' redrive window (14 days). */
export const REUSE_WINDOW_MS = 14 * 24 * 3600 * 1000;

/** ListDeployments pages read at most (each up to 100 deployments). */
export const MAX_LIST_PAGES = 20;

/** Statuses of a deployment worth reusing: anything but Failed and Stopped. */
export const REUSABLE_STATUSES: readonly DeploymentStatus[] = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
  'Succeeded',
];

/** A deployment still on its way: what a claim replacing another build may find and reuse. */
export const ACTIVE_STATUSES: readonly DeploymentStatus[] = [
  'Created',
  'Queued',
  'InProgress',
  'Baking',
  'Ready',
];

/** BatchGetDeployments takes at most 25 ids. */
const BATCH_SIZE = 25;

/**
 * A recent deployment in the group, not failed or stopped, of exactly this revision — what makes
 * StartDeployment idempotent across duplicate events, retries and redrives.
 */
export async function findDeploymentOfRevision(
  client: CodeDeployClient,
  deploy: DeployConfig,
  revision: RevisionLocation,
  now: number,
  signal: AbortSignal | undefined,
  statuses: readonly DeploymentStatus[] = REUSABLE_STATUSES,
): Promise<DeploymentInfo | undefined> {
  const context = { operation: 'codedeploy:ListDeployments', side: 'target' as const };
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const listed = await awsCall(
      () =>
        client.send(
          new ListDeploymentsCommand({
            applicationName: deploy.application,
            deploymentGroupName: deploy.deploymentGroup,
            includeOnlyStatuses: [...statuses],
            createTimeRange: { start: new Date(now - REUSE_WINDOW_MS), end: new Date(now) },
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
          sendOptions(signal),
        ),
      context,
    );
    const ids = listed.deployments ?? [];
    for (let i = 0; i < ids.length; i += BATCH_SIZE) {
      const batch = await awsCall(
        () =>
          client.send(
            new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(i, i + BATCH_SIZE) }),
            sendOptions(signal),
          ),
        { ...context, operation: 'codedeploy:BatchGetDeployments' },
      );
      const match = (batch.deploymentsInfo ?? []).find(
        (info) => statuses.some((status) => status === info.status) && deploysRevision(info, revision),
      );
      if (match !== undefined) return match;
    }
    nextToken = listed.nextToken;
    if (nextToken === undefined || nextToken === '') return undefined;
  }
  return undefined;
}
