import { GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DeploymentTimedOut, InvalidInput } from '../../core/errors.ts';
import type { DeploymentState, TaskInput } from '../../core/workflow.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';
import type { CodeDeployClientFor } from '../shared/clients.ts';
import {
  deploymentFailure,
  deploymentStatusOf,
  isFailedStatus,
  REDRIVE_ADVICE,
} from '../shared/deployment-status.ts';
import { type Clock, systemClock, type TaskOptions } from '../shared/task.ts';

/** What the CheckDeployment task needs. */
export interface CheckDeploymentDeps {
  readonly codeDeployClientFor: CodeDeployClientFor;
  readonly clock?: Clock;
}

/**
 * The CheckDeployment task: reads the deployment's status. `Succeeded` is done; `Failed` and
 * `Stopped` are the error `DeploymentFailed` with CodeDeploy's error code and message; anything
 * else keeps the state machine waiting — until the target's `waitTimeoutSeconds` have passed since
 * the deployment was created, which is `DeploymentTimedOut`.
 */
export async function checkDeployment(
  input: TaskInput,
  deps: CheckDeploymentDeps,
  options: TaskOptions = {},
): Promise<DeploymentState> {
  const deploy = input.target.deploy;
  const id = input.deployment !== undefined && 'id' in input.deployment ? input.deployment.id : undefined;
  if (deploy === undefined || id === undefined) {
    throw new InvalidInput(
      'CheckDeployment needs a target with "deploy" settings and the started "deployment"',
    );
  }
  const label = `Deployment ${id} (${deploy.application}/${deploy.deploymentGroup} in ${input.target.region})`;
  const response = await awsCall(
    () =>
      deps
        .codeDeployClientFor(input.target.region)
        .send(new GetDeploymentCommand({ deploymentId: id }), sendOptions(options.signal)),
    {
      operation: 'codedeploy:GetDeployment',
      side: 'target',
      target: `${deploy.application}/${deploy.deploymentGroup}@${input.target.region}`,
    },
  );
  const info = response.deploymentInfo;
  const status = deploymentStatusOf(info?.status);
  if (status === 'Succeeded') return { id, status, done: true };
  if (isFailedStatus(status)) throw deploymentFailure(id, label, status, info, REDRIVE_ADVICE);
  const created = info?.createTime?.getTime();
  const now = (deps.clock ?? systemClock)();
  if (created !== undefined && now - created > deploy.waitTimeoutSeconds * 1000) {
    throw new DeploymentTimedOut(
      `${label} is still ${status} after ${deploy.waitTimeoutSeconds} s (the target's deploy.waitTimeoutSeconds); the relay stops waiting, the deployment itself goes on`,
    );
  }
  return { id, status, done: false };
}
