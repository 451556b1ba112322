/**
 * `relay deploy s3://bucket/key --application A --deployment-group G`: deploys a replica the relay wrote,
 * on demand, with the operator's own credentials, through the same newest-aware, exactly-once logic as
 * the workflow (the group's deployment ledger), then shows the deployment until it ends.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DeploymentFailed, DeploymentGroupBusy, DeploymentTimedOut } from '../../core/errors.ts';
import type { DeploymentRun, DeploymentState } from '../../core/workflow.ts';
import { checkDeployment } from '../../functions/check-deployment/check.ts';
import { startDeployment } from '../../functions/start-deployment/start.ts';
import { bucketRegion } from '../aws/bucket-region.ts';
import type { Connection, ConnectionOptions } from '../aws/connection.ts';
import { withConnection } from '../aws/session.ts';
import type { JsonFlag } from '../common-options.ts';
import { type BundleType, replicaDeployInput } from '../deploy/replica-input.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import type { S3Url } from '../options.ts';
import { createOutput, type Output } from '../output/output.ts';
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

/** Seconds between two looks at a busy group or a running deployment. */
function pollSeconds(conn: Connection): number {
  return conn.isLocal ? 0.2 : 5;
}

async function start(
  conn: Connection,
  input: ReturnType<typeof replicaDeployInput>,
  rollback: boolean,
  deadline: number,
  out: Output,
): Promise<DeploymentState> {
  const deps = { codeDeployClientFor: conn.codeDeploy, s3ClientFor: conn.s3 };
  for (;;) {
    try {
      return await startDeployment(input, deps, {}, { rollback });
    } catch (err) {
      if (!(err instanceof DeploymentGroupBusy) || Date.now() > deadline) throw err;
      out.progress(`waiting: ${err.message}`);
      await delay(pollSeconds(conn) * 1000);
    }
  }
}

async function follow(
  conn: Connection,
  input: ReturnType<typeof replicaDeployInput>,
  started: DeploymentRun,
  out: Output,
): Promise<DeploymentRun> {
  let state = started;
  let shown = state.status;
  while (!state.done) {
    await delay(pollSeconds(conn) * 1000);
    const next = await checkDeployment(
      { ...input, deployment: state },
      { codeDeployClientFor: conn.codeDeploy },
    );
    if (!('id' in next)) break;
    state = next;
    if (state.status !== shown) {
      out.endProgress();
      out.line(`  ${state.id} ${state.status}`);
      shown = state.status;
    }
  }
  return state;
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
    const deadline = Date.now() + timeoutSeconds * 1000;
    const started = await start(conn, input, flags.rollback === true, deadline, out);
    out.endProgress();
    if (!('id' in started)) {
      throw new CliError(
        `${started.detail}. Deploying this build is a rollback: run again with --rollback to deploy it anyway`,
      );
    }
    const label = `${flags.application}/${flags.deploymentGroup} in ${region}`;
    out.line(
      `${flags.rollback ? 'Rolling back' : 'Deploying'} s3://${url.bucket}/${url.key}${replica.versionId === undefined ? '' : ` (version ${replica.versionId})`} to ${label}`,
    );
    out.line(`  ${started.id} ${started.status}`);
    if (flags.wait === false) return { region, deployment: started };
    try {
      return { region, deployment: await follow(conn, input, started, out) };
    } catch (err) {
      if (err instanceof DeploymentFailed || err instanceof DeploymentTimedOut) {
        out.document({ region, deployment: { id: started.id, status: 'Failed' }, error: err.message });
        throw new CliError(err.message);
      }
      throw err;
    }
  });
  out.document(result);
}
