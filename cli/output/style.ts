/**
 * Colours for human output: only when the stream is a terminal and NO_COLOR is unset (FORCE_COLOR
 * turns them on anywhere). Nothing here writes; callers wrap text.
 */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

function wrap(enabled: boolean, open: number, close: number): (text: string) => string {
  return enabled ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text;
}

export function createStyle(enabled: boolean): Style {
  return {
    enabled,
    bold: wrap(enabled, 1, 22),
    dim: wrap(enabled, 2, 22),
    red: wrap(enabled, 31, 39),
    green: wrap(enabled, 32, 39),
    yellow: wrap(enabled, 33, 39),
    cyan: wrap(enabled, 36, 39),
  };
}

/** Whether to colour output written to `stream`. */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** The visible width of `text` (ANSI colour codes do not count). */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
  return text.replace(/\u001b\[\d+m/g, '').length;
}

/** Colours an execution or target status: green when good, red when failed, yellow otherwise. */
export function colourStatus(style: Style, status: string): string {
  const upper = status.toUpperCase();
  if (['SUCCEEDED', 'COPIED', 'IN-SYNC', 'IN SYNC', 'REDRIVEN', 'STARTED'].includes(upper)) {
    return style.green(status);
  }
  if (['FAILED', 'TIMED_OUT', 'ABORTED', 'MISSING', 'DIFFERENT', 'ERROR'].includes(upper))
    return style.red(status);
  return style.yellow(status);
}
