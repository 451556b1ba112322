/** Formatting of times, durations and sizes for human output. */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `2026-11-24 21:31:03` in local time. */
export function formatTime(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatClock(date)}`;
}

/** `21:31:03` in local time; with `ms`, `21:31:03.867`. */
export function formatClock(date: Date, ms = false): string {
  const base = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return ms ? `${base}.${pad(date.getMilliseconds(), 3)}` : base;
}

/** `42 ms`, `1.2 s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) return `${Math.floor(totalSeconds / 60)}m ${pad(totalSeconds % 60)}s`;
  const totalMinutes = Math.round(totalSeconds / 60);
  if (totalMinutes < 1440) return `${Math.floor(totalMinutes / 60)}h ${pad(totalMinutes % 60)}m`;
  return `${Math.floor(totalMinutes / 1440)}d ${pad(Math.floor((totalMinutes % 1440) / 60))}h`;
}

/** `262,850 bytes` style counts: `256.7 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `1 attempt`, `3 attempts`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
