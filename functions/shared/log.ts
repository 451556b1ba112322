/**
 * The little logging the logic modules do, as an injectable interface: the Powertools logger in a
 * Lambda, nothing (or a test spy) elsewhere.
 */
export interface TaskLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** A log that drops everything. */
export const silentLog: TaskLog = {
  info: () => undefined,
  warn: () => undefined,
};
