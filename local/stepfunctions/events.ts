/**
 * Builders for the history events of Task resources, by resource family: the optimised integrations
 * (`TaskScheduled`, `TaskStarted`, `TaskSucceeded`, `TaskFailed`, `TaskTimedOut`), Lambda function ARNs
 * (`LambdaFunction*`) and activities (`Activity*`).
 */
import { type JsonValue, jsonText } from './library.ts';
import type { ResourceInfo } from './resources.ts';

/** An event to append: its type and, when it has one, its details member. */
export interface EventSpec {
  readonly type: string;
  readonly detailsKey?: string;
  readonly details?: Record<string, unknown>;
}

/** `{ input, inputDetails }` / `{ output, outputDetails }` members. */
export function dataMembers(member: 'input' | 'output', value: unknown): Record<string, unknown> {
  return { [member]: jsonText(value), [`${member}Details`]: { truncated: false } };
}

function spec(type: string, detailsKey?: string, details?: Record<string, unknown>): EventSpec {
  return detailsKey && details ? { type, detailsKey, details } : { type };
}

/** The events that schedule and start one attempt of a Task. */
export function taskStartEvents(
  info: ResourceInfo,
  input: JsonValue,
  region: string,
  timeoutInSeconds: number | undefined,
): EventSpec[] {
  const timeout = timeoutInSeconds !== undefined ? { timeoutInSeconds } : {};
  switch (info.family) {
    case 'lambda':
      return [
        spec('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
          resource: info.resource,
          ...dataMembers('input', input),
          ...timeout,
        }),
        spec('LambdaFunctionStarted'),
      ];
    case 'activity':
      return [
        spec('ActivityScheduled', 'activityScheduledEventDetails', {
          resource: info.resource,
          ...dataMembers('input', input),
          ...timeout,
        }),
        spec('ActivityStarted', 'activityStartedEventDetails', { workerName: 'local' }),
      ];
    default: {
      const names = { resourceType: info.resourceType, resource: info.resource };
      return [
        spec('TaskScheduled', 'taskScheduledEventDetails', {
          ...names,
          region,
          parameters: jsonText(input),
          ...timeout,
        }),
        spec('TaskStarted', 'taskStartedEventDetails', names),
      ];
    }
  }
}

const FAMILY_PREFIX = { task: 'Task', lambda: 'LambdaFunction', activity: 'Activity' } as const;
const DETAILS_PREFIX = { task: 'task', lambda: 'lambdaFunction', activity: 'activity' } as const;

function familyEvent(info: ResourceInfo, suffix: string, details: Record<string, unknown>): EventSpec {
  const names = info.family === 'task' ? { resourceType: info.resourceType, resource: info.resource } : {};
  return spec(
    `${FAMILY_PREFIX[info.family]}${suffix}`,
    `${DETAILS_PREFIX[info.family]}${suffix}EventDetails`,
    { ...names, ...details },
  );
}

/** The attempt returned `output`. */
export function taskSucceededEvent(info: ResourceInfo, output: JsonValue): EventSpec {
  return familyEvent(info, 'Succeeded', dataMembers('output', output));
}

/** The attempt failed with `error` / `cause`. */
export function taskFailedEvent(info: ResourceInfo, error: string, cause: string): EventSpec {
  return familyEvent(info, 'Failed', { error, cause });
}

/** The attempt ran past the state's `TimeoutSeconds`. */
export function taskTimedOutEvent(info: ResourceInfo, error: string, cause: string): EventSpec {
  return familyEvent(info, 'TimedOut', { error, cause });
}
