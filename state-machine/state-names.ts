/**
 * The state names of the relay workflow — what users read in the Step Functions console, and
 * what the CLI and the local stack look for in an execution's history.
 *
 * ASL state names are unique across the whole definition, nested ones included, so the chain
 * that runs again in the second pass carries {@link RETRY_SUFFIX}.
 */

/** Top-level states. */
export const TOP_STATES = {
  resolveTargets: 'ResolveTargets',
  anyTargets: 'Any targets?',
  nothingToRelay: 'NothingToRelay',
  relayToTargets: 'RelayToTargets',
  retryFailedTargets: 'RetryFailedTargets',
  summarize: 'Summarize',
} as const;

/** States of the per-target chain (first pass as named; the second pass adds {@link RETRY_SUFFIX}). */
export const CHAIN_STATES = {
  copy: 'Copy',
  copyFinished: 'Copy finished?',
  verify: 'Verify',
  recopiedAlready: 'Re-copied already?',
  recopy: 'Re-copy after mismatch',
  verificationFailed: 'Verification failed',
  deploy: 'Deploy?',
  startDeployment: 'StartDeployment',
  waitForDeployment: 'Wait for deployment',
  checkDeployment: 'CheckDeployment',
  deploymentFinished: 'Deployment finished?',
  copied: 'Target copied',
  deployed: 'Target deployed',
  skipped: 'Target skipped',
  deploymentSkipped: 'Target superseded by a newer deployment',
} as const;

/** States of the first pass's per-target isolation. */
export const ISOLATION_STATES = {
  relayTarget: 'Relay target',
  causeReported: 'Failure has a cause?',
  failed: 'Target failed',
  failedWithoutCause: 'Target failed, no cause',
} as const;

/** States of the second pass around the chain. */
export const SECOND_PASS_STATES = {
  failedInFirstPass: 'Failed in first pass?',
  pauseBeforeRetry: 'Pause before retry',
  keepFirstResult: 'Keep first result',
} as const;

/** Appended to the chain's state names in the second pass. */
export const RETRY_SUFFIX = ' (retry)';
