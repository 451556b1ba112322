/**
 * The state names of the relay workflow — what users read in the Step Functions console, and
 * what the CLI and the local stack look for in an execution's history.
 *
 * ASL state names are unique across the whole definition, nested ones included, so the chain
 * that runs again in the second pass carries {@link RETRY_SUFFIX}.
 */

export { approveWaveState, waveOfApprovalState } from './approvals.ts';

/** Top-level states. */
export const TOP_STATES = {
  resolveTargets: 'ResolveTargets',
  anyTargets: 'Any targets?',
  nothingToRelay: 'NothingToRelay',
  relayToTargets: 'RelayToTargets',
  retryFailedTargets: 'RetryFailedTargets',
  propagateDelete: 'PropagateDelete',
} as const;

/** The state of a delete's per-target iteration (a rule's `propagateDeletes`). */
export const DELETE_STATES = {
  deleteReplica: 'DeleteReplica',
} as const;

/**
 * The states of definitions before the reshape of #14 (a one-branch Parallel per target, a second pass
 * over every target, a final Summarize). Executions started on such a definition stay redrivable for
 * 14 days, so readers of histories still recognise these names; the builder no longer emits them.
 */
export const FORMER_STATES = {
  summarize: 'Summarize',
  relayTarget: 'Relay target',
  failedInFirstPass: 'Failed in first pass?',
  keepFirstResult: 'Keep first result',
  deploy: 'Deploy?',
  copied: 'Target copied',
} as const;

/** States of the per-target chain (first pass as named; the second pass adds {@link RETRY_SUFFIX}). */
export const CHAIN_STATES = {
  copy: 'Copy',
  copyFinished: 'Copy finished?',
  verify: 'Verify',
  verifyBeforeDeploy: 'Verify before deploy',
  recopiedAlready: 'Re-copied already?',
  recopy: 'Re-copy after mismatch',
  verificationFailed: 'Verification failed',
  startDeployment: 'StartDeployment',
  waitForDeployment: 'Wait for deployment',
  checkDeployment: 'CheckDeployment',
  deploymentFinished: 'Deployment finished?',
  deployed: 'Target deployed',
  skipped: 'Target skipped',
  deploymentSkipped: 'Target superseded by a newer deployment',
} as const;

/**
 * States of the first pass's per-target isolation: every Task's Catch leads here and the failure
 * becomes the target's result, so the other targets carry on.
 */
export const ISOLATION_STATES = {
  causeReported: 'Failure has a cause?',
  failed: 'Target failed',
  failedWithoutCause: 'Target failed, no cause',
} as const;

/** States of the second pass around the chain (it runs only for the targets that failed). */
export const SECOND_PASS_STATES = {
  pauseNeeded: 'Pause before retry?',
  pauseBeforeRetry: 'Pause before retry',
} as const;

/** The Map state of deployment wave `wave` (2 and up; wave 1 deploys in the first pass). */
export function deployWaveState(wave: number): string {
  return `DeployWave${wave}`;
}

/** The wave a Map state of {@link deployWaveState} deploys, else `undefined`. */
export function waveOfState(name: string): number | undefined {
  const match = /^DeployWave(\d+)$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/**
 * The Choice before an approval (`waves.<n>.approval`, docs/waves.md): asks for one only when this
 * execution's object has targets in the wave.
 */
export function approvalNeededState(wave: number): string {
  return `Approval needed for wave ${wave}?`;
}

/** Appended to the deployment states' names in wave `wave`'s Map. */
export function waveSuffix(wave: number): string {
  return ` (wave ${wave})`;
}

/** Appended to the chain's state names in the second pass. */
export const RETRY_SUFFIX = ' (retry)';
