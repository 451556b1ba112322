/**
 * The one loopback endpoint of the local stack: routes AWS JSON-protocol requests by `X-Amz-Target`
 * (`AWSStepFunctions.*` → Step Functions, `CodeDeploy_20141006.*` → CodeDeploy) and everything else to S3.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveJson } from './protocol/json.ts';
import { credentialScope } from './protocol/sigv4.ts';
import type { JsonService, RequestContext, RestService } from './types.ts';

export interface EndpointServices {
  readonly s3: RestService;
  readonly stepFunctions: JsonService;
  readonly codeDeploy: JsonService;
}

export interface EndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly accountId: string;
  /** Called once per JSON-protocol request with a concise line; S3 logs its own requests. */
  readonly log?: (line: string) => void;
}

const JSON_TARGETS: ReadonlyArray<{
  prefix: string;
  service: 'stepFunctions' | 'codeDeploy';
  label: string;
}> = [
  { prefix: 'AWSStepFunctions.', service: 'stepFunctions', label: 'StepFunctions' },
  { prefix: 'CodeDeploy_20141006.', service: 'codeDeploy', label: 'CodeDeploy' },
];

/** A request id shaped like S3's (16 upper-case hex characters). */
export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

function contextFor(req: IncomingMessage, accountId: string): RequestContext {
  const url = new URL(req.url ?? '/', 'http://localhost');
  return {
    region: credentialScope(req, url)?.region ?? 'us-east-1',
    requestId: newRequestId(),
    accountId,
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  services: EndpointServices,
  options: EndpointOptions,
): Promise<void> {
  const ctx = contextFor(req, options.accountId);
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const match = JSON_TARGETS.find((t) => target.startsWith(t.prefix));
    if (match) {
      const started = Date.now();
      const outcome = await serveJson(req, res, services[match.service], target, ctx);
      options.log?.(
        `${match.label} ${outcome.operation} ${outcome.status}${outcome.error ? ` ${outcome.error}` : ''} ${Date.now() - started}ms`,
      );
      return;
    }
  }
  await services.s3.handle(req, res, ctx);
}

/** Starts the HTTP server; resolves once it listens. `port: 0` picks a free port. */
export async function startEndpoint(
  services: EndpointServices,
  options: EndpointOptions,
): Promise<{ server: Server; url: string; port: number }> {
  const server = createServer((req, res) => {
    route(req, res, services, options).catch((err: unknown) => {
      options.log?.(`endpoint error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal error in the local stack');
      } else {
        res.destroy();
      }
    });
  });
  // Uploads of large objects can take a while on a busy machine; never cut a request short.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${options.host}:${port}`, port };
}

/** Closes the server and every open connection. */
export async function stopEndpoint(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
