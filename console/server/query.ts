/**
 * What the API routes that name an S3 object or a deployment group read from the query string, and the
 * relay configuration they need (a console without one answers 409 NoConfiguration, not a server error).
 */
import type { RelayConfig } from '../../core/config/schema.ts';
import type { ConsoleBackend } from './api.ts';
import { BadRequestError, NotConfiguredError } from './errors.ts';

/** A query parameter that must be present and non-empty. */
export function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new BadRequestError(`${name} is required`);
  return value;
}

/** A query parameter that may be absent (or empty). */
export function optional(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

/** The relay configuration, or 409 NoConfiguration saying why there is none. */
export async function configOf(backend: ConsoleBackend): Promise<RelayConfig> {
  try {
    return await backend.config();
  } catch (err) {
    throw new NotConfiguredError(err instanceof Error ? err.message : String(err));
  }
}
