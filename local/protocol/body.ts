/**
 * Request bodies that are read into memory (JSON-protocol requests, S3's XML control bodies): refused as
 * soon as they are larger than the operation accepts — from `Content-Length` before a byte is read, or
 * while streaming when the length is not declared — and, once a request has been answered early, the rest
 * of its body is discarded (a little) or the connection closed (a lot), never buffered.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** How much of an unread body is read and thrown away after an early answer before the connection is cut. */
export const DISCARD_LIMIT_BYTES = 1024 * 1024;

/** The request's `Content-Length`, or `undefined` when it has none (chunked transfer) or it is unreadable. */
export function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length']?.trim();
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const length = Number(value);
  return Number.isSafeInteger(length) ? length : undefined;
}

/** A body stream that closed before it ended: the client went away mid-request. */
export class PrematureCloseError extends Error {
  override readonly name = 'PrematureCloseError';
  readonly code = 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * Reads `source` to its end into memory, rejecting with `tooLarge()` as soon as more than `max` bytes
 * have arrived. The source is then paused and left alone (not destroyed), so the request can still be
 * answered; see {@link discardUnreadBody}. Rejects with the source's error, or {@link PrematureCloseError}.
 */
export function readCappedBody(source: Readable, max: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (): void => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', onError);
      source.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        settle();
        source.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      settle();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      settle();
      reject(error);
    };
    const onClose = (): void => {
      settle();
      reject(new PrematureCloseError('the request body ended before it was complete'));
    };
    source.on('data', onData);
    source.once('end', onEnd);
    source.once('error', onError);
    source.once('close', onClose);
  });
}

/**
 * Call before answering a request whose body may not have been read completely. A body declared larger
 * than {@link DISCARD_LIMIT_BYTES}, one of undeclared length, or `close`, gets `Connection: close`: what
 * arrives while the answer is written is thrown away and the server then closes the connection. A small
 * declared rest is read and thrown away, keeping the connection. Either way the client receives the
 * answer and nothing is buffered.
 */
export function discardUnreadBody(
  req: IncomingMessage,
  res: ServerResponse,
  options: { readonly close?: boolean } = {},
): void {
  if (req.complete || req.destroyed) return;
  req.unpipe();
  req.on('error', () => {
    // The client went away; there is nobody left to answer.
  });
  const declared = contentLength(req.headers);
  if (options.close === true || declared === undefined || declared > DISCARD_LIMIT_BYTES) {
    if (!res.headersSent) res.setHeader('connection', 'close');
    lingerBeforeClose(req);
  }
  req.resume();
}

/** How long a connection closed under an unread body keeps reading (and dropping) it, at most. */
export const LINGER_MS = 2000;

/** How many bytes of an unread body a closing connection reads (and drops) at most. */
export const LINGER_BYTES = 64 * 1024 * 1024;

/**
 * A lingering close (what nginx's `lingering_close` and Apache do): once the answer is written, node:http
 * destroys a `Connection: close` socket; were the client still sending, the kernel would answer its next
 * segment with a reset, and a client that had not read the answer yet loses it. Instead the socket only
 * half-closes (FIN after the answer) and keeps reading and dropping the body until the client closes,
 * {@link LINGER_BYTES} were read, or {@link LINGER_MS} passed — then it is destroyed.
 */
function lingerBeforeClose(req: IncomingMessage): void {
  const socket = req.socket;
  let drained = 0;
  const stop = (): void => {
    socket.destroy();
  };
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_BYTES) stop();
  });
  socket.destroySoon = (): void => {
    socket.end();
    setTimeout(stop, LINGER_MS).unref();
  };
}
