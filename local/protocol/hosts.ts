/**
 * Which `Host` names the local stack answers. It binds to loopback only, but a web page can still reach
 * it through DNS rebinding (a name the attacker controls that resolves to 127.0.0.1): the browser then
 * sends the attacker's name as `Host`. So only names that cannot be an attacker's are served:
 *
 * - loopback addresses (127.0.0.0/8, ::1, IPv4-mapped 127/8) and `localhost`;
 * - `*.localhost` names, which resolvers and browsers keep on the machine (RFC 6761);
 * - the AWS service names the endpoint serves — S3 (`s3.amazonaws.com`, `bucket.s3.<region>.amazonaws.com`,
 *   `s3.dualstack.<region>…`, the `amazonaws.com.cn` forms too), `states.<region>.amazonaws.com` and
 *   `codedeploy.<region>.amazonaws.com`, for a hosts file that points them at the local stack;
 * - names the user allows (`relay local --allow-host NAME`): an exact name or address, or `*.suffix`.
 */
import { BlockList, isIP } from 'node:net';
import { isRegion } from '../../core/aws-names.ts';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const AWS_DOMAINS = ['.amazonaws.com', '.amazonaws.com.cn'] as const;
/** The JSON-protocol services of the endpoint, as their regional endpoint names them. */
const JSON_SERVICE_LABELS = ['states', 'codedeploy'] as const;

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * The host name of a `Host` header (or URL authority): lower case, without the port, an IPv6 address
 * kept in its brackets (`[::1]`). `''` when there is none.
 */
export function hostName(header: string | undefined): string {
  const host = (header ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

/** The address of a host name that is an IP literal (brackets removed), else `undefined`. */
function ipLiteral(name: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const address = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  const version = isIP(address);
  if (version === 4) return { address, family: 'ipv4' };
  if (version === 6) return { address, family: 'ipv6' };
  return undefined;
}

/** Whether `name` is `localhost`, a `*.localhost` name or a loopback address. */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const ip = ipLiteral(name);
  return ip !== undefined && LOOPBACK.check(ip.address, ip.family);
}

/** Whether every label of a dotted name is a valid DNS label. */
function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every((label) => DNS_LABEL.test(label));
}

/** Whether `name` is one of the AWS service names the endpoint serves (see the module comment). */
export function isAwsServiceName(name: string): boolean {
  const domain = AWS_DOMAINS.find((d) => name.endsWith(d));
  if (domain === undefined || !isDnsName(name)) return false;
  const labels = name.slice(0, -domain.length).split('.');
  const s3 = labels.lastIndexOf('s3');
  if (s3 >= 0) {
    const after = labels.slice(s3 + 1);
    if (after.length === 0) return true;
    if (after[0] === 'dualstack') after.shift();
    return after.length === 1 && isRegion(after[0] ?? '');
  }
  const [service, region, ...rest] = labels;
  return (
    rest.length === 0 &&
    (JSON_SERVICE_LABELS as readonly string[]).includes(service ?? '') &&
    isRegion(region ?? '')
  );
}

/**
 * The canonical form of a name given to `--allow-host`: lower case, an IPv6 address in brackets.
 * `undefined` when it is neither a DNS name, `*.` followed by one, nor an IP address.
 */
export function normalizeAllowedHost(value: string): string | undefined {
  const name = value.trim().toLowerCase();
  const ip = ipLiteral(name);
  if (ip !== undefined) return ip.family === 'ipv6' ? `[${ip.address}]` : ip.address;
  if (name.startsWith('*.')) return isDnsName(name.slice(2)) ? name : undefined;
  return isDnsName(name) ? name : undefined;
}

/** What `--allow-host` accepts, for error messages. */
export const ALLOWED_HOST_FORMS =
  'a host name (host.docker.internal), *.suffix (*.dev.example) or an IP address';

/** Raised for a name that cannot be allowed; the message says what can. */
export class InvalidAllowedHostError extends Error {
  override readonly name = 'InvalidAllowedHostError';
}

/**
 * The canonical forms of names to allow.
 * @throws InvalidAllowedHostError naming the first that is not one of {@link ALLOWED_HOST_FORMS}.
 */
export function parseAllowedHosts(values: readonly string[]): string[] {
  return values.map((value) => {
    const name = normalizeAllowedHost(value);
    if (name === undefined) {
      throw new InvalidAllowedHostError(`'${value}' cannot be allowed as a Host: use ${ALLOWED_HOST_FORMS}.`);
    }
    return name;
  });
}

/** The names the endpoint serves: the built-in ones and those the user allows. */
export class HostAllowList {
  readonly #exact = new Set<string>();
  readonly #suffixes: string[] = [];

  /** @throws InvalidAllowedHostError for a name that is not one of {@link ALLOWED_HOST_FORMS}. */
  constructor(allowed: readonly string[] = []) {
    for (const name of parseAllowedHosts(allowed)) {
      if (name.startsWith('*.')) this.#suffixes.push(name.slice(1));
      else this.#exact.add(name);
    }
  }

  /** Whether a request whose host name (see {@link hostName}) is `name` may be served. */
  allows(name: string): boolean {
    if (name === '') return false;
    if (isLoopbackName(name) || isAwsServiceName(name) || this.#exact.has(name)) return true;
    return ipLiteral(name) === undefined && this.#suffixes.some((suffix) => name.endsWith(suffix));
  }
}
