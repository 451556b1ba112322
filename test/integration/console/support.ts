/**
 * What the console's browser tests share: Debian's Chromium (never downloaded; `.ci/run` installs it), and
 * a console server reading a relay deployed by the workflow harness through the harness's own clients.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { type ConsoleServer, startConsoleServer } from '../../../console/server/server.ts';
import type { Relay, WorkflowHarness } from '../workflow/harness.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser is there (the suites run only then; CI installs it). */
export const HAS_CHROMIUM = existsSync(CHROMIUM);

/** Headless Chromium from the system. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * A console on a free loopback port for `relay`, deployed on the harness's local stack — and, when given,
 * the backfill state machine deployed beside it (local/backfill.ts).
 */
export async function serveConsole(
  h: WorkflowHarness,
  relay: Relay,
  options: { readonly backfillStateMachineArn?: string } = {},
): Promise<ConsoleServer> {
  const machine = parseStateMachineArn(relay.deployed.stateMachineArn);
  if (machine === undefined) throw new Error('the relay has no state machine ARN');
  const backfill =
    options.backfillStateMachineArn === undefined
      ? undefined
      : parseStateMachineArn(options.backfillStateMachineArn);
  return startConsoleServer({
    backend: {
      sfnFor: (region) => h.sfn(region),
      s3For: (region) => h.s3(region),
      codeDeployFor: (region) => h.codeDeploy(region),
      machine: async () => machine,
      ...(backfill === undefined ? {} : { backfillMachine: async () => backfill }),
      config: async () => relay.config,
    },
    port: 0,
    endpoint: h.stack.endpoint,
    isLocal: true,
  });
}
