/**
 * What protects the console from other web pages. It listens on loopback only, but a page elsewhere can
 * still reach it: by DNS rebinding (a name the attacker controls resolving to 127.0.0.1, sent as `Host`)
 * or by a cross-site form or fetch POST. So:
 *
 * - every request must name a loopback host (`localhost`, `*.localhost`, 127.0.0.0/8, ::1) — the idea of
 *   the local endpoint's Host guard (local/protocol/hosts.ts), without its AWS service names;
 * - every request that changes something (any method but GET and HEAD) must carry the per-process token,
 *   which only the console's own page holds (another origin cannot read the page: same-origin policy),
 *   and, when the browser names an `Origin`, it must be the console's own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hostName, isLoopbackName } from '../../local/protocol/hosts.ts';
import { TOKEN_HEADER } from '../api-types.ts';
import { ForbiddenError } from './errors.ts';

/** A fresh token for one console process: 32 random bytes, base64url. */
export function createToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The parts of a request the guard looks at. */
export interface GuardedRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

function header(request: GuardedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws ForbiddenError when the request may not be served; returns quietly when it may. */
export function guardRequest(request: GuardedRequest, token: string): void {
  const host = header(request, 'host');
  if (!isLoopbackName(hostName(host))) {
    throw new ForbiddenError(
      'HostNotAllowed',
      `the console answers only loopback host names (localhost, 127.0.0.1, [::1]), not ${JSON.stringify(host ?? '')}`,
    );
  }
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  const origin = header(request, 'origin');
  if (origin !== undefined && origin !== 'null') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost?.toLowerCase() !== host?.toLowerCase()) {
      throw new ForbiddenError('CrossOriginRequest', `requests from ${origin} may not change anything here`);
    }
  }
  if (!sameToken(header(request, TOKEN_HEADER), token)) {
    throw new ForbiddenError(
      'InvalidToken',
      `a request that changes something needs the console page's token in the ${TOKEN_HEADER} header`,
    );
  }
}
