/**
 * `npm start` on a terminal: once the demo's result is printed, the stack stays up with the console
 * beside it until Ctrl-C, so the newcomer's next step is a click. Not on a pipe (CI, scripts): there the
 * demo ends as soon as it has printed its result.
 */

import { startLocalConsole } from '../../console/server/local-console.ts';
import { untilInterrupted } from '../interrupted.ts';
import type { DemoRun } from './run.ts';

export interface KeepUpOptions {
  /** `--console-port`; the default port, or a free one when it is taken, when absent. */
  readonly port?: number | undefined;
  readonly write: (text: string) => void;
}

/** Serves the console on the demo's stack, prints where, and waits for Ctrl-C. */
export async function keepUpWithConsole(demo: DemoRun, options: KeepUpOptions): Promise<void> {
  const server = await startLocalConsole({
    endpoint: demo.endpoint,
    stateMachineArn: demo.stateMachineArn,
    port: options.port,
  });
  const page = `${server.url}#/executions/${encodeURIComponent(demo.executionArn)}`;
  options.write(
    [
      `Relay console: ${server.url}`,
      `  this execution: ${page}`,
      `  the stack stays up on ${demo.endpoint} meanwhile. Press Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );
  try {
    await untilInterrupted();
  } finally {
    options.write('Stopping the console and the local stack…\n');
    await server.close();
  }
}
