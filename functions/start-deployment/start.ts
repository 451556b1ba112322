import { type DeploymentMode, deployReplica, replicaOf } from '../../core/deployment/start.ts';
import { InvalidInput } from '../../core/errors.ts';
import type { DeploymentState, TaskInput } from '../../core/workflow.ts';
import type { CodeDeployClientFor, S3ClientFor } from '../shared/clients.ts';
import type { GrantAdviceDeps } from '../shared/grant-advice.ts';
import type { TaskLog } from '../shared/log.ts';
import { type Clock, systemClock, type TaskOptions } from '../shared/task.ts';
import { taskDeploymentPorts } from './ports.ts';
import { waveReplica } from './wave-replica.ts';

export { MAX_LEDGER_ROUNDS } from '../../core/deployment/start.ts';

/** What the StartDeployment task needs. */
export interface StartDeploymentDeps extends GrantAdviceDeps {
  readonly codeDeployClientFor: CodeDeployClientFor;
  readonly s3ClientFor: S3ClientFor;
  readonly clock?: Clock;
  readonly log?: TaskLog;
}

/**
 * The StartDeployment task (DESIGN §2 "CodeDeploy", "Newest wins for deployments too"): in the
 * target's region, deploys the replica exactly once and never after a newer build — the logic of
 * core/deployment/start.ts, through this task's adapters (ports.ts) over its injected clients. In a
 * later deployment wave the input has no copy: the replica is the one the destination key holds
 * (wave-replica.ts).
 *
 * @throws DeploymentGroupBusy (retryable) when the group runs another deployment or another execution is starting one
 * @throws DeploymentFailed when this revision's deployment failed and this is not an operator's redrive
 * @throws DeploymentRejected when CodeDeploy refuses the application, group, config or revision
 */
export async function startDeployment(
  input: TaskInput,
  deps: StartDeploymentDeps,
  options: TaskOptions = {},
  mode: DeploymentMode = {},
): Promise<DeploymentState> {
  const deploy = input.target.deploy;
  if (deploy === undefined) throw new InvalidInput('StartDeployment needs a target with "deploy" settings');
  let replica = input.copy === undefined ? undefined : replicaOf(input);
  if (replica === undefined) {
    // A later deployment wave: no copy result in the input; the destination key tells which replica.
    const found = await waveReplica(input, deps.s3ClientFor, options.signal);
    if ('replacedBy' in found) {
      return { status: 'Skipped', done: true, reason: 'replica-replaced', detail: found.replacedBy };
    }
    replica = found.replica;
  }
  const ports = taskDeploymentPorts(deps, { ...input.target, deploy }, replica, options.signal);
  return deployReplica(
    { ...input, copy: { status: 'in-sync', bytes: input.source.size, destination: replica } },
    ports,
    (deps.clock ?? systemClock)(),
    mode,
  );
}
