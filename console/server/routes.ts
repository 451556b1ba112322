/**
 * The console's routes, as one function from a request (method, path, headers) to a reply: the page,
 * the bundled UI, and the JSON API. Every request passes the guard first (guard.ts).
 */
import { defaultApprover } from '../../cli/actions/approve.ts';
import { translateError } from '../../cli/aws/translate-error.ts';
import type { ErrorAnswer } from '../api-types.ts';
import { decideApproval, relayAgain, stopExecution } from './actions.ts';
import { type ConsoleBackend, executionDetail, redriveExecution } from './api.ts';
import { backfillDetail, listBackfillsPage } from './backfills.ts';
import type { UiBundle } from './bundle.ts';
import { deploymentStatus, deployOnDemand } from './deploy.ts';
import { deploymentGroupPage, deploymentsOverview } from './deployments.ts';
import { ConsoleHttpError, MethodNotAllowedError, NotFoundError, PayloadTooLargeError } from './errors.ts';
import { type GuardedRequest, guardRequest } from './guard.ts';
import { listExecutionsPage } from './list.ts';
import { mapRunChildren } from './map-runs.ts';
import { renderPage } from './page.ts';
import { replicasOf } from './replicas.ts';

export interface ConsoleRequest extends GuardedRequest {
  /** The request target: path and query. */
  readonly url: string;
  /** The body as sent (UTF-8), for the routes that read one (approve, reject). */
  readonly body?: string | undefined;
  /** Set when the body was longer than {@link MAX_BODY_BYTES}: the request is answered 413. */
  readonly bodyTooLarge?: boolean | undefined;
}

/** The longest request body the console reads (a comment or a reason, as JSON). */
export const MAX_BODY_BYTES = 64 * 1024;

export interface ConsoleReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RouteDeps {
  readonly backend: ConsoleBackend;
  readonly token: string;
  /** The UI, built lazily on the first request for it. */
  readonly ui: () => Promise<UiBundle>;
  /** Where the SDK calls go, for error messages that say what to do. */
  readonly endpoint?: string | undefined;
  readonly isLocal?: boolean;
  /**
   * Who approvals decided in this console are recorded as.
   * @default the operator running the console, `user@host` (cli/actions/approve.ts `defaultApprover`)
   */
  readonly approver?: (() => string) | undefined;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

function reply(status: number, contentType: string, body: string): ConsoleReply {
  return {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': contentType, 'cache-control': 'no-store' },
    body,
  };
}

function json(status: number, value: unknown): ConsoleReply {
  return reply(status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function errorReply(err: unknown, deps: RouteDeps): ConsoleReply {
  if (err instanceof ConsoleHttpError) {
    const answer: ErrorAnswer = { error: err.code, message: err.message };
    const out = json(err.status, answer);
    return err instanceof MethodNotAllowedError
      ? { ...out, headers: { ...out.headers, allow: err.allow.join(', ') } }
      : out;
  }
  const translated = translateError(err, { endpoint: deps.endpoint, isLocal: deps.isLocal ?? false });
  const name = err instanceof Error ? err.name : 'Error';
  const answer: ErrorAnswer = { error: name, message: translated.message };
  return json(502, answer);
}

const EXECUTION_PATH = /^\/api\/executions\/([^/]+)(\/redrive|\/stop|\/approve|\/reject)?$/;
const BACKFILL_PATH = /^\/api\/backfills\/([^/]+)$/;
const MAP_RUN_CHILDREN_PATH = /^\/api\/map-runs\/([^/]+)\/executions$/;

function headerOf(request: ConsoleRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function only(method: string, allowed: string): void {
  if (method !== allowed && !(allowed === 'GET' && method === 'HEAD')) {
    throw new MethodNotAllowedError([allowed]);
  }
}

async function route(request: ConsoleRequest, deps: RouteDeps): Promise<ConsoleReply> {
  guardRequest(request, deps.token);
  if (request.bodyTooLarge === true) {
    throw new PayloadTooLargeError(`the console reads request bodies of at most ${MAX_BODY_BYTES} bytes`);
  }
  const approver = deps.approver ?? defaultApprover;
  const url = new URL(request.url, 'http://console.localhost');
  const method = request.method.toUpperCase();
  const path = url.pathname;
  if (path === '/' || path === '/index.html') {
    only(method, 'GET');
    return reply(200, 'text/html; charset=utf-8', renderPage(deps.token));
  }
  if (path === '/app.js') {
    only(method, 'GET');
    return reply(200, 'text/javascript; charset=utf-8', (await deps.ui()).script);
  }
  if (path === '/app.css') {
    only(method, 'GET');
    return reply(200, 'text/css; charset=utf-8', (await deps.ui()).style);
  }
  if (path === '/api/executions') {
    only(method, 'GET');
    return json(200, await listExecutionsPage(deps.backend, url.searchParams));
  }
  if (path === '/api/replicas') {
    only(method, 'GET');
    return json(200, await replicasOf(deps.backend, url.searchParams));
  }
  if (path === '/api/relay-again') {
    only(method, 'POST');
    return json(200, await relayAgain(deps.backend, url.searchParams));
  }
  if (path === '/api/deploy') {
    only(method, 'POST');
    return json(200, await deployOnDemand(deps.backend, url.searchParams, deps.isLocal ?? false));
  }
  if (path === '/api/deploy/status') {
    only(method, 'GET');
    return json(200, await deploymentStatus(deps.backend, url.searchParams));
  }
  if (path === '/api/deployments') {
    only(method, 'GET');
    return json(200, await deploymentsOverview(deps.backend));
  }
  if (path === '/api/deployments/group') {
    only(method, 'GET');
    return json(200, await deploymentGroupPage(deps.backend, url.searchParams));
  }
  if (path === '/api/backfills') {
    only(method, 'GET');
    return json(200, await listBackfillsPage(deps.backend, url.searchParams));
  }
  const backfill = BACKFILL_PATH.exec(path);
  if (backfill !== null) {
    only(method, 'GET');
    return json(200, await backfillDetail(deps.backend, decodeURIComponent(backfill[1] ?? '')));
  }
  const children = MAP_RUN_CHILDREN_PATH.exec(path);
  if (children !== null) {
    only(method, 'GET');
    const mapRunArn = decodeURIComponent(children[1] ?? '');
    return json(200, await mapRunChildren(deps.backend, mapRunArn, url.searchParams));
  }
  const match = EXECUTION_PATH.exec(path);
  if (match !== null) {
    const arn = decodeURIComponent(match[1] ?? '');
    if (match[2] === '/redrive') {
      only(method, 'POST');
      return json(200, await redriveExecution(deps.backend, arn));
    }
    if (match[2] === '/stop') {
      only(method, 'POST');
      return json(200, await stopExecution(deps.backend, arn));
    }
    if (match[2] === '/approve' || match[2] === '/reject') {
      only(method, 'POST');
      const decision = match[2] === '/approve' ? 'approved' : 'rejected';
      const body = { body: request.body, contentType: headerOf(request, 'content-type') };
      return json(200, await decideApproval(deps.backend, arn, decision, body, approver()));
    }
    only(method, 'GET');
    return json(200, await executionDetail(deps.backend, arn, approver()));
  }
  throw new NotFoundError(`no route ${path}`);
}

/** Answers one request; never throws (errors become JSON error replies). */
export async function handleRequest(request: ConsoleRequest, deps: RouteDeps): Promise<ConsoleReply> {
  try {
    return await route(request, deps);
  } catch (err) {
    return errorReply(err, deps);
  }
}
