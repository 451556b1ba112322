/** How the UI writes times, durations and sizes. */

/** What a cell shows for a field the console cannot read (an output or input of a shape it does not know). */
export const UNKNOWN = 'unknown';

export function formatDuration(ms: number | null): string {
  if (ms === null) return '…';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A time for people; `unknown` when it is not one. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? UNKNOWN : date.toLocaleString();
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The statuses of an execution still going (polled). */
export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['RUNNING', 'PENDING_REDRIVE']);

/** How often the list and a running execution are read again. */
export const POLL_MS = 3000;
