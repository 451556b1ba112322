import {
  BatchGetDeploymentsCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentStatus,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import { BATCH_SIZE, MAX_LIST_PAGES, REUSE_WINDOW_MS } from '../../core/deployment/find.ts';
import type { DeploymentRevision } from '../../core/deployment/ports.ts';
import { REUSABLE_STATUSES } from '../../core/deployment/status.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';
import { deploysRevision } from './revision.ts';

/**
 * A recent deployment in the group, not failed or stopped, of exactly this revision — what makes
 * StartDeployment idempotent across duplicate events, retries and redrives.
 */
export async function findDeploymentOfRevision(
  client: CodeDeployClient,
  deploy: { readonly application: string; readonly deploymentGroup: string },
  revision: DeploymentRevision,
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
