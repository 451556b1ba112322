/**
 * Names and ARNs of a Distributed Map's map runs and child workflow executions, formed as AWS forms them:
 *
 * ```
 * map run          arn:aws:states:<region>:<account>:mapRun:<stateMachine>/<label>:<mapRunId>
 * its machine      arn:aws:states:<region>:<account>:stateMachine:<stateMachine>/<label>
 * child execution  arn:aws:states:<region>:<account>:execution:<stateMachine>/<label>:<childName>
 * ```
 *
 * `<label>` is the Map state's `Label`, or — as AWS does for a Map state without one (a name-based UUID:
 * `…/4474d22f-4056-30e3-978c-027016edac90:…` in a real map run ARN) — a UUID derived from the state
 * machine's and the state's names, so it is the same in every run.
 */
import { createHash } from 'node:crypto';
import { isValidName } from '../arn.ts';

/** The longest `Label` Step Functions accepts. */
export const MAX_LABEL_LENGTH = 40;

const MAP_RUN_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):mapRun:([^:/]+)\/([^:/]+):([^:/]+)$/;

/** What a map run ARN names. */
export interface MapRunArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly stateMachineName: string;
  readonly label: string;
  readonly id: string;
}

/** A UUID laid out from the first 16 bytes of `digest`, with the given version nibble (RFC 4122). */
function uuidFrom(digest: Buffer, version: number): string {
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | (version << 4);
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The label of a Map state without `Label`: a name-based (version 3) UUID, stable across runs. */
export function defaultLabel(stateMachineName: string, stateName: string): string {
  return uuidFrom(createHash('md5').update(`${stateMachineName}/${stateName}`).digest(), 3);
}

/** Why `label` is not a valid `Label` (AWS refuses it), or `undefined` when it is. */
export function labelProblem(label: unknown): string | undefined {
  if (typeof label !== 'string' || label.length === 0) return 'Label must be a non-empty string';
  if ([...label].length > MAX_LABEL_LENGTH) return `Label must be at most ${MAX_LABEL_LENGTH} characters`;
  if (!isValidName(label)) {
    return 'Label must not contain white space, brackets, wildcards, control characters or any of " # % \\ ^ | ~ ` $ & , ; : /';
  }
  return undefined;
}

/**
 * The name of child `index` of a map run: a name-based (version 5) UUID of the map run id and the index —
 * unique, and computable, so a map run of 100,000 children keeps no table of names.
 */
export function childName(mapRunId: string, index: number): string {
  return uuidFrom(createHash('sha1').update(`${mapRunId}:${index}`).digest(), 5);
}

/** The state machine name a map run's children run under: `<stateMachine>/<label>`. */
export function childStateMachineName(stateMachineName: string, label: string): string {
  return `${stateMachineName}/${label}`;
}

/** Whether an execution's state machine name is a map run's (`<stateMachine>/<label>`): a child execution. */
export function isChildStateMachineName(stateMachineName: string): boolean {
  return stateMachineName.includes('/');
}

export function mapRunArn(
  region: string,
  accountId: string,
  stateMachineName: string,
  label: string,
  id: string,
): string {
  return `arn:aws:states:${region}:${accountId}:mapRun:${stateMachineName}/${label}:${id}`;
}

/** The labelled state machine ARN a map run reports (ListMapRuns) and its children run under. */
export function labelledStateMachineArn(
  region: string,
  accountId: string,
  stateMachineName: string,
  label: string,
): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${stateMachineName}/${label}`;
}

/** Splits a map run ARN; `undefined` when it is not one. */
export function parseMapRunArn(arn: string): MapRunArnParts | undefined {
  const match = MAP_RUN_ARN.exec(arn);
  if (!match) return undefined;
  const [, region, accountId, stateMachineName, label, id] = match;
  return region && accountId && stateMachineName && label && id
    ? { region, accountId, stateMachineName, label, id }
    : undefined;
}
