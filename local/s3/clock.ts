/** Timestamps as S3 keeps them: whole seconds (`2024-05-01T12:00:07.000Z`). */

/** The current time, truncated to the second, as ISO-8601. */
export function s3Timestamp(now: number = Date.now()): string {
  return new Date(Math.floor(now / 1000) * 1000).toISOString();
}
