/**
 * Where a command writes: human text on stdout, JSON on stdout for scripts, notes and progress on
 * stderr. Colours follow the stream (terminal only).
 */
import { colourWanted, createStyle, type Style } from './style.ts';

export interface Output {
  readonly json: boolean;
  readonly style: Style;
  /** Whether stderr is a terminal (progress lines are drawn only there). */
  readonly interactive: boolean;
  /** Writes a line (or lines) of human output; ignored in JSON mode. */
  line(text?: string): void;
  /** Writes the JSON document (only in JSON mode). */
  document(value: unknown): void;
  /** A note on stderr (both modes). */
  note(text: string): void;
  /** Redraws a one-line progress indicator on stderr; a no-op unless interactive. */
  progress(text: string): void;
  /** Clears the progress line. */
  endProgress(): void;
}

export function createOutput(options: { json?: boolean | undefined } = {}): Output {
  const json = options.json === true;
  const interactive = process.stderr.isTTY === true && !json;
  let progressShown = false;
  return {
    json,
    style: createStyle(!json && colourWanted(process.stdout)),
    interactive,
    line(text = '') {
      if (!json) process.stdout.write(`${text}\n`);
    },
    document(value) {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
    progress(text) {
      if (!interactive) return;
      const width = process.stderr.columns ?? 100;
      process.stderr.write(`\r\u001b[2K${text.slice(0, width - 1)}`);
      progressShown = true;
    },
    endProgress() {
      if (progressShown) process.stderr.write('\r\u001b[2K');
      progressShown = false;
    },
  };
}
