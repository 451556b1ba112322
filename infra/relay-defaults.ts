import { Duration } from 'aws-cdk-lib';
import type { RelayConfig } from '../core/config/schema.ts';
import { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME } from '../core/runtime-contract.ts';
import { approvalWaves, deploymentWaveCount } from '../core/waves.ts';

/** Defaults of {@link ArtifactRelay} that depend on the configuration or the region. */

export { DEFAULT_METRICS_NAMESPACE, DEFAULT_SERVICE_NAME };

/** The metric the state machine's log group counts targets that failed both passes into. */
export const TARGETS_FAILED_METRIC = 'TargetsFailed';

/** The shortest default execution timeout. */
const MIN_DEFAULT_TIMEOUT = Duration.hours(24);

/**
 * The default execution timeout: 24 hours, or — when a target waits longer for its deployment —
 * both passes' longest deployment wait plus an hour each for copying, verifying and a busy group, one
 * more such wait for each later deployment wave, and every approval's own timeout (an execution must
 * outlive the longest wait for a person, or a late approval would find it timed out).
 */
export function defaultExecutionTimeout(config: RelayConfig): Duration {
  const waits = config.sources.flatMap((source) =>
    source.rules.flatMap((rule) => rule.targets.map((target) => target.deploy?.waitTimeoutSeconds ?? 0)),
  );
  const perPass = Math.max(0, ...waits) + 3600;
  const laterWaves = deploymentWaveCount(config) - 1;
  const approvals = approvalWaves(config).reduce((sum, approval) => sum + approval.timeoutSeconds, 0);
  const seconds = (2 + laterWaves) * perPass + approvals;
  return Duration.seconds(Math.max(MIN_DEFAULT_TIMEOUT.toSeconds(), seconds));
}

/** The AWS console's domain for a region's partition (`undefined`: not known at synth). */
export function consoleDomain(region: string | undefined): string {
  if (region?.startsWith('cn-') === true) return 'console.amazonaws.cn';
  if (region?.startsWith('us-gov-') === true) return 'console.amazonaws-us-gov.com';
  return 'console.aws.amazon.com';
}
