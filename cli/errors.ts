/** A failure the CLI reports as one line (what went wrong and what to do), exiting with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_CODES.failure,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The exit codes of `relay`. */
export const EXIT_CODES = {
  ok: 0,
  /** Something failed: an AWS call, a target, an execution, a target not in sync. */
  failure: 1,
  /** The command line was wrong (unknown option, bad value, missing argument). */
  usage: 2,
} as const;
