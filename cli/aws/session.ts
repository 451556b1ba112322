/**
 * Runs a command with one connection and turns whatever it throws into a one-line error that says
 * what to do; finds the relay's state machine for the common flags.
 */
import type { RelayConfig } from '../../core/config/schema.ts';
import type { MachineFlags } from '../common-options.ts';
import { findConfig, loadConfigChoice } from '../config-file.ts';
import type { StateMachineRef } from './arn.ts';
import { type Connection, type ConnectionOptions, createConnection } from './connection.ts';
import { resolveStateMachine } from './state-machine.ts';
import { translateError } from './translate-error.ts';

/** Runs `work` with a connection; errors become one line naming the endpoint when it matters. */
export async function withConnection<T>(
  flags: ConnectionOptions,
  work: (conn: Connection) => Promise<T>,
): Promise<T> {
  const conn = createConnection(flags);
  try {
    return await work(conn);
  } catch (err) {
    throw translateError(err, { endpoint: conn.endpoint, isLocal: conn.isLocal });
  } finally {
    conn.destroy();
  }
}

/** The configuration, when one is at hand (only used to know where the state machine lives). */
async function optionalConfig(flags: MachineFlags, conn: Connection): Promise<RelayConfig | undefined> {
  const found = findConfig(flags.config, { allowExample: conn.isLocal });
  return found === undefined ? undefined : loadConfigChoice(found);
}

/** The relay's state machine for these flags. */
export async function machineFor(flags: MachineFlags, conn: Connection): Promise<StateMachineRef> {
  const config = flags.stateMachine?.startsWith('arn:') ? undefined : await optionalConfig(flags, conn);
  return resolveStateMachine(conn, {
    stateMachine: flags.stateMachine,
    stack: flags.stack,
    configRegion: config?.sources[0]?.region,
  });
}
