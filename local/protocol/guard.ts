/**
 * The checks the endpoint makes before any service reads or writes anything for a request:
 *
 * - its `Host` (and the authority of an absolute-form request target) is one the stack answers
 *   ({@link HostAllowList}) — this defeats DNS rebinding;
 * - an `Origin` header, which only browsers send, names such a host too — a page elsewhere cannot drive
 *   the stack with requests to 127.0.0.1 either;
 * - the region of the SigV4 credential scope, which services use in ARNs and file paths, is an AWS region
 *   name (`..` or `x/y` never reaches a path).
 *
 * A refusal carries the error code for each protocol: S3's XML errors and the JSON protocol's `__type`.
 */
import type { IncomingMessage } from 'node:http';
import { isRegion } from '../../core/aws-names.ts';
import { type HostAllowList, hostName } from './hosts.ts';
import { credentialScope } from './sigv4.ts';

/** Why the endpoint refuses a request, in the terms of both protocols. */
export interface Refusal {
  readonly status: number;
  /** The `<Code>` of S3's XML error. */
  readonly s3Code: string;
  /** The `__type` of a JSON-protocol error. */
  readonly jsonCode: string;
  readonly message: string;
}

/** How a person allows another host name, for the messages. */
const HOW_TO_ALLOW = 'relay local --allow-host NAME, or the allowHosts option of startLocalStack()';

/** The request target as a URL (relative targets against `http://localhost`); `undefined` when unreadable. */
export function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function refusedHost(what: 'Host header' | 'request target' | 'Origin header', name: string): Refusal {
  const shown = name === '' ? 'no host name' : `'${name}'`;
  const risk =
    what === 'Origin header'
      ? 'so it was sent by a web page of another site'
      : 'so it could come from a web page through DNS rebinding';
  return {
    status: 403,
    s3Code: 'AccessDenied',
    jsonCode: 'AccessDeniedException',
    message:
      `The local stack refuses this request: its ${what} names ${shown}, which is not a loopback name or ` +
      `address (127.0.0.1, ::1, localhost, *.localhost) nor an AWS service name, ${risk}. ` +
      `To accept ${name === '' ? 'a host name' : shown}: ${HOW_TO_ALLOW}.`,
  };
}

function checkHosts(req: IncomingMessage, url: URL, hosts: HostAllowList): Refusal | undefined {
  const host = hostName(req.headers.host);
  if (!hosts.allows(host)) return refusedHost('Host header', host);
  if (/^https?:\/\//i.test(req.url ?? '')) {
    const authority = hostName(url.host);
    if (!hosts.allows(authority)) return refusedHost('request target', authority);
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost = '';
    try {
      originHost = hostName(new URL(origin).host);
    } catch {
      // `null` (a sandboxed page, a file) or garbage: no host, refused below.
    }
    if (!hosts.allows(originHost)) return refusedHost('Origin header', originHost);
  }
  return undefined;
}

function checkRegion(req: IncomingMessage, url: URL): Refusal | undefined {
  const scope = credentialScope(req, url);
  if (scope === undefined || isRegion(scope.region)) return undefined;
  const presigned = !req.headers.authorization?.startsWith('AWS4-HMAC-SHA256');
  return {
    status: 400,
    s3Code: presigned ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed',
    jsonCode: 'InvalidSignatureException',
    message:
      `The credential scope names the region '${scope.region}', which is not an AWS region name ` +
      `(such as us-east-1 or eu-west-1): sign the request for a real region.`,
  };
}

/** Why the request must not be served, or `undefined` when it may be. */
export function refuseRequest(req: IncomingMessage, hosts: HostAllowList): Refusal | undefined {
  const url = requestUrl(req);
  if (url === undefined) {
    return {
      status: 400,
      s3Code: 'InvalidURI',
      jsonCode: 'ValidationException',
      message: "Couldn't parse the specified URI.",
    };
  }
  return checkHosts(req, url, hosts) ?? checkRegion(req, url);
}
