/**
 * `relay deploy s3://bucket/key --application A --deployment-group G`: deploys a replica the relay wrote,
 * on demand, with the operator's own credentials, through the same newest-aware, exactly-once logic as
 * the workflow (core/deployment/start.ts and the group's deployment ledger), then shows the deployment
 * until it ends. An older build than the group's deploys only with `--rollback`.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { DeploymentPorts } from '../../core/deployment/ports.ts';
import { deployReplica, replicaOf } from '../../core/deployment/start.ts';
import { ledgerKey } from '../../core/deployment-ledger.ts';
import { DeploymentGroupBusy, isRelayError } from '../../core/errors.ts';
import type { DeploymentState, TaskInput } from '../../core/workflow.ts';
import { bucketRegion } from '../aws/bucket-region.ts';
import type { Connection, ConnectionOptions } from '../aws/connection.ts';
import { withConnection } from '../aws/session.ts';
import type { JsonFlag } from '../common-options.ts';
import { codeDeployPort } from '../deploy/codedeploy-port.ts';
import { followDeployment } from '../deploy/follow.ts';
import { type BundleType, replicaDeployInput } from '../deploy/replica-input.ts';
import { s3LedgerPort, s3ReplicaPort } from '../deploy/s3-ports.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import type { S3Url } from '../options.ts';
import { createOutput } from '../output/output.ts';
import { headObject } from '../status/objects.ts';

export interface DeployFlags extends ConnectionOptions, JsonFlag {
  readonly application: string;
  readonly deploymentGroup: string;
  readonly bundleType?: BundleType;
  readonly deploymentConfig?: string;
  readonly versionId?: string;
  readonly rollback?: boolean;
  readonly wait?: boolean;
  readonly timeout?: number;
}

/** Milliseconds between two looks at a busy group or a running deployment. */
export function pollMs(conn: Pick<Connection, 'isLocal'>): number {
  return conn.isLocal ? 200 : 5000;
}

/** The operator's clients a deployment on demand goes through (a Connection has them; so does the console). */
export type DeployClients = Pick<Connection, 's3' | 'codeDeploy'>;

/** The ports of this deployment, over the operator's clients in the replica's region. */
export function operatorPorts(conn: DeployClients, input: TaskInput, region: string): DeploymentPorts {
  const { target } = input;
  const deploy = target.deploy;
  if (deploy === undefined) throw new Error('relay deploy built an input without deploy settings');
  const { bucket, key } = replicaOf(input);
  const s3 = conn.s3(region);
  return {
    ledger: s3LedgerPort(s3, {
      bucket,
      key: ledgerKey(deploy.application, deploy.deploymentGroup),
      encryption: target.encryption,
    }),
    replica: s3ReplicaPort(s3, bucket, key),
    deployments: codeDeployPort(
      conn.codeDeploy(region),
      `${deploy.application}/${deploy.deploymentGroup}@${region}`,
    ),
  };
}

/** How `startOperatorDeployment` waits while another claimant is starting a deployment in the group. */
export interface StartOptions {
  readonly rollback: boolean;
  /** Milliseconds since the epoch past which a busy group's DeploymentGroupBusy is thrown. */
  readonly deadline: number;
  readonly pollMs: number;
  /** Told why it waits, each time it does. */
  readonly onWait: (message: string) => void;
}

/** Starts the deployment, waiting (until `deadline`) while another claimant is starting one in the group. */
export async function startOperatorDeployment(
  input: TaskInput,
  ports: DeploymentPorts,
  options: StartOptions,
): Promise<DeploymentState> {
  for (;;) {
    try {
      return await deployReplica(input, ports, Date.now(), options.rollback ? { rollback: true } : {});
    } catch (err) {
      if (!(err instanceof DeploymentGroupBusy) || Date.now() > options.deadline) throw err;
      options.onWait(`waiting: ${err.message}`);
      await delay(options.pollMs);
    }
  }
}

export async function runDeploy(url: S3Url, flags: DeployFlags): Promise<void> {
  if (url.key === '') throw new CliError('name a replica: s3://bucket/key', EXIT_CODES.usage);
  const out = createOutput(flags);
  const timeoutSeconds = flags.timeout ?? 3600;
  const result = await withConnection(flags, async (conn) => {
    const region = await bucketRegion(conn, url.bucket);
    const replica = await headObject(conn.s3(region), { ...url, versionId: flags.versionId });
    if (replica === undefined) {
      const version = flags.versionId === undefined ? '' : ` (version ${flags.versionId})`;
      throw new CliError(`s3://${url.bucket}/${url.key}${version} does not exist in ${region}`);
    }
    const input = replicaDeployInput(
      {
        bucket: url.bucket,
        key: url.key,
        region,
        application: flags.application,
        deploymentGroup: flags.deploymentGroup,
        bundleType: flags.bundleType,
        deploymentConfigName: flags.deploymentConfig,
        waitTimeoutSeconds: timeoutSeconds,
      },
      replica,
    );
    const ports = operatorPorts(conn, input, region);
    const deadline = Date.now() + timeoutSeconds * 1000;
    let started: DeploymentState;
    try {
      started = await startOperatorDeployment(input, ports, {
        rollback: flags.rollback === true,
        deadline,
        pollMs: pollMs(conn),
        onWait: (message) => out.progress(message),
      });
    } catch (err) {
      if (isRelayError(err)) throw new CliError(err.message, EXIT_CODES.failure, { cause: err });
      throw err;
    } finally {
      out.endProgress();
    }
    if (!('id' in started)) {
      throw new CliError(
        `${started.detail}. Deploying this build is a rollback: run again with --rollback to deploy it anyway`,
      );
    }
    const label = `${flags.application}/${flags.deploymentGroup} in ${region}`;
    const version = replica.versionId === undefined ? '' : ` (version ${replica.versionId})`;
    out.line(
      `${flags.rollback === true ? 'Rolling back' : 'Deploying'} s3://${url.bucket}/${url.key}${version} to ${label}`,
    );
    out.line(`  ${started.id} ${started.status}`);
    if (flags.wait === false) return { region, deployment: started };
    const ended = await followDeployment(ports.deployments, started, {
      pollMs: pollMs(conn),
      deadline,
      onStatus: (run) => out.line(`  ${run.id} ${run.status}`),
    });
    return { region, deployment: ended };
  });
  out.document(result);
}
