/** `relay console`: starts the console server with this command's connection and prints its URL. */

import { DEFAULT_CONSOLE_PORT, startConsoleServer } from '../../console/server/server.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import type { StateMachineRef } from '../aws/arn.ts';
import { createConnection } from '../aws/connection.ts';
import { machineFor } from '../aws/session.ts';
import { resolveBackfillStateMachine } from '../aws/state-machine.ts';
import { translateError } from '../aws/translate-error.ts';
import type { MachineFlags } from '../common-options.ts';
import { requireConfig } from '../config-file.ts';
import { untilInterrupted } from '../interrupted.ts';
import { createOutput } from '../output/output.ts';

export interface ConsoleFlags extends MachineFlags {
  readonly port?: number;
}

export async function runConsole(flags: ConsoleFlags): Promise<void> {
  const out = createOutput();
  const conn = createConnection(flags);
  // The state machine is looked up on first use and again after a failure (the stack may start later).
  let found: Promise<StateMachineRef> | undefined;
  const machine = (): Promise<StateMachineRef> => {
    found ??= machineFor(flags, conn).catch((err: unknown) => {
      found = undefined;
      throw err;
    });
    return found;
  };
  // The backfill beside it (Backfills), found as `relay backfill status` finds it, on first use.
  let backfill: Promise<StateMachineRef> | undefined;
  const backfillMachine = (): Promise<StateMachineRef> => {
    backfill ??= machine()
      .then((relay) => resolveBackfillStateMachine(conn, relay, { stack: flags.stack }))
      .catch((err: unknown) => {
        backfill = undefined;
        throw err;
      });
    return backfill;
  };
  // The configuration (Replicas, Relay again, Deployments) is found as `relay status` finds it, on first use.
  let loaded: Promise<RelayConfig> | undefined;
  const config = (): Promise<RelayConfig> => {
    loaded ??= requireConfig(flags.config, { allowExample: conn.isLocal })
      .then((found) => found.config)
      .catch((err: unknown) => {
        loaded = undefined;
        throw err;
      });
    return loaded;
  };
  const server = await startConsoleServer({
    backend: {
      sfnFor: (region) => conn.sfn(region),
      s3For: (region) => conn.s3(region),
      codeDeployFor: (region) => conn.codeDeploy(region),
      machine,
      backfillMachine,
      config,
    },
    port: flags.port ?? DEFAULT_CONSOLE_PORT,
    endpoint: conn.endpoint,
    isLocal: conn.isLocal,
  });
  const where = conn.endpoint ?? 'AWS';
  out.line(`Relay console: ${server.url}  (reading ${where}; Ctrl-C stops it)`);
  try {
    await machine();
  } catch (err) {
    out.note(`note: ${translateError(err, { endpoint: conn.endpoint, isLocal: conn.isLocal }).message}`);
  }
  await untilInterrupted();
  await server.close();
  conn.destroy();
}
