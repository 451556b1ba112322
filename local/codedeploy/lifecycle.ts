/**
 * The simulated deployment lifecycle. A deployment stores only timestamps and its decided outcome; its
 * status at any moment is derived from them, so it is the same in every process and after a restart.
 *
 * Created ──(createdMs)──▶ InProgress ──(inProgressMs)──▶ Succeeded | Failed; StopDeployment while
 * Created or InProgress ends it Stopped at once.
 */
import type { DeploymentRecord, DeploymentStatus } from './model.ts';

/** How long a deployment stays in each phase before time scaling. */
export interface LifecycleDurations {
  /** Created → InProgress. @default 1000 */
  readonly createdMs: number;
  /** InProgress → Succeeded/Failed. @default 2000 */
  readonly inProgressMs: number;
}

export const DEFAULT_DURATIONS: LifecycleDurations = { createdMs: 1000, inProgressMs: 2000 };

/** The error a stopped deployment reports. */
export const MANUAL_STOP = {
  code: 'MANUAL_STOP',
  message: 'The deployment was stopped by the user.',
} as const;

/** `DeploymentOverview`: instance counts of the one simulated instance. */
export interface DeploymentOverview {
  readonly Pending: number;
  readonly InProgress: number;
  readonly Succeeded: number;
  readonly Failed: number;
  readonly Skipped: number;
  readonly Ready: number;
}

/** A deployment as it stands at one moment. */
export interface DeploymentState {
  readonly status: DeploymentStatus;
  /** Epoch ms; present once the deployment has started. */
  readonly startTime?: number;
  /** Epoch ms; present once the deployment has ended. */
  readonly completeTime?: number;
  readonly errorInformation?: { readonly code: string; readonly message: string };
  readonly overview: DeploymentOverview;
}

function overview(counts: Partial<DeploymentOverview>): DeploymentOverview {
  return { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0, ...counts };
}

/** Where a deployment stands at `now` (epoch ms). */
export function deploymentState(record: DeploymentRecord, now: number): DeploymentState {
  const stop = record.stopTime;
  if (stop !== undefined && stop < record.completeTime) {
    const started = stop >= record.startTime;
    return {
      status: 'Stopped',
      ...(started ? { startTime: record.startTime } : {}),
      completeTime: stop,
      errorInformation: MANUAL_STOP,
      overview: overview(started ? { Failed: 1 } : { Skipped: 1 }),
    };
  }
  if (now < record.startTime) return { status: 'Created', overview: overview({ Pending: 1 }) };
  if (now < record.completeTime) {
    return { status: 'InProgress', startTime: record.startTime, overview: overview({ InProgress: 1 }) };
  }
  const ended = { startTime: record.startTime, completeTime: record.completeTime };
  if (record.outcome.status === 'Succeeded') {
    return { status: 'Succeeded', ...ended, overview: overview({ Succeeded: 1 }) };
  }
  return {
    status: 'Failed',
    ...ended,
    errorInformation: { code: record.outcome.code, message: record.outcome.message },
    overview: overview({ Failed: 1 }),
  };
}

/** The timestamps of a deployment created at `now` with the given durations and time scale. */
export function scheduleDeployment(
  now: number,
  durations: LifecycleDurations,
  timeScale: number,
): { createTime: number; startTime: number; completeTime: number } {
  const startTime = now + Math.round(durations.createdMs * timeScale);
  return {
    createTime: now,
    startTime,
    completeTime: startTime + Math.round(durations.inProgressMs * timeScale),
  };
}
