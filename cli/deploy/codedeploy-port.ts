/**
 * `relay deploy`'s CodeDeploy adapter for the deployment logic's port (core/deployment/ports.ts), with
 * the operator's credentials: ListDeployments (`includeOnlyStatuses`, `createTimeRange`) then
 * BatchGetDeployments to find a deployment of a revision, CreateDeployment, and GetDeployment
 * (CodeDeploy API reference).
 */
import {
  BatchGetDeploymentsCommand,
  type CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import {
  BATCH_SIZE,
  deploysRevision,
  MAX_LIST_PAGES,
  REUSE_WINDOW_MS,
  revisionLocationOf,
} from '../../core/deployment/find.ts';
import type { DeploymentsPort } from '../../core/deployment/ports.ts';
import { UnexpectedAwsError } from '../../core/errors.ts';

async function call<T>(send: () => Promise<T>, operation: string, target: string): Promise<T> {
  try {
    return await send();
  } catch (err) {
    throw classifyAwsError(err, { operation, side: 'target', target });
  }
}

/** The CodeDeploy port over `client`; `label` names the group in error messages. */
export function codeDeployPort(client: CodeDeployClient, label: string): DeploymentsPort {
  return {
    async find(group, revision, statuses, now) {
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const listed = await call(
          () =>
            client.send(
              new ListDeploymentsCommand({
                applicationName: group.application,
                deploymentGroupName: group.deploymentGroup,
                includeOnlyStatuses: [...statuses],
                createTimeRange: { start: new Date(now - REUSE_WINDOW_MS), end: new Date(now) },
                ...(nextToken === undefined ? {} : { nextToken }),
              }),
            ),
          'codedeploy:ListDeployments',
          label,
        );
        const ids = listed.deployments ?? [];
        for (let i = 0; i < ids.length; i += BATCH_SIZE) {
          const batch = await call(
            () =>
              client.send(new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(i, i + BATCH_SIZE) })),
            'codedeploy:BatchGetDeployments',
            label,
          );
          const match = (batch.deploymentsInfo ?? []).find(
            (info) =>
              statuses.some((status) => status === info.status) && deploysRevision(info.revision, revision),
          );
          if (match?.deploymentId !== undefined) return { id: match.deploymentId, status: match.status };
        }
        nextToken = listed.nextToken;
        if (nextToken === undefined || nextToken === '') return undefined;
      }
      return undefined;
    },
    async create(request) {
      const response = await call(
        () =>
          client.send(
            new CreateDeploymentCommand({
              applicationName: request.application,
              deploymentGroupName: request.deploymentGroup,
              revision: revisionLocationOf(request.revision),
              ...(request.deploymentConfigName === undefined
                ? {}
                : { deploymentConfigName: request.deploymentConfigName }),
              description: request.description,
            }),
          ),
        'codedeploy:CreateDeployment',
        label,
      );
      if (response.deploymentId === undefined) {
        throw new UnexpectedAwsError('codedeploy:CreateDeployment returned no deployment id', {
          operation: 'codedeploy:CreateDeployment',
        });
      }
      return response.deploymentId;
    },
    async get(id) {
      const response = await call(
        () => client.send(new GetDeploymentCommand({ deploymentId: id })),
        'codedeploy:GetDeployment',
        label,
      );
      const info = response.deploymentInfo;
      if (info === undefined) return undefined;
      return {
        id,
        status: info.status,
        errorCode: info.errorInformation?.code,
        errorMessage: info.errorInformation?.message,
      };
    },
  };
}
