/**
 * The AWS JSON protocol (1.0 for Step Functions, 1.1 for CodeDeploy): a POST whose `X-Amz-Target` header
 * names `Service.Operation`, a JSON body in and out, and errors as `{ __type, message }` with the error
 * code also in `x-amzn-ErrorType` — which is what the SDK v3 and the AWS CLI read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonService, RequestContext } from '../types.ts';
import { contentLength, discardUnreadBody, readCappedBody } from './body.ts';

/**
 * The largest JSON-protocol request body accepted: the Step Functions API's documented maximum request
 * size (1 MB per request, which bounds StartExecution's 256 KiB input even fully escaped). CodeDeploy
 * documents no request size; its largest members (a String revision) are far smaller, so it shares it.
 */
export const MAX_JSON_REQUEST_BYTES = 1024 * 1024;

/** A modelled error of a JSON-protocol service: `code` is the shape name clients match on. */
export class AwsJsonError extends Error {
  override readonly name = 'AwsJsonError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

function requestTooLarge(size: number | undefined): AwsJsonError {
  const sent = size === undefined ? 'The request body is' : `The request body (${size} bytes) is`;
  return new AwsJsonError(
    'ValidationException',
    `${sent} larger than the ${MAX_JSON_REQUEST_BYTES} bytes an API request may carry.`,
    413,
  );
}

/** The body; refused from its Content-Length, or as soon as it grows past the limit. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = contentLength(req.headers);
  if (declared !== undefined && declared > MAX_JSON_REQUEST_BYTES) throw requestTooLarge(declared);
  return readCappedBody(req, MAX_JSON_REQUEST_BYTES, () => requestTooLarge(undefined));
}

/** The protocol version a request speaks, which its answer repeats. */
function responseContentType(req: IncomingMessage): string {
  return req.headers['content-type']?.startsWith('application/x-amz-json-1.1')
    ? 'application/x-amz-json-1.1'
    : 'application/x-amz-json-1.0';
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: unknown,
  ctx: RequestContext,
): void {
  // JSON.stringify calls Date#toJSON before a replacer sees the value, so look at the holder's raw member.
  const text = JSON.stringify(
    body ?? {},
    function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return raw instanceof Date ? raw.getTime() / 1000 : value;
    },
  );
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': ctx.requestId,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: AwsJsonError, contentType: string, ctx: RequestContext): void {
  res.setHeader('x-amzn-errortype', err.code);
  send(res, err.statusCode, contentType, { __type: err.code, message: err.message }, ctx);
}

/**
 * Answers a JSON-protocol request with an error before (or instead of) reading its body; what is left of
 * the body is discarded, not buffered.
 */
export function sendJsonError(
  req: IncomingMessage,
  res: ServerResponse,
  err: AwsJsonError,
  ctx: RequestContext,
  options: { readonly closeConnection?: boolean } = {},
): void {
  discardUnreadBody(req, res, { close: options.closeConnection === true });
  sendError(res, err, responseContentType(req), ctx);
}

/**
 * Serves one JSON-protocol request. Dates in the result are written as epoch seconds (the protocol's
 * timestamp format). `verifyBody`, when given, sees the body before it is parsed (the signature of a
 * JSON-protocol request covers its body's hash) and may refuse the request.
 */
export async function serveJson(
  req: IncomingMessage,
  res: ServerResponse,
  service: JsonService,
  target: string,
  ctx: RequestContext,
  options: { readonly verifyBody?: (body: Buffer) => Promise<AwsJsonError | undefined> } = {},
): Promise<{ operation: string; status: number; error?: string }> {
  const contentType = responseContentType(req);
  const operation = target.slice(target.indexOf('.') + 1);
  let input: Record<string, unknown>;
  try {
    const body = await readBody(req);
    const refused = await options.verifyBody?.(body);
    if (refused !== undefined) throw refused;
    const raw = body.toString('utf8');
    const parsed: unknown = raw.trim() === '' ? {} : JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('the request body must be a JSON object');
    }
    input = parsed as Record<string, unknown>;
  } catch (cause) {
    const err =
      cause instanceof AwsJsonError
        ? cause
        : new AwsJsonError('SerializationException', `Could not parse the request body: ${String(cause)}`);
    sendJsonError(req, res, err, ctx);
    return { operation, status: err.statusCode, error: err.code };
  }
  try {
    const output = await service.handle(operation, input, ctx);
    send(res, 200, contentType, output, ctx);
    return { operation, status: 200 };
  } catch (cause) {
    const err =
      cause instanceof AwsJsonError
        ? cause
        : new AwsJsonError('InternalFailure', cause instanceof Error ? cause.message : String(cause), 500);
    sendError(res, err, contentType, ctx);
    return { operation, status: err.statusCode, error: err.code };
  }
}

/** Reads a required string member of a JSON-protocol input, failing the way AWS validation does. */
export function requireString(input: Record<string, unknown>, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') {
    throw new AwsJsonError(
      'ValidationException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** Reads an optional string member; a present non-string is a validation error. */
export function optionalString(input: Record<string, unknown>, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsJsonError('ValidationException', `Value at '${member}' must be a string`);
  }
  return value;
}
