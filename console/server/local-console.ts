/**
 * The console beside a local stack (`relay local`, `relay demo`): it reads that stack's endpoint through
 * the SDK like `relay console --endpoint-url` does, on its own port. The default port gives way to a
 * free one when it is taken; a port asked for explicitly does not.
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { parseStateMachineArn, type StateMachineRef } from '../../cli/aws/arn.ts';
import { createConnection } from '../../cli/aws/connection.ts';
import { machineFor } from '../../cli/aws/session.ts';
import { resolveBackfillStateMachine } from '../../cli/aws/state-machine.ts';
import { requireConfig } from '../../cli/config-file.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import { type ConsoleServer, DEFAULT_CONSOLE_PORT, startConsoleServer } from './server.ts';

export interface LocalConsoleOptions {
  /** The local stack's endpoint. */
  readonly endpoint: string;
  /** The relay deployed on the stack; when absent the console looks it up as `relay console --local` does. */
  readonly stateMachineArn?: string | undefined;
  /** The port asked for; `undefined` takes the default port, or a free one when that is taken. */
  readonly port?: number | undefined;
  /** The key pair to sign with (a `--strict-auth` stack's administrator); else the CLI's local rule. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Build the UI now rather than on the first page load. @default true */
  readonly prebuild?: boolean;
  /** The relay configuration file; else found as `relay status --local` finds it (the example locally). */
  readonly configPath?: string | undefined;
}

/** Raised when the console cannot listen on the port asked for. */
export class ConsolePortError extends Error {
  override readonly name = 'ConsolePortError';
}

function isAddressInUse(err: unknown): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

export async function startLocalConsole(options: LocalConsoleOptions): Promise<ConsoleServer> {
  const conn = createConnection({ endpointUrl: options.endpoint });
  const known =
    options.stateMachineArn === undefined ? undefined : parseStateMachineArn(options.stateMachineArn);
  let found: Promise<StateMachineRef> | undefined;
  const machine = (): Promise<StateMachineRef> => {
    if (known !== undefined) return Promise.resolve(known);
    found ??= machineFor({ endpointUrl: options.endpoint }, conn).catch((err: unknown) => {
      found = undefined;
      throw err;
    });
    return found;
  };
  // The backfill beside the relay (`relay local` deploys `<relay>-backfill`), found as `relay backfill status --local` finds it.
  let backfill: Promise<StateMachineRef> | undefined;
  const backfillMachine = (): Promise<StateMachineRef> => {
    backfill ??= machine()
      .then((relay) => resolveBackfillStateMachine(conn, relay, {}))
      .catch((err: unknown) => {
        backfill = undefined;
        throw err;
      });
    return backfill;
  };
  const credentials = options.credentials;
  const signed: Array<{ destroy(): void }> = [];
  /** The connection's client, or (a `--strict-auth` stack) one signed with the administrator's keys. */
  const clientsFor = <C extends { destroy(): void }>(
    fromConnection: (region: string) => C,
    create: (region: string, keys: NonNullable<typeof credentials>) => C,
  ): ((region: string) => C) => {
    const byRegion = new Map<string, C>();
    return (region) => {
      if (credentials === undefined) return fromConnection(region);
      let client = byRegion.get(region);
      if (client === undefined) {
        client = create(region, credentials);
        byRegion.set(region, client);
        signed.push(client);
      }
      return client;
    };
  };
  const endpoint = options.endpoint;
  const sfnFor = clientsFor(
    conn.sfn,
    (region, keys) => new SFNClient({ endpoint, region, credentials: keys }),
  );
  const s3For = clientsFor(
    conn.s3,
    (region, keys) => new S3Client({ endpoint, region, credentials: keys, forcePathStyle: true }),
  );
  const codeDeployFor = clientsFor(
    conn.codeDeploy,
    (region, keys) => new CodeDeployClient({ endpoint, region, credentials: keys }),
  );
  let loaded: Promise<RelayConfig> | undefined;
  const config = (): Promise<RelayConfig> => {
    loaded ??= requireConfig(options.configPath, { allowExample: true })
      .then((found) => found.config)
      .catch((err: unknown) => {
        loaded = undefined;
        throw err;
      });
    return loaded;
  };
  const destroy = (): void => {
    conn.destroy();
    for (const client of signed.splice(0)) client.destroy();
  };
  const start = (port: number): Promise<ConsoleServer> =>
    startConsoleServer({
      backend: { sfnFor, s3For, codeDeployFor, machine, backfillMachine, config },
      port,
      endpoint: options.endpoint,
      isLocal: true,
      ...(options.prebuild === undefined ? {} : { prebuild: options.prebuild }),
    });
  let server: ConsoleServer;
  try {
    server = await start(options.port ?? DEFAULT_CONSOLE_PORT).catch((err: unknown) => {
      if (options.port === undefined && isAddressInUse(err)) return start(0);
      throw err;
    });
  } catch (err) {
    destroy();
    if (isAddressInUse(err)) {
      throw new ConsolePortError(
        `the console cannot listen on port ${options.port}: it is in use (choose another with --console-port, or --no-console)`,
      );
    }
    throw err;
  }
  return {
    ...server,
    close: async () => {
      await server.close();
      destroy();
    },
  };
}
