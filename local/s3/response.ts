/**
 * Writes S3 answers: the headers S3 puts on every response (`x-amz-request-id`, `x-amz-id-2`, `Date`,
 * `Server`), XML bodies, streamed object bodies, and XML error documents (no body for HEAD, as S3 does).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { discardUnreadBody } from '../protocol/body.ts';
import type { RequestContext } from '../types.ts';
import type { S3Response } from './context.ts';
import type { S3Error } from './errors.ts';
import { toXml } from './xml.ts';

function baseHeaders(ctx: RequestContext): Record<string, string> {
  return {
    'x-amz-request-id': ctx.requestId,
    'x-amz-id-2': randomBytes(48).toString('base64'),
    date: new Date().toUTCString(),
    server: 'AmazonS3',
  };
}

function setHeaders(
  res: ServerResponse,
  headers: Readonly<Record<string, string | number | undefined>>,
): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) res.setHeader(name, value);
  }
}

/** Sends a handler's answer; resolves when it has been written (or the client went away). */
export async function sendResponse(
  res: ServerResponse,
  method: string,
  response: S3Response,
  ctx: RequestContext,
): Promise<void> {
  setHeaders(res, baseHeaders(ctx));
  setHeaders(res, response.headers ?? {});
  res.statusCode = response.status;
  const { body } = response;
  if (body === undefined || method === 'HEAD') {
    if (body instanceof Readable) body.destroy();
    if (body === undefined && !res.hasHeader('content-length')) res.setHeader('content-length', 0);
    res.end();
    return;
  }
  if (typeof body === 'string') {
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/xml');
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
    return;
  }
  try {
    await pipeline(body, res);
  } catch {
    // The client disconnected or the data file could not be read mid-way: the connection is already
    // unusable, so make sure it is closed rather than left with a short body.
    res.destroy();
  }
}

/** The XML error document S3 sends. */
export function errorDocument(err: S3Error, resource: string, ctx: RequestContext, hostId: string): string {
  return toXml(
    'Error',
    {
      Code: err.code,
      Message: err.message,
      ...err.details,
      Resource: resource,
      RequestId: ctx.requestId,
      HostId: hostId,
    },
    { xmlns: false },
  );
}

/** Sends an S3 error; HEAD requests and 304 get the status and headers only. */
export function sendError(
  res: ServerResponse,
  method: string,
  err: S3Error,
  resource: string,
  ctx: RequestContext,
): void {
  const base = baseHeaders(ctx);
  setHeaders(res, base);
  setHeaders(res, err.headers);
  res.statusCode = err.status;
  if (method === 'HEAD' || err.status === 304) {
    res.end();
    return;
  }
  const body = errorDocument(err, resource, ctx, base['x-amz-id-2'] ?? '');
  res.setHeader('content-type', 'application/xml');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Sends an S3 error for a request whose body may not have been read (refused early, or a failed
 * handler): what is left of the body is discarded, not buffered (see local/protocol/body.ts).
 */
export function sendS3Error(
  req: IncomingMessage,
  res: ServerResponse,
  err: S3Error,
  resource: string,
  ctx: RequestContext,
  options: { readonly closeConnection?: boolean } = {},
): void {
  discardUnreadBody(req, res, { close: options.closeConnection === true });
  sendError(res, (req.method ?? 'GET').toUpperCase(), err, resource, ctx);
}
