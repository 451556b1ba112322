/**
 * The console's HTTP server: loopback only, its own port (the local stack's endpoint keeps `GET /` for
 * S3's ListBuckets), one per-process token, the UI built once on first use.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleBackend } from './api.ts';
import { buildUi, type UiBundle } from './bundle.ts';
import { createToken } from './guard.ts';
import { handleRequest } from './routes.ts';

export const DEFAULT_CONSOLE_PORT = 4567;
export const CONSOLE_HOST = '127.0.0.1';

export interface ConsoleServerOptions {
  readonly backend: ConsoleBackend;
  /** 0 picks a free port. */
  readonly port: number;
  readonly endpoint?: string | undefined;
  readonly isLocal?: boolean;
  /** Build the UI when the server starts rather than on the first page load. @default true */
  readonly prebuild?: boolean;
}

export interface ConsoleServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, CONSOLE_HOST, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const token = createToken();
  let ui: Promise<UiBundle> | undefined;
  const deps = {
    backend: options.backend,
    token,
    ui: () => {
      ui ??= buildUi();
      return ui;
    },
    endpoint: options.endpoint,
    isLocal: options.isLocal ?? false,
  };
  // Build now so the first page load does not wait; a failure surfaces on the first request for it.
  if (options.prebuild !== false) deps.ui().catch(() => undefined);
  const server = createServer((req, res) => {
    req.resume();
    void handleRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, deps).then(
      (answer) => {
        res.writeHead(answer.status, answer.headers);
        res.end(req.method === 'HEAD' ? undefined : answer.body);
      },
    );
  });
  const port = await listen(server, options.port);
  return {
    url: `http://${CONSOLE_HOST}:${port}/`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
