import * as z from 'zod/mini';
import { type BuildIdentity, compareBuilds, describeNewer } from './build-order.ts';
import { sameEtag } from './etag.ts';
import './schema-locale.ts';

/**
 * The deployment ledger (DESIGN §2 "Newest wins for deployments too"): one small JSON object per
 * deployment group, kept next to the revisions it deploys, that records the newest build the relay
 * deploys to the group and which execution claimed it. Every change to it is a conditional write
 * (`If-None-Match: *` to create, `If-Match: <ETag>` to replace), which S3 and the local S3 both
 * honour, so of two executions that read the same record only one can change it. A CreateDeployment
 * only ever follows a successful write naming its execution as the claimant — that is what makes
 * "exactly one deployment per revision" hold under duplicate events, replays and concurrent
 * redrives, where a list-then-create would race.
 *
 * This module is pure: the record's shape, its key, and the decision what to do given the record.
 * core/deployment/start.ts acts on it through a ledger port, which the StartDeployment task
 * (functions/start-deployment/) and `relay deploy` (cli/deploy/) implement over their own S3 clients.
 */

/** Where the relay keeps its own objects in a target bucket; routing never relays keys under it. */
export const RELAY_RESERVED_PREFIX = '.artifact-relay/';

/** The ledger's key in the revision bucket for one deployment group. */
export function ledgerKey(application: string, deploymentGroup: string): string {
  return `${RELAY_RESERVED_PREFIX}deployments/${encodeURIComponent(application)}/${encodeURIComponent(deploymentGroup)}.json`;
}

/**
 * A claim older than this may be taken over by another execution of the same or a newer build: its
 * claimant stopped between its claim and its CreateDeployment (StartDeployment's Task times out after
 * 120 s, and a claimant refreshes its claim before every attempt, so a live one is never this old).
 */
export const STALE_CLAIM_MS = 15 * 60 * 1000;

const nonEmpty = z.string().check(z.minLength(1));

/** The build a ledger entry deploys: the source version and the replica (the CodeDeploy revision). */
export const ledgerBuildSchema = z.object({
  source: z.object({
    bucket: nonEmpty,
    key: nonEmpty,
    versionId: z.optional(nonEmpty),
    etag: nonEmpty,
    sequencer: z.optional(nonEmpty),
    lastModified: z.optional(nonEmpty),
  }),
  revision: z.object({
    bucket: nonEmpty,
    key: nonEmpty,
    versionId: z.optional(nonEmpty),
    etag: nonEmpty,
  }),
});

/** Who claimed the deployment: an execution (and its redrive count then) and the target's replica key. */
export const claimantSchema = z.object({
  execution: nonEmpty,
  redriveCount: z.number().check(z.int(), z.gte(0)),
});

/** The ledger object of one deployment group. */
export const ledgerRecordSchema = z.object({
  format: z.literal(1),
  application: nonEmpty,
  deploymentGroup: nonEmpty,
  build: ledgerBuildSchema,
  claimedBy: claimantSchema,
  /** ISO 8601; refreshed by the claimant before every CreateDeployment attempt. */
  claimedAt: nonEmpty,
  /** Set once the claimant created (or found) the deployment. */
  deploymentId: z.optional(nonEmpty),
  /** Set when CodeDeploy refused to create the deployment (an invalid revision…): final but for a redrive. */
  rejected: z.optional(z.object({ error: nonEmpty, message: z.string() })),
  /**
   * Set by an operator's rollback (`relay deploy --rollback`): the newest build the group had before.
   * From then on automatic work deploys only builds newer than it — a late duplicate of the build rolled
   * back from never undoes the operator's choice.
   */
  rolledBackFrom: z.optional(ledgerBuildSchema.shape.source),
});

export type LedgerBuild = z.infer<typeof ledgerBuildSchema>;
export type Claimant = z.infer<typeof claimantSchema>;
export type LedgerRecord = z.infer<typeof ledgerRecordSchema>;

/** Whether two builds deploy the same revision: same replica object, same version, else same ETag. */
export function sameRevision(a: LedgerBuild['revision'], b: LedgerBuild['revision']): boolean {
  if (a.bucket !== b.bucket || a.key !== b.key) return false;
  if (a.versionId !== undefined && b.versionId !== undefined) return a.versionId === b.versionId;
  return sameEtag(a.etag, b.etag);
}

function buildIdentity(build: LedgerBuild): BuildIdentity {
  return build.source;
}

/** What StartDeployment does next, given the group's ledger record. */
export type LedgerDecision =
  /** Write a claim for this build (create the record, or replace it: `replace` carries whose). */
  | { readonly action: 'claim'; readonly why: string }
  /** This execution holds the claim and no deployment is recorded: refresh the claim, then create. */
  | { readonly action: 'create' }
  /** A deployment of this very revision is recorded: reuse it — unless CodeDeploy says it failed. */
  | { readonly action: 'reuse'; readonly deploymentId: string }
  /** Another execution is starting a deployment in this group right now: wait and look again. */
  | { readonly action: 'wait'; readonly why: string }
  /** A newer build is deployed (or being deployed) in the group: deploy nothing. */
  | { readonly action: 'skip'; readonly why: string; readonly newerDeploymentId?: string }
  /** CodeDeploy refused this revision: report it again — unless an operator's redrive may try once more. */
  | { readonly action: 'rejected'; readonly error: string; readonly message: string };

/** What the decision is made from. */
export interface LedgerSituation {
  /** The record, or `undefined` when the group has none yet. */
  readonly record: LedgerRecord | undefined;
  readonly ours: LedgerBuild;
  readonly me: Claimant;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** An operator's rollback: deploy `ours` even though the group has a newer build. */
  readonly rollback?: boolean;
}

function sameClaimant(a: Claimant, b: Claimant): boolean {
  return a.execution === b.execution;
}

function isStale(record: LedgerRecord, now: number): boolean {
  const at = Date.parse(record.claimedAt);
  return Number.isNaN(at) || now - at > STALE_CLAIM_MS;
}

function label(build: LedgerBuild): string {
  const { source } = build;
  return `s3://${source.bucket}/${source.key}${source.versionId === undefined ? '' : ` (version ${source.versionId})`}`;
}

/**
 * Decides from the group's ledger record (see the module comment). The rules, in order:
 * - no record → claim;
 * - the record's build is newer than ours → skip;
 * - the record names our revision → reuse its deployment; report CodeDeploy's refusal of it again; or,
 *   none recorded yet, create it when the claim is ours, take the claim over when it is stale, else wait
 *   for its claimant;
 * - the record names another, not newer, build → claim (replacing it) — except while another
 *   execution is between its claim and its CreateDeployment (a fresh claim without a deployment):
 *   wait, so that the older build's deployment, if it comes, is created before ours.
 */
export function decideFromLedger(situation: LedgerSituation): LedgerDecision {
  const { record, ours, me, now } = situation;
  if (record === undefined) return { action: 'claim', why: 'the group has no relay deployment yet' };

  const comparison = compareBuilds(buildIdentity(record.build), buildIdentity(ours));
  const sameRev = sameRevision(record.build.revision, ours.revision);
  if (!sameRev && comparison.order > 0 && situation.rollback !== true) {
    return {
      action: 'skip',
      why: `a newer build is deployed in ${record.application}/${record.deploymentGroup}: ${label(record.build)} (${describeNewer(record.build.source, ours.source)})`,
      ...(record.deploymentId === undefined ? {} : { newerDeploymentId: record.deploymentId }),
    };
  }
  const rolledBackFrom = record.rolledBackFrom;
  if (!sameRev && rolledBackFrom !== undefined && situation.rollback !== true) {
    if (compareBuilds(ours.source, rolledBackFrom).order <= 0) {
      return {
        action: 'skip',
        why: `an operator rolled ${record.application}/${record.deploymentGroup} back to ${label(record.build)}; only builds newer than s3://${rolledBackFrom.bucket}/${rolledBackFrom.key}${rolledBackFrom.versionId === undefined ? '' : ` (version ${rolledBackFrom.versionId})`} deploy automatically`,
        ...(record.deploymentId === undefined ? {} : { newerDeploymentId: record.deploymentId }),
      };
    }
  }

  if (sameRev) {
    if (record.deploymentId !== undefined) return { action: 'reuse', deploymentId: record.deploymentId };
    if (record.rejected !== undefined) return { action: 'rejected', ...record.rejected };
    if (sameClaimant(record.claimedBy, me)) return { action: 'create' };
    if (isStale(record, now)) {
      return { action: 'claim', why: `the claim of ${record.claimedBy.execution} is stale` };
    }
    return {
      action: 'wait',
      why: `execution ${record.claimedBy.execution} is starting the deployment of this revision`,
    };
  }

  const settled = record.deploymentId !== undefined || record.rejected !== undefined;
  if (!settled && !sameClaimant(record.claimedBy, me) && !isStale(record, now)) {
    return {
      action: 'wait',
      why: `execution ${record.claimedBy.execution} is starting a deployment of ${label(record.build)} in ${record.application}/${record.deploymentGroup}`,
    };
  }
  return { action: 'claim', why: `replacing ${label(record.build)}, which is not newer` };
}

/**
 * Whether this execution may try its revision again after CodeDeploy reported its deployment Failed
 * or Stopped, or refused to create it: only an operator's redrive (`redriveCount` > 0) that is newer
 * than the attempt that failed. Automatic work — a duplicate event, a replay, a retry, the second
 * pass — never does.
 */
export function mayRedeployAfterFailure(record: LedgerRecord, me: Claimant): boolean {
  if (me.redriveCount === 0) return false;
  return !(sameClaimant(record.claimedBy, me) && record.claimedBy.redriveCount >= me.redriveCount);
}

/**
 * What a rollback claim carries forward: the newest build the group had (`previous`'s own mark when it
 * was itself a rollback, else its build when newer than `ours`); `undefined` when nothing is rolled back.
 */
export function rollbackMark(
  previous: LedgerRecord | undefined,
  ours: LedgerBuild,
): LedgerBuild['source'] | undefined {
  if (previous === undefined) return undefined;
  const candidates = [previous.rolledBackFrom, previous.build.source].filter(
    (source): source is LedgerBuild['source'] => source !== undefined,
  );
  const newest = candidates.reduce<LedgerBuild['source'] | undefined>(
    (best, source) => (best === undefined || compareBuilds(source, best).order > 0 ? source : best),
    undefined,
  );
  return newest !== undefined && compareBuilds(newest, ours.source).order > 0 ? newest : undefined;
}

/** The record that claims the group for `ours`. */
export function claimRecord(
  group: { readonly application: string; readonly deploymentGroup: string },
  ours: LedgerBuild,
  me: Claimant,
  now: number,
): LedgerRecord {
  return {
    format: 1,
    application: group.application,
    deploymentGroup: group.deploymentGroup,
    build: ours,
    claimedBy: me,
    claimedAt: new Date(now).toISOString(),
  };
}
