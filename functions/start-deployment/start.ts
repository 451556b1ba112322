import {
  type CodeDeployClient,
  CreateDeploymentCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import type { DeployConfig } from '../../core/config/schema.ts';
import {
  type Claimant,
  claimRecord,
  decideFromLedger,
  type LedgerBuild,
  type LedgerRecord,
  ledgerKey,
  mayRedeployAfterFailure,
} from '../../core/deployment-ledger.ts';
import {
  DeploymentGroupBusy,
  DeploymentRejected,
  InvalidInput,
  UnexpectedAwsError,
} from '../../core/errors.ts';
import type {
  DeploymentRun,
  DeploymentSkipped,
  DeploymentState,
  Replica,
  TaskInput,
} from '../../core/workflow.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';
import type { CodeDeployClientFor, S3ClientFor } from '../shared/clients.ts';
import {
  deploymentFailure,
  deploymentStatusOf,
  isFailedStatus,
  REDRIVE_ADVICE,
} from '../shared/deployment-status.ts';
import type { GrantAdviceDeps } from '../shared/grant-advice.ts';
import { silentLog, type TaskLog } from '../shared/log.ts';
import { type Clock, systemClock, type TaskOptions } from '../shared/task.ts';
import { ACTIVE_STATUSES, findDeploymentOfRevision, REUSABLE_STATUSES } from './find-deployment.ts';
import { type LedgerLocation, readLedger, writeLedger } from './ledger-store.ts';
import { replicaReplacedBy } from './replica-current.ts';
import { revisionOf } from './revision.ts';

/** What the StartDeployment task needs. */
export interface StartDeploymentDeps extends GrantAdviceDeps {
  readonly codeDeployClientFor: CodeDeployClientFor;
  readonly s3ClientFor: S3ClientFor;
  readonly clock?: Clock;
  readonly log?: TaskLog;
}

/**
 * Ledger rounds per invocation: each round that loses a conditional write to another execution
 * reads the ledger again. Past this, the task fails retryably and the state machine tries later.
 */
export const MAX_LEDGER_ROUNDS = 5;

function replicaOf(input: TaskInput): Replica {
  const copy = input.copy;
  if (copy === undefined || (copy.status !== 'copied' && copy.status !== 'in-sync')) {
    throw new InvalidInput(
      `StartDeployment needs a finished copy (copy.status "copied" or "in-sync"), got ${copy === undefined ? 'no copy' : `"${copy.status}"`}`,
    );
  }
  return copy.destination;
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

function groupLabel(deploy: DeployConfig, region: string): string {
  return `${deploy.application}/${deploy.deploymentGroup}@${region}`;
}

/** One StartDeployment invocation's view of the world. */
class DeploymentStarter {
  private readonly codeDeploy: CodeDeployClient;
  private readonly location: LedgerLocation;
  private readonly signal: AbortSignal | undefined;
  private readonly log: TaskLog;
  private readonly now: number;

  constructor(
    private readonly input: TaskInput,
    private readonly deploy: DeployConfig,
    private readonly replica: Replica,
    private readonly me: Claimant,
    private readonly ours: LedgerBuild,
    private readonly deps: StartDeploymentDeps,
    options: TaskOptions,
  ) {
    this.codeDeploy = deps.codeDeployClientFor(input.target.region);
    this.location = {
      bucket: replica.bucket,
      key: ledgerKey(deploy.application, deploy.deploymentGroup),
      target: input.target,
    };
    this.signal = options.signal;
    this.log = deps.log ?? silentLog;
    this.now = (deps.clock ?? systemClock)();
  }

  private get s3() {
    return this.deps.s3ClientFor(this.input.target.region);
  }

  private get group(): string {
    return groupLabel(this.deploy, this.input.target.region);
  }

  async run(): Promise<DeploymentState> {
    const replaced = await replicaReplacedBy(this.s3, this.input, this.replica, this.signal);
    if (replaced !== undefined) {
      this.log.info('Deployment skipped: a newer build replaced the replica', { detail: replaced });
      return skipped('replica-replaced', replaced);
    }
    for (let round = 0; round < MAX_LEDGER_ROUNDS; round++) {
      const read = await readLedger(this.s3, this.location, this.signal);
      const decision = decideFromLedger({
        record: read.record,
        ours: this.ours,
        me: this.me,
        now: this.now,
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
          const etag = await this.claim(read.etag);
          if (etag !== undefined) return await this.createAndRecord(etag);
          break;
        }
        case 'claim':
        case 'create': {
          const etag = await this.claim(read.etag);
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
    const info = await this.getDeployment(id);
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
        info,
        REDRIVE_ADVICE,
      );
    }
    this.log.info('Redrive: deploying again after a failed deployment of this revision', { failed: id });
    const claimed = await this.claim(etag);
    return claimed === undefined ? undefined : await this.createAndRecord(claimed);
  }

  /** The record of this execution's claim. */
  private claimed(): LedgerRecord {
    return claimRecord(this.deploy, this.ours, this.me, this.now);
  }

  /** Writes (or refreshes) this execution's claim; the new ETag, or `undefined` when another wrote first. */
  private claim(expected: string | undefined): Promise<string | undefined> {
    return writeLedger(this.s3, this.location, this.claimed(), expected, this.signal);
  }

  /**
   * Holding the claim: finds a deployment of this revision the claimant may have created before a crash
   * kept it from recording it — with `finishedCounts`, one that has even succeeded since; otherwise only
   * one still running (an old succeeded one is not what the fleet runs after another build) — else
   * creates one; then records its id in the ledger.
   */
  private async createAndRecord(claimEtag: string, finishedCounts = false): Promise<DeploymentRun> {
    const revision = revisionOf(this.replica, this.deploy);
    const existing = await findDeploymentOfRevision(
      this.codeDeploy,
      this.deploy,
      revision,
      this.now,
      this.signal,
      finishedCounts ? REUSABLE_STATUSES : ACTIVE_STATUSES,
    );
    let run: DeploymentRun;
    if (existing?.deploymentId !== undefined) {
      const status = deploymentStatusOf(existing.status);
      this.log.info('Reusing the deployment of this revision', {
        deploymentId: existing.deploymentId,
        status,
      });
      run = { id: existing.deploymentId, status, done: status === 'Succeeded' };
    } else {
      const id = await this.createOrRecordRefusal(claimEtag);
      this.log.info('Deployment created', { deploymentId: id, group: this.group });
      run = { id, status: 'Created', done: false };
    }
    const recorded = await writeLedger(
      this.s3,
      this.location,
      { ...this.claimed(), deploymentId: run.id },
      claimEtag,
      this.signal,
    );
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
    try {
      return await this.create();
    } catch (err) {
      if (err instanceof DeploymentRejected) {
        await writeLedger(
          this.s3,
          this.location,
          { ...this.claimed(), rejected: { error: err.awsCode ?? err.name, message: err.message } },
          claimEtag,
          this.signal,
        );
      }
      throw err;
    }
  }

  private async getDeployment(id: string): Promise<DeploymentInfo | undefined> {
    const response = await awsCall(
      () => this.codeDeploy.send(new GetDeploymentCommand({ deploymentId: id }), sendOptions(this.signal)),
      { operation: 'codedeploy:GetDeployment', side: 'target', target: this.group },
    );
    return response.deploymentInfo;
  }

  private async create(): Promise<string> {
    const { deploy, replica, input } = this;
    const response = await awsCall(
      () =>
        this.codeDeploy.send(
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
          sendOptions(this.signal),
        ),
      { operation: 'codedeploy:CreateDeployment', side: 'target', target: this.group },
    );
    if (response.deploymentId === undefined) {
      throw new UnexpectedAwsError('codedeploy:CreateDeployment returned no deployment id', {
        operation: 'codedeploy:CreateDeployment',
      });
    }
    return response.deploymentId;
  }
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

/**
 * The StartDeployment task (DESIGN §2 "CodeDeploy", "Newest wins for deployments too"): in the
 * target's region, deploys the replica exactly once and never after a newer build.
 *
 * 1. A destination key that now holds a replica of a newer build → `Skipped` (`replica-replaced`).
 * 2. The group's deployment ledger (core/deployment-ledger.ts), changed only by conditional writes,
 *    decides: a newer build recorded → `Skipped` (`newer-build-deployed`); this revision's deployment
 *    recorded → reused (a Failed/Stopped one is `DeploymentFailed`, and a revision CodeDeploy refused is
 *    `DeploymentRejected` again, both final until an operator's redrive); another execution starting one → `DeploymentGroupBusy` (retried with a long backoff);
 *    else this execution claims the group, then creates the deployment and records its id.
 *
 * @throws DeploymentGroupBusy (retryable) when the group runs another deployment or another execution is starting one
 * @throws DeploymentFailed when this revision's deployment failed and this is not an operator's redrive
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
  const me = claimantOf(input, replica);
  return new DeploymentStarter(input, deploy, replica, me, buildOf(input, replica), deps, options).run();
}
