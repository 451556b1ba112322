/** Readers for members of CodeDeploy request bodies, failing with the exceptions CodeDeploy uses. */
import type { AwsJsonError } from '../protocol/json.ts';
import { invalidInput } from './errors.ts';

/** Longest application or deployment group name CodeDeploy accepts. */
export const MAX_NAME_LENGTH = 100;

/**
 * A required name (application, deployment group): `required` when absent or empty, `invalid` when not a
 * string or longer than {@link MAX_NAME_LENGTH}.
 */
export function readName(
  input: Record<string, unknown>,
  member: string,
  required: () => AwsJsonError,
  invalid: (value: string) => AwsJsonError,
): string {
  const value = input[member];
  if (value === undefined || value === null || value === '') throw required();
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH) throw invalid(String(value));
  return value;
}

/** A member that must be a JSON object when present. */
export function readObject(
  input: Record<string, unknown>,
  member: string,
): Record<string, unknown> | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidInput(`'${member}' must be an object`);
  return value as Record<string, unknown>;
}

/** A member that must be a list of strings when present. */
export function readStringList(input: Record<string, unknown>, member: string): string[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw invalidInput(`'${member}' must be a list of strings`);
  }
  return value;
}

/**
 * A timestamp member: epoch seconds (what the JSON protocol sends) or an ISO-8601 string. Returns epoch
 * milliseconds, `undefined` when absent, or calls `invalid` when unreadable.
 */
export function readTimestamp(value: unknown, invalid: () => AwsJsonError): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === 'string') {
    const asNumber = Number(value);
    if (value.trim() !== '' && Number.isFinite(asNumber)) return Math.round(asNumber * 1000);
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw invalid();
}
