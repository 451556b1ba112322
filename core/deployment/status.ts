/**
 * CodeDeploy deployment statuses as the relay reads them (CodeDeploy API reference, DeploymentInfo
 * `status`): which count as failed, which as still on their way, and the error for a failed one.
 */
import { DeploymentFailed } from '../errors.ts';
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '../workflow.ts';

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

/** A deployment's error information, as DeploymentInfo's `errorInformation` carries it. */
export interface DeploymentErrorInformation {
  readonly errorInformation?:
    | { readonly code?: string | undefined; readonly message?: string | undefined }
    | undefined;
}

/**
 * The error for a deployment CodeDeploy reports `Failed`/`Stopped`, with its error code and message;
 * `label` names the deployment, `advice` (optional) says what to do.
 */
export function deploymentFailure(
  id: string,
  label: string,
  status: 'Failed' | 'Stopped',
  info: DeploymentErrorInformation | undefined,
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
