import { type CodeDeployClient, CreateDeploymentCommand } from '@aws-sdk/client-codedeploy';
import type { DeployConfig } from '../../core/config/schema.ts';
import { InvalidInput, UnexpectedAwsError } from '../../core/errors.ts';
import type { DeploymentState, Replica, TaskInput } from '../../core/workflow.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';
import type { CodeDeployClientFor } from '../shared/clients.ts';
import { deploymentStatusOf } from '../shared/deployment-status.ts';
import { silentLog, type TaskLog } from '../shared/log.ts';
import { type Clock, systemClock, type TaskOptions } from '../shared/task.ts';
import { findDeploymentOfRevision } from './find-deployment.ts';
import { revisionOf } from './revision.ts';

/** What the StartDeployment task needs. */
export interface StartDeploymentDeps {
  readonly codeDeployClientFor: CodeDeployClientFor;
  readonly clock?: Clock;
  readonly log?: TaskLog;
}

function replicaOf(input: TaskInput): Replica {
  const copy = input.copy;
  if (copy === undefined || (copy.status !== 'copied' && copy.status !== 'in-sync')) {
    throw new InvalidInput(
      `StartDeployment needs a finished copy (copy.status "copied" or "in-sync"), got ${copy === undefined ? 'no copy' : `"${copy.status}"`}`,
    );
  }
  return copy.destination;
}

async function create(
  client: CodeDeployClient,
  input: TaskInput,
  deploy: DeployConfig,
  replica: Replica,
  signal: AbortSignal | undefined,
): Promise<string> {
  const response = await awsCall(
    () =>
      client.send(
        new CreateDeploymentCommand({
          applicationName: deploy.application,
          deploymentGroupName: deploy.deploymentGroup,
          revision: revisionOf(replica, deploy),
          ...(deploy.deploymentConfigName === undefined
            ? {}
            : { deploymentConfigName: deploy.deploymentConfigName }),
          description:
            `artifact-relay: s3://${replica.bucket}/${replica.key} from s3://${input.source.bucket}/${input.source.key}`.slice(
              0,
              1000,
            ),
        }),
        sendOptions(signal),
      ),
    {
      operation: 'codedeploy:CreateDeployment',
      side: 'target',
      target: `${deploy.application}/${deploy.deploymentGroup}@${input.target.region}`,
    },
  );
  if (response.deploymentId === undefined) {
    throw new UnexpectedAwsError('codedeploy:CreateDeployment returned no deployment id', {
      operation: 'codedeploy:CreateDeployment',
    });
  }
  return response.deploymentId;
}

/**
 * The StartDeployment task (DESIGN §2 "CodeDeploy"): in the target's region, reuses a recent
 * deployment of the same revision in the group (any status but Failed/Stopped), else creates one
 * with the replica as an S3 revision.
 *
 * @throws DeploymentGroupBusy (retryable) when the group already runs another deployment
 * @throws DeploymentRejected when CodeDeploy refuses the application, group, config or revision
 */
export async function startDeployment(
  input: TaskInput,
  deps: StartDeploymentDeps,
  options: TaskOptions = {},
): Promise<DeploymentState> {
  const deploy = input.target.deploy;
  if (deploy === undefined) throw new InvalidInput('StartDeployment needs a target with "deploy" settings');
  const replica = replicaOf(input);
  const log = deps.log ?? silentLog;
  const client = deps.codeDeployClientFor(input.target.region);
  const now = (deps.clock ?? systemClock)();
  const existing = await findDeploymentOfRevision(
    client,
    deploy,
    revisionOf(replica, deploy),
    now,
    options.signal,
  );
  if (existing?.deploymentId !== undefined) {
    const status = deploymentStatusOf(existing.status);
    log.info('Reusing the deployment of this revision', { deploymentId: existing.deploymentId, status });
    return { id: existing.deploymentId, status, done: status === 'Succeeded' };
  }
  const id = await create(client, input, deploy, replica, options.signal);
  log.info('Deployment created', {
    deploymentId: id,
    application: deploy.application,
    group: deploy.deploymentGroup,
  });
  return { id, status: 'Created', done: false };
}
