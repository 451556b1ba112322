/**
 * Starting a deployment of a replica, exactly once and never after a newer build (DESIGN §2
 * "CodeDeploy", "Newest wins for deployments too"): the logic the StartDeployment task and
 * `relay deploy` share, reaching S3 and CodeDeploy only through ports (ports.ts).
 *
 * 1. A destination key that now holds a replica of a newer build → `Skipped` (`replica-replaced`).
 * 2. The group's deployment ledger (core/deployment-ledger.ts), changed only by conditional writes,
 *    decides: a newer build recorded → `Skipped` (`newer-build-deployed`); this revision's deployment
 *    recorded → reused (a Failed/Stopped one is `DeploymentFailed`, and a revision CodeDeploy refused is
 *    `DeploymentRejected` again, both final until an operator's redrive); another execution starting one
 *    → `DeploymentGroupBusy` (retried); else this claimant claims the group, then creates the deployment
 *    (CodeDeploy CreateDeployment) and records its id.
 *
 * An operator's rollback (`relay deploy --rollback`) deploys even though a newer build is current, and
 * records in the ledger the build it rolled back from (`rolledBackFrom`).
 */
import type { DeployConfig } from '../config/schema.ts';
import {
  type Claimant,
  claimRecord,
  decideFromLedger,
  type LedgerBuild,
  type LedgerRecord,
  mayRedeployAfterFailure,
  rollbackMark,
} from '../deployment-ledger.ts';
import { DeploymentGroupBusy, DeploymentRejected, InvalidInput } from '../errors.ts';
import type { DeploymentRun, DeploymentSkipped, DeploymentState, Replica, TaskInput } from '../workflow.ts';
import type { DeploymentLog, DeploymentPorts, DeploymentRevision } from './ports.ts';
import { replicaReplacedBy } from './replica-current.ts';
import {
  ACTIVE_STATUSES,
  deploymentFailure,
  deploymentStatusOf,
  isFailedStatus,
  REDRIVE_ADVICE,
  REUSABLE_STATUSES,
} from './status.ts';

/**
 * Ledger rounds per invocation: each round that loses a conditional write to another execution
 * reads the ledger again. Past this, the task fails retryably and the state machine tries later.
 */
export const MAX_LEDGER_ROUNDS = 5;

/** How an operator's on-demand deployment (`relay deploy`) differs from the workflow's. */
export interface DeploymentMode {
  /** Deploy this build even though the group has a newer one: a rollback, recorded as such in the ledger. */
  readonly rollback?: boolean;
}

const silent: DeploymentLog = { info: () => undefined, warn: () => undefined };

/** The replica a finished copy wrote. */
export function replicaOf(input: TaskInput): Replica {
  const copy = input.copy;
  if (copy === undefined || (copy.status !== 'copied' && copy.status !== 'in-sync')) {
    throw new InvalidInput(
      `StartDeployment needs a finished copy (copy.status "copied" or "in-sync"), got ${copy === undefined ? 'no copy' : `"${copy.status}"`}`,
    );
  }
  return copy.destination;
}

/** The CodeDeploy revision of a replica: the *destination* bucket and key, bundle type, ETag, version. */
export function revisionOf(replica: Replica, deploy: DeployConfig): DeploymentRevision {
  return {
    bucket: replica.bucket,
    key: replica.key,
    bundleType: deploy.bundleType,
    etag: replica.etag,
    ...(replica.versionId === undefined ? {} : { versionId: replica.versionId }),
  };
}

/** This execution's claim on a group: the execution and the replica it deploys, and its redrive count. */
function claimantOf(input: TaskInput, replica: Replica): Claimant {
  const execution = input.execution;
  if (execution === undefined) {
    throw new InvalidInput(
      'StartDeployment needs "execution": { "id", "redriveCount" } from the context object ($$.Execution) — the relay state machine passes it',
    );
  }
  return {
    execution: `${execution.id}#${replica.bucket}/${replica.key}`,
    redriveCount: execution.redriveCount,
  };
}

function buildOf(input: TaskInput, replica: Replica): LedgerBuild {
  const { source } = input;
  return {
    source: {
      bucket: source.bucket,
      key: source.key,
      etag: source.etag,
      ...(source.versionId === undefined ? {} : { versionId: source.versionId }),
      ...(source.sequencer === undefined ? {} : { sequencer: source.sequencer }),
      ...(source.lastModified === undefined ? {} : { lastModified: source.lastModified }),
    },
    revision: {
      bucket: replica.bucket,
      key: replica.key,
      etag: replica.etag,
      ...(replica.versionId === undefined ? {} : { versionId: replica.versionId }),
    },
  };
}

function skipped(
  reason: DeploymentSkipped['reason'],
  detail: string,
  newerDeploymentId?: string,
): DeploymentSkipped {
  return {
    status: 'Skipped',
    done: true,
    reason,
    detail,
    ...(newerDeploymentId === undefined ? {} : { newerDeploymentId }),
  };
}

/** One invocation's view of the world. */
class DeploymentStarter {
  private readonly log: DeploymentLog;
  /** A rollback's mark: the newest build the group had before it (see `rollbackMark`). */
  private mark: LedgerBuild['source'] | undefined;

  constructor(
    private readonly input: TaskInput,
    private readonly deploy: DeployConfig,
    private readonly replica: Replica,
    private readonly me: Claimant,
    private readonly ours: LedgerBuild,
    private readonly ports: DeploymentPorts,
    private readonly now: number,
    private readonly mode: DeploymentMode,
  ) {
    this.log = ports.log ?? silent;
  }

  private get group(): string {
    return `${this.deploy.application}/${this.deploy.deploymentGroup}@${this.input.target.region}`;
  }

  async run(): Promise<DeploymentState> {
    const replaced =
      this.mode.rollback === true
        ? undefined
        : replicaReplacedBy(await this.ports.replica.head(), this.input, this.replica);
    if (replaced !== undefined) {
      this.log.info('Deployment skipped: a newer build replaced the replica', { detail: replaced });
      return skipped('replica-replaced', replaced);
    }
    for (let round = 0; round < MAX_LEDGER_ROUNDS; round++) {
      const read = await this.ports.ledger.read();
      const decision = decideFromLedger({
        record: read.record,
        ours: this.ours,
        me: this.me,
        now: this.now,
        ...(this.mode.rollback === true ? { rollback: true } : {}),
      });
      switch (decision.action) {
        case 'skip':
          this.log.info('Deployment skipped: a newer build is deployed', { detail: decision.why });
          return skipped('newer-build-deployed', decision.why, decision.newerDeploymentId);
        case 'wait':
          throw new DeploymentGroupBusy(
            `${this.group}: ${decision.why}; the relay looks again after a pause`,
          );
        case 'reuse': {
          const reused = await this.reuse(decision.deploymentId, read.record, read.etag);
          if (reused !== undefined) return reused;
          break; // lost a race to replace a failed deployment: read again
        }
        case 'rejected': {
          if (read.record === undefined || !mayRedeployAfterFailure(read.record, this.me)) {
            throw new DeploymentRejected(
              `CodeDeploy refused this revision in ${this.group} (${decision.error}): ${decision.message}. ${REDRIVE_ADVICE}`,
            );
          }
          this.log.info('Redrive: trying again a revision CodeDeploy refused', { error: decision.error });
          const etag = await this.claim(read.etag, read.record);
          if (etag !== undefined) return await this.createAndRecord(etag);
          break;
        }
        case 'claim':
        case 'create': {
          const etag = await this.claim(read.etag, read.record);
          // A finished deployment of this revision counts when the claim was already ours, or when the
          // group has no ledger yet (deployments made before it); not when this claim replaces another build.
          const finishedCounts = decision.action === 'create' || read.record === undefined;
          if (etag !== undefined) return await this.createAndRecord(etag, finishedCounts);
          break; // another execution wrote the ledger first: read again
        }
      }
    }
    throw new DeploymentGroupBusy(
      `${this.group}: the deployment ledger kept changing under ${MAX_LEDGER_ROUNDS} attempts; the relay looks again after a pause`,
    );
  }

  /** The recorded deployment of our revision, unless it failed; a failed one is final but for an operator's redrive. */
  private async reuse(
    id: string,
    record: LedgerRecord | undefined,
    etag: string | undefined,
  ): Promise<DeploymentRun | undefined> {
    const info = await this.ports.deployments.get(id);
    const status = deploymentStatusOf(info?.status);
    if (!isFailedStatus(status)) {
      this.log.info('Reusing the deployment of this revision', { deploymentId: id, status });
      return { id, status, done: status === 'Succeeded' };
    }
    if (record === undefined || !mayRedeployAfterFailure(record, this.me)) {
      throw deploymentFailure(
        id,
        `The deployment ${id} of this revision (${this.group})`,
        status,
        errorInformationOf(info),
        REDRIVE_ADVICE,
      );
    }
    this.log.info('Redrive: deploying again after a failed deployment of this revision', { failed: id });
    const claimed = await this.claim(etag, record);
    return claimed === undefined ? undefined : await this.createAndRecord(claimed);
  }

  /** The record of this claim (a rollback keeps its mark). */
  private claimed(): LedgerRecord {
    const record = claimRecord(this.deploy, this.ours, this.me, this.now);
    return this.mark === undefined ? record : { ...record, rolledBackFrom: this.mark };
  }

  /** Writes (or refreshes) this claim; the new ETag, or `undefined` when another wrote first. */
  private claim(
    expected: string | undefined,
    previous: LedgerRecord | undefined,
  ): Promise<string | undefined> {
    this.mark = this.mode.rollback === true ? rollbackMark(previous, this.ours) : undefined;
    return this.ports.ledger.write(this.claimed(), expected);
  }

  /**
   * Holding the claim: finds a deployment of this revision the claimant may have created before a crash
   * kept it from recording it — with `finishedCounts`, one that has even succeeded since; otherwise only
   * one still running (an old succeeded one is not what the fleet runs after another build) — else
   * creates one; then records its id in the ledger.
   */
  private async createAndRecord(claimEtag: string, finishedCounts = false): Promise<DeploymentRun> {
    const existing = await this.ports.deployments.find(
      this.deploy,
      revisionOf(this.replica, this.deploy),
      finishedCounts ? REUSABLE_STATUSES : ACTIVE_STATUSES,
      this.now,
    );
    let run: DeploymentRun;
    if (existing !== undefined) {
      const status = deploymentStatusOf(existing.status);
      this.log.info('Reusing the deployment of this revision', { deploymentId: existing.id, status });
      run = { id: existing.id, status, done: status === 'Succeeded' };
    } else {
      const id = await this.createOrRecordRefusal(claimEtag);
      this.log.info('Deployment created', { deploymentId: id, group: this.group });
      run = { id, status: 'Created', done: false };
    }
    const recorded = await this.ports.ledger.write({ ...this.claimed(), deploymentId: run.id }, claimEtag);
    if (recorded === undefined) {
      this.log.warn('The deployment ledger changed before the deployment was recorded', {
        deploymentId: run.id,
        group: this.group,
      });
    }
    return run;
  }

  /** Creates the deployment; a refusal (DeploymentRejected) is recorded in the ledger before it is thrown. */
  private async createOrRecordRefusal(claimEtag: string): Promise<string> {
    const { deploy, replica, input } = this;
    try {
      return await this.ports.deployments.create({
        application: deploy.application,
        deploymentGroup: deploy.deploymentGroup,
        revision: revisionOf(replica, deploy),
        ...(deploy.deploymentConfigName === undefined
          ? {}
          : { deploymentConfigName: deploy.deploymentConfigName }),
        description:
          `artifact-relay: s3://${replica.bucket}/${replica.key} from s3://${input.source.bucket}/${input.source.key}`.slice(
            0,
            1000,
          ),
      });
    } catch (err) {
      if (err instanceof DeploymentRejected) {
        await this.ports.ledger.write(
          { ...this.claimed(), rejected: { error: err.awsCode ?? err.name, message: err.message } },
          claimEtag,
        );
      }
      throw err;
    }
  }
}

function errorInformationOf(
  info: { readonly errorCode?: string | undefined; readonly errorMessage?: string | undefined } | undefined,
): { errorInformation: { code?: string; message?: string } } | undefined {
  if (info === undefined) return undefined;
  return {
    errorInformation: {
      ...(info.errorCode === undefined ? {} : { code: info.errorCode }),
      ...(info.errorMessage === undefined ? {} : { message: info.errorMessage }),
    },
  };
}

/**
 * Deploys the replica of `input` (see the module comment) through `ports`, at `now` (ms since the epoch).
 *
 * @throws DeploymentGroupBusy (retryable) when the group runs another deployment or another claimant is starting one
 * @throws DeploymentFailed when this revision's deployment failed and this is not an operator's redrive
 * @throws DeploymentRejected when CodeDeploy refuses the application, group, config or revision
 */
export async function deployReplica(
  input: TaskInput,
  ports: DeploymentPorts,
  now: number,
  mode: DeploymentMode = {},
): Promise<DeploymentState> {
  const deploy = input.target.deploy;
  if (deploy === undefined) throw new InvalidInput('StartDeployment needs a target with "deploy" settings');
  const replica = replicaOf(input);
  const me = claimantOf(input, replica);
  return new DeploymentStarter(input, deploy, replica, me, buildOf(input, replica), ports, now, mode).run();
}
