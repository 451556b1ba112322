import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { DeploymentFailed } from '../../core/errors.ts';
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '../../core/workflow.ts';

/** CodeDeploy's status as the workflow records it; an unknown or missing one reads as `Created`. */
export function deploymentStatusOf(status: string | undefined): DeploymentStatus {
  return DEPLOYMENT_STATUSES.find((known) => known === status) ?? 'Created';
}

/** What a person does about a failed deployment: the relay never deploys a failed revision again on its own. */
export const REDRIVE_ADVICE =
  'The relay does not deploy this revision again on its own: fix the cause, then redrive the execution (relay redrive) to deploy it once more';

/** Whether a deployment ended without deploying: `Failed` or `Stopped`. */
export function isFailedStatus(status: DeploymentStatus): status is 'Failed' | 'Stopped' {
  return status === 'Failed' || status === 'Stopped';
}

/**
 * The error for a deployment CodeDeploy reports `Failed`/`Stopped`, with its error code and message;
 * `label` names the deployment, `advice` (optional) says what to do.
 */
export function deploymentFailure(
  id: string,
  label: string,
  status: 'Failed' | 'Stopped',
  info: DeploymentInfo | undefined,
  advice?: string,
): DeploymentFailed {
  const code = info?.errorInformation?.code;
  const message = info?.errorInformation?.message;
  return new DeploymentFailed(
    id,
    `${label} ended ${status}${code === undefined ? '' : `: ${code}`}${message === undefined ? '' : ` — ${message}`}${advice === undefined ? '' : `. ${advice}`}`,
    { deploymentStatus: status, ...(code === undefined ? {} : { deploymentErrorCode: code }) },
  );
}
