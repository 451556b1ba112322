/**
 * The console's HTTP server: loopback only, its own port (the local stack's endpoint keeps `GET /` for
 * S3's ListBuckets), one per-process token, the UI built once on first use.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleBackend } from './api.ts';
import { buildUi, type UiBundle } from './bundle.ts';
import { createToken } from './guard.ts';
import { handleRequest, MAX_BODY_BYTES } from './routes.ts';

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

/**
 * The body of a request that may carry one (any method but GET and HEAD), up to {@link MAX_BODY_BYTES};
 * a longer one is drained unread and reported, so the route answers 413.
 */
async function readBody(req: IncomingMessage): Promise<{ body?: string; bodyTooLarge?: boolean }> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') {
    req.resume();
    return {};
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES) return { bodyTooLarge: true };
  return { body: Buffer.concat(chunks).toString('utf8') };
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
    void readBody(req)
      .then((body) =>
        handleRequest(
          { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, ...body },
          deps,
        ),
      )
      .then(
        (answer) => {
          res.writeHead(answer.status, answer.headers);
          res.end(req.method === 'HEAD' ? undefined : answer.body);
        },
        // The client went away while sending its body: nobody to answer.
        () => res.destroy(),
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
