/**
 * `relay deploy`: follows a deployment until it ends, polling CodeDeploy GetDeployment (a deployment
 * ends Succeeded, Failed or Stopped — CodeDeploy API reference, DeploymentInfo `status`).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { DeploymentsPort } from '../../core/deployment/ports.ts';
import { deploymentFailure, deploymentStatusOf, isFailedStatus } from '../../core/deployment/status.ts';
import type { DeploymentRun } from '../../core/workflow.ts';
import { CliError } from '../errors.ts';

/** What following needs. */
export interface FollowOptions {
  /** Milliseconds between two looks. */
  readonly pollMs: number;
  /** Milliseconds since the epoch past which following stops. */
  readonly deadline: number;
  /** Told each new status. */
  readonly onStatus: (run: DeploymentRun) => void;
}

/**
 * The deployment as it ended.
 *
 * @throws CliError when it ended Failed or Stopped (with CodeDeploy's error), or did not end in time
 */
export async function followDeployment(
  deployments: DeploymentsPort,
  started: DeploymentRun,
  options: FollowOptions,
): Promise<DeploymentRun> {
  let run = started;
  while (!run.done) {
    if (Date.now() > options.deadline) {
      throw new CliError(
        `the deployment ${run.id} has not ended in time (still ${run.status}); follow it with aws deploy get-deployment --deployment-id ${run.id}`,
      );
    }
    await delay(options.pollMs);
    const info = await deployments.get(run.id);
    const status = deploymentStatusOf(info?.status);
    if (isFailedStatus(status)) {
      const error =
        info === undefined
          ? undefined
          : { errorInformation: { code: info.errorCode, message: info.errorMessage } };
      throw new CliError(deploymentFailure(run.id, `The deployment ${run.id}`, status, error).message);
    }
    const next = { id: run.id, status, done: status === 'Succeeded' };
    if (next.status !== run.status) options.onStatus(next);
    run = next;
  }
  return run;
}
