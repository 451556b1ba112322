/**
 * Reading HistoryEvents: which events start a step, count an attempt, report a failure. Direct
 * Lambda ARN tasks log `LambdaFunction*` events, service integrations `Task*`, activities `Activity*`.
 */
/** An error and cause, as every failure event's details carry them. */
interface FailureDetails {
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
}

/** A Map iteration event's details. */
interface IterationDetails {
  readonly name?: string | undefined;
  readonly index?: number | undefined;
}

/**
 * The members of a Step Functions history event the readers use — the SDK's `HistoryEvent` has them all,
 * so its events are passed as they are; core stays free of the AWS SDK (a structural type).
 */
export interface HistoryEvent {
  readonly id?: number | undefined;
  readonly previousEventId?: number | undefined;
  readonly type?: string | undefined;
  readonly timestamp?: Date | undefined;
  readonly stateEnteredEventDetails?:
    | { readonly name?: string | undefined; readonly input?: string | undefined }
    | undefined;
  readonly stateExitedEventDetails?:
    | { readonly name?: string | undefined; readonly output?: string | undefined }
    | undefined;
  readonly mapIterationStartedEventDetails?: IterationDetails | undefined;
  readonly mapIterationSucceededEventDetails?: IterationDetails | undefined;
  readonly mapIterationFailedEventDetails?: IterationDetails | undefined;
  readonly mapIterationAbortedEventDetails?: IterationDetails | undefined;
  readonly executionRedrivenEventDetails?: { readonly redriveCount?: number | undefined } | undefined;
  readonly lambdaFunctionFailedEventDetails?: FailureDetails | undefined;
  readonly lambdaFunctionTimedOutEventDetails?: FailureDetails | undefined;
  readonly lambdaFunctionStartFailedEventDetails?: FailureDetails | undefined;
  readonly lambdaFunctionScheduleFailedEventDetails?: FailureDetails | undefined;
  readonly taskFailedEventDetails?: FailureDetails | undefined;
  readonly taskTimedOutEventDetails?: FailureDetails | undefined;
  readonly taskStartFailedEventDetails?: FailureDetails | undefined;
  readonly taskSubmitFailedEventDetails?: FailureDetails | undefined;
  readonly activityFailedEventDetails?: FailureDetails | undefined;
  readonly activityTimedOutEventDetails?: FailureDetails | undefined;
  readonly activityScheduleFailedEventDetails?: FailureDetails | undefined;
}

/** States shown as steps of a timeline. */
const STEP_ENTERED = new Set(['TaskStateEntered', 'WaitStateEntered']);
const STEP_EXITED = new Set(['TaskStateExited', 'WaitStateExited']);
const ATTEMPT = new Set(['LambdaFunctionScheduled', 'TaskScheduled', 'ActivityScheduled']);

export function isStepEntered(event: HistoryEvent): boolean {
  return STEP_ENTERED.has(event.type ?? '');
}

export function isStepExited(event: HistoryEvent): boolean {
  return STEP_EXITED.has(event.type ?? '');
}

export function isAttempt(event: HistoryEvent): boolean {
  return ATTEMPT.has(event.type ?? '');
}

export function stepKind(event: HistoryEvent): 'task' | 'wait' {
  return event.type === 'WaitStateEntered' ? 'wait' : 'task';
}

/** The error and cause of a failed, timed-out or unstartable task attempt. */
export function failureOf(event: HistoryEvent): { error?: string; cause?: string } | undefined {
  const details =
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.lambdaFunctionStartFailedEventDetails ??
    event.lambdaFunctionScheduleFailedEventDetails ??
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.taskStartFailedEventDetails ??
    event.taskSubmitFailedEventDetails ??
    event.activityFailedEventDetails ??
    event.activityTimedOutEventDetails ??
    event.activityScheduleFailedEventDetails;
  if (details === undefined) return undefined;
  return {
    ...(details.error === undefined ? {} : { error: details.error }),
    ...(details.cause === undefined ? {} : { cause: details.cause }),
  };
}

/** The Map iteration an event names (MapIteration* events). */
export function mapIterationOf(event: HistoryEvent): { name: string; index: number } | undefined {
  const details =
    event.mapIterationStartedEventDetails ??
    event.mapIterationSucceededEventDetails ??
    event.mapIterationFailedEventDetails ??
    event.mapIterationAbortedEventDetails;
  if (details?.name === undefined || details.index === undefined) return undefined;
  return { name: details.name, index: details.index };
}

/** Parses a JSON text from the history; `undefined` when absent, truncated or not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function timeOf(event: HistoryEvent): Date {
  return event.timestamp instanceof Date ? event.timestamp : new Date(event.timestamp ?? 0);
}
