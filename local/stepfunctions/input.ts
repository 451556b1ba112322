/** Readers for the members of a Step Functions request, failing the way AWS validation does. */
import { validation } from './errors.ts';

export function optionalNumber(input: Record<string, unknown>, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw validation(`Value at '${member}' must be a number`);
  }
  return value;
}

export function optionalBoolean(input: Record<string, unknown>, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw validation(`Value at '${member}' must be a boolean`);
  return value;
}

/** An optional member restricted to `allowed` values. */
export function optionalEnum<T extends string>(
  input: Record<string, unknown>,
  member: string,
  allowed: readonly T[],
): T | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw validation(
      `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}
