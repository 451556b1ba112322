/** The console server's errors: each carries the HTTP status and the error code its answer names. */

/** A request the console answers with an error status and a JSON `{ error, message }` body. */
export class ConsoleHttpError extends Error {
  override readonly name: string = 'ConsoleHttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** 400: a query parameter or path the API does not accept. */
export class BadRequestError extends ConsoleHttpError {
  override readonly name = 'BadRequestError';
  constructor(message: string) {
    super(400, 'BadRequest', message);
  }
}

/** 403: a Host that is not a loopback name, or a mutating request without the page's token. */
export class ForbiddenError extends ConsoleHttpError {
  override readonly name = 'ForbiddenError';
  constructor(code: 'HostNotAllowed' | 'InvalidToken' | 'CrossOriginRequest', message: string) {
    super(403, code, message);
  }
}

/** 404: no such route, or no such execution. */
export class NotFoundError extends ConsoleHttpError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super(404, 'NotFound', message);
  }
}

/** 405: the route exists but not for this method. */
export class MethodNotAllowedError extends ConsoleHttpError {
  override readonly name = 'MethodNotAllowedError';
  constructor(readonly allow: readonly string[]) {
    super(405, 'MethodNotAllowed', `use ${allow.join(' or ')}`);
  }
}

/** 409: the console has no relay configuration, which Replicas, Relay again and Deployments need. */
export class NotConfiguredError extends ConsoleHttpError {
  override readonly name = 'NotConfiguredError';
  constructor(message: string) {
    super(409, 'NoConfiguration', message);
  }
}

/**
 * 409: no backfill state machine was found beside the relay (deployed without its backfill, or the console
 * was started without a way to find it): the Backfills view says why, the rest of the console works.
 */
export class NoBackfillError extends ConsoleHttpError {
  override readonly name = 'NoBackfillError';
  constructor(message: string) {
    super(409, 'NoBackfill', message);
  }
}

/** 409: another claimant is starting a deployment in the group; try again shortly. */
export class GroupBusyError extends ConsoleHttpError {
  override readonly name = 'GroupBusyError';
  constructor(message: string) {
    super(409, 'DeploymentGroupBusy', message);
  }
}

/**
 * 409: the approval asked for is not the one waiting — the execution waits on none, on another wave, or
 * the wait just ended (decided elsewhere, timed out, the execution stopped).
 */
export class ApprovalConflictError extends ConsoleHttpError {
  override readonly name = 'ApprovalConflictError';
  constructor(message: string) {
    super(409, 'ApprovalNotPending', message);
  }
}

/** 413: a request body longer than the console reads. */
export class PayloadTooLargeError extends ConsoleHttpError {
  override readonly name = 'PayloadTooLargeError';
  constructor(message: string) {
    super(413, 'PayloadTooLarge', message);
  }
}

/** 415: a request body that is not JSON (`content-type: application/json`). */
export class UnsupportedMediaTypeError extends ConsoleHttpError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(message: string) {
    super(415, 'UnsupportedMediaType', message);
  }
}
