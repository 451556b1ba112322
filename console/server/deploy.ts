/**
 * The console's Deploy…: a verified replica deployed on demand, exactly as `relay deploy` deploys it
 * (cli/actions/deploy.ts, cli/deploy/: HEAD of the replica, the task input its stamp describes, the
 * group's ledger and the newest-aware deployReplica), with the operator's own credentials. An older
 * build than the group's deploys only with `rollback=true`, as `--rollback`. Then one look at a time at
 * the deployment: CodeDeploy GetDeployment (a deployment ends Succeeded, Failed or Stopped — CodeDeploy
 * API reference, DeploymentInfo `status`).
 */
import { operatorPorts, pollMs, startOperatorDeployment } from '../../cli/actions/deploy.ts';
import { codeDeployPort } from '../../cli/deploy/codedeploy-port.ts';
import { type BundleType, replicaDeployInput } from '../../cli/deploy/replica-input.ts';
import { CliError } from '../../cli/errors.ts';
import { headObject } from '../../cli/status/objects.ts';
import { BUNDLE_TYPES } from '../../core/config/schema.ts';
import { deploymentFailure, deploymentStatusOf, isFailedStatus } from '../../core/deployment/status.ts';
import { DeploymentGroupBusy } from '../../core/errors.ts';
import type { DeployAnswer, DeploymentStatusAnswer } from '../api-types.ts';
import type { ConsoleBackend } from './api.ts';
import { BadRequestError, GroupBusyError, NotFoundError } from './errors.ts';
import { optional, required } from './query.ts';

/** How long one request waits while another claimant is starting a deployment in the group. */
export const BUSY_WAIT_MS = 30_000;
/** How long the deployment may run, as `relay deploy`'s default `--timeout`. */
const WAIT_TIMEOUT_SECONDS = 3600;

function bundleTypeOf(query: URLSearchParams): BundleType | undefined {
  const value = optional(query, 'bundleType');
  if (value === undefined) return undefined;
  const found = BUNDLE_TYPES.find((type) => type === value);
  if (found === undefined) throw new BadRequestError(`bundleType must be one of ${BUNDLE_TYPES.join(', ')}`);
  return found;
}

function rollbackOf(query: URLSearchParams): boolean {
  const value = optional(query, 'rollback');
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new BadRequestError('rollback must be true or false');
}

/** The clients the deployment goes through: the console's connection (the operator's credentials). */
function clientsOf(backend: ConsoleBackend) {
  return {
    s3: (region: string) => backend.s3For(region),
    codeDeploy: (region: string) => backend.codeDeployFor(region),
  };
}

/** POST /api/deploy — `relay deploy s3://bucket/key --application --deployment-group [--rollback]`. */
export async function deployOnDemand(
  backend: ConsoleBackend,
  query: URLSearchParams,
  isLocal: boolean,
): Promise<DeployAnswer> {
  const bucket = required(query, 'bucket');
  const key = required(query, 'key');
  const region = required(query, 'region');
  const application = required(query, 'application');
  const deploymentGroup = required(query, 'deploymentGroup');
  const versionId = optional(query, 'versionId');
  const bundleType = bundleTypeOf(query);
  const rollback = rollbackOf(query);
  const replica = await headObject(backend.s3For(region), { bucket, key, versionId });
  if (replica === undefined) {
    const version = versionId === undefined ? '' : ` (version ${versionId})`;
    throw new NotFoundError(`s3://${bucket}/${key}${version} does not exist in ${region}`);
  }
  let input: ReturnType<typeof replicaDeployInput>;
  try {
    input = replicaDeployInput(
      {
        bucket,
        key,
        region,
        application,
        deploymentGroup,
        bundleType,
        deploymentConfigName: optional(query, 'deploymentConfig'),
        waitTimeoutSeconds: WAIT_TIMEOUT_SECONDS,
      },
      replica,
    );
  } catch (err) {
    if (err instanceof CliError) throw new BadRequestError(err.message);
    throw err;
  }
  const ports = operatorPorts(clientsOf(backend), input, region);
  let started: Awaited<ReturnType<typeof startOperatorDeployment>>;
  try {
    started = await startOperatorDeployment(input, ports, {
      rollback,
      deadline: Date.now() + BUSY_WAIT_MS,
      pollMs: pollMs({ isLocal }),
      onWait: () => undefined,
    });
  } catch (err) {
    if (err instanceof DeploymentGroupBusy) throw new GroupBusyError(err.message);
    throw err;
  }
  const base = {
    bucket,
    key,
    region,
    application,
    deploymentGroup,
    versionId: replica.versionId ?? null,
    rollback,
  };
  if (!('id' in started)) {
    return {
      ...base,
      action: 'skipped',
      deploymentId: null,
      status: started.status,
      done: true,
      detail: started.detail,
      newerDeploymentId: started.newerDeploymentId ?? null,
    };
  }
  return {
    ...base,
    action: 'started',
    deploymentId: started.id,
    status: started.status,
    done: started.done,
    detail: null,
    newerDeploymentId: null,
  };
}

/** GET /api/deploy/status?region=&deploymentId= — one GetDeployment, as `relay deploy` follows it. */
export async function deploymentStatus(
  backend: ConsoleBackend,
  query: URLSearchParams,
): Promise<DeploymentStatusAnswer> {
  const region = required(query, 'region');
  const deploymentId = required(query, 'deploymentId');
  const port = codeDeployPort(backend.codeDeployFor(region), `${deploymentId}@${region}`);
  const info = await port.get(deploymentId);
  if (info === undefined) throw new NotFoundError(`no deployment ${deploymentId} in ${region}`);
  const status = deploymentStatusOf(info.status);
  const failed = isFailedStatus(status);
  return {
    deploymentId,
    status,
    ended: failed || status === 'Succeeded',
    failed,
    message: failed
      ? deploymentFailure(deploymentId, `The deployment ${deploymentId}`, status, {
          errorInformation: { code: info.errorCode, message: info.errorMessage },
        }).message
      : null,
  };
}
