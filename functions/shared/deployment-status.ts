import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '../../core/workflow.ts';

/** CodeDeploy's status as the workflow records it; an unknown or missing one reads as `Created`. */
export function deploymentStatusOf(status: string | undefined): DeploymentStatus {
  return DEPLOYMENT_STATUSES.find((known) => known === status) ?? 'Created';
}
