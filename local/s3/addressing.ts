/**
 * Which bucket and key a request addresses, path-style (`/bucket/key` on the bare endpoint) or
 * virtual-host style (the bucket leads the Host header: `bucket.localhost:4566`,
 * `bucket.s3.localhost`, `bucket.s3.eu-west-1.localhost`, `bucket.s3.amazonaws.com`). A region named in
 * the host (`s3.<region>.…`) is reported, since S3 answers requests sent to the wrong regional endpoint
 * differently from requests signed for the wrong region.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { isRegion } from '../../core/aws-names.ts';
import { hostName } from '../protocol/hosts.ts';
import { S3Errors } from './errors.ts';

export interface S3Address {
  readonly bucket?: string;
  /** The raw (decoded) key; `undefined` for bucket- and service-level requests. */
  readonly key?: string;
  /** The region the Host header names (`…s3.<region>.…`), if any. */
  readonly hostRegion?: string;
  /** The request's path (the `Resource` of an error). */
  readonly resource: string;
  /** The raw query string, without `?`. */
  readonly rawQuery: string;
  readonly virtualHost: boolean;
}

/** The bucket a virtual-host Host header names, and the region it names, if any. */
export function parseHost(host: string): { bucket?: string; region?: string } {
  if (host === '' || host === 'localhost' || isIP(host.replace(/^\[|\]$/g, '')) !== 0) return {};
  const labels = host.split('.');
  let s3 = -1;
  for (let i = labels.length - 1; i >= 0; i--) {
    if (labels[i] === 's3') {
      s3 = i;
      break;
    }
  }
  if (s3 >= 0) {
    const next = labels[s3 + 1];
    const region = next !== undefined && isRegion(next) ? next : undefined;
    const bucket = labels.slice(0, s3).join('.');
    return { ...(bucket ? { bucket } : {}), ...(region ? { region } : {}) };
  }
  if (host.endsWith('.localhost')) return { bucket: host.slice(0, -'.localhost'.length) };
  return {};
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw S3Errors.invalidUri();
  }
}

/** Resolves the bucket and key of a request. @throws S3Error InvalidURI for a malformed escape. */
export function resolveAddress(req: IncomingMessage): S3Address {
  let url = req.url ?? '/';
  if (/^https?:\/\//i.test(url)) url = url.replace(/^https?:\/\/[^/]*/i, '') || '/';
  const q = url.indexOf('?');
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  const rawQuery = q >= 0 ? url.slice(q + 1) : '';
  const fromHost = parseHost(hostName(req.headers.host));
  const region = fromHost.region ? { hostRegion: fromHost.region } : {};
  if (fromHost.bucket !== undefined) {
    const key = decode(rawPath.replace(/^\//, ''));
    return {
      bucket: fromHost.bucket,
      ...(key !== '' ? { key } : {}),
      ...region,
      resource: `/${fromHost.bucket}${rawPath === '/' ? '' : decode(rawPath)}`,
      rawQuery,
      virtualHost: true,
    };
  }
  const path = rawPath.replace(/^\//, '');
  const slash = path.indexOf('/');
  const bucket = decode(slash >= 0 ? path.slice(0, slash) : path);
  const key = slash >= 0 ? decode(path.slice(slash + 1)) : '';
  return {
    ...(bucket !== '' ? { bucket } : {}),
    ...(bucket !== '' && key !== '' ? { key } : {}),
    ...region,
    resource: decode(rawPath),
    rawQuery,
    virtualHost: false,
  };
}
