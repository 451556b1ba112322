/**
 * The types of aws-local-stepfunctions that its public entry point does not export by name, derived from
 * what it does export, plus the JSON helpers every part of the local Step Functions uses.
 */
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';

/** A JSON value as the library passes it between states. */
export type JsonValue = Parameters<StateMachine['run']>[0];

type Execution = ReturnType<StateMachine['run']>;

/** One entry of the library's execution event log. */
export type EventLog = Execution['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A state as it appears in an Amazon States Language document, read loosely. */
export type AslState = Record<string, unknown> & { readonly Type: string };

/** The top level of a state machine or of a Map iterator / Parallel branch. */
export interface AslScope {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
  readonly [other: string]: unknown;
}

/** Hands a definition we built ourselves to the library. */
export function asLibraryDefinition(scope: AslScope): StateMachineDefinition {
  return scope as unknown as StateMachineDefinition;
}

/** `true` for a non-null, non-array object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Error raised when a value cannot travel between states as JSON. */
export class NotJsonError extends Error {
  override readonly name = 'NotJsonError';
}

/**
 * Converts what a handler returned into a JSON value the way a Lambda runtime serialises its result:
 * `undefined` becomes `null`, class instances become plain objects.
 */
export function toJsonValue(value: unknown): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new NotJsonError(`the value cannot be serialised as JSON: ${String(cause)}`, { cause });
  }
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/** Serialises a JSON value for a history event or an API answer (`null` for `undefined`). */
export function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return JSON.stringify(String(value));
  }
}
