/**
 * The one loopback endpoint of the local stack: routes AWS JSON-protocol requests by `X-Amz-Target`
 * (`AWSStepFunctions.*` → Step Functions, `CodeDeploy_20141006.*` → CodeDeploy, `TrentService.*` → KMS,
 * `CodePipeline_20150709.*` → CodePipeline) and
 * everything else to S3.
 * Before a service sees a request, the guard (local/protocol/guard.ts) refuses hostile ones — a foreign
 * `Host` or `Origin`, a signing region that is not a region — and then authentication
 * (local/protocol/authentication.ts) refuses unsigned ones and, when verification is on, wrongly signed
 * ones, each in the protocol the client speaks; a client sending `Expect: 100-continue` is refused before
 * it sends its body.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthenticationFailure, Authenticator } from './protocol/authentication.ts';
import { type Refusal, refuseRequest, requestUrl } from './protocol/guard.ts';
import { HostAllowList } from './protocol/hosts.ts';
import { AwsJsonError, sendJsonError, serveJson } from './protocol/json.ts';
import { credentialScope } from './protocol/sigv4.ts';
import { S3Error } from './s3/errors.ts';
import { sendS3Error } from './s3/response.ts';
import type { JsonService, RequestContext, RestService } from './types.ts';

export interface EndpointServices {
  readonly s3: RestService;
  readonly stepFunctions: JsonService;
  readonly codeDeploy: JsonService;
  /** The local KMS; without it `TrentService.*` requests answer UnknownOperationException. */
  readonly kms?: JsonService;
  /** The local CodePipeline (job results, pipeline state); without it `CodePipeline_20150709.*` is unknown. */
  readonly codePipeline?: JsonService;
}

export interface EndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly accountId: string;
  /**
   * Host names served besides loopback names, `*.localhost` and AWS service names: exact names or
   * addresses, or `*.suffix`. @default none
   * @throws InvalidAllowedHostError (from startEndpoint) for a name that is none of these.
   */
  readonly allowHosts?: readonly string[];
  /**
   * Authenticates every request the guard lets through. @default an Authenticator that refuses unsigned
   * requests and accepts any SigV4 signature
   */
  readonly authentication?: Authenticator;
  /** Called once per JSON-protocol request and per refused request with a concise line; S3 logs its own. */
  readonly log?: (line: string) => void;
}

const JSON_TARGETS: ReadonlyArray<{
  prefix: string;
  service: 'stepFunctions' | 'codeDeploy' | 'kms' | 'codePipeline';
  label: string;
}> = [
  { prefix: 'AWSStepFunctions.', service: 'stepFunctions', label: 'StepFunctions' },
  { prefix: 'CodeDeploy_20141006.', service: 'codeDeploy', label: 'CodeDeploy' },
  { prefix: 'TrentService.', service: 'kms', label: 'KMS' },
  { prefix: 'CodePipeline_20150709.', service: 'codePipeline', label: 'CodePipeline' },
];

/** Answers every operation of a JSON service the endpoint was started without. */
const ABSENT_SERVICE: JsonService = {
  handle: async (operation) => {
    throw new AwsJsonError('UnknownOperationException', `This endpoint does not serve ${operation}`);
  },
};

/** A request id shaped like S3's (16 upper-case hex characters). */
export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** The region the request was signed for (the guard has checked it is one); `us-east-1` when unsigned. */
function contextFor(req: IncomingMessage, accountId: string): RequestContext {
  const url = requestUrl(req);
  const scope = url ? credentialScope(req, url) : undefined;
  return {
    region: scope?.region ?? 'us-east-1',
    requestId: newRequestId(),
    accountId,
    ...(scope ? { accessKeyId: scope.accessKeyId } : {}),
  };
}

function jsonTarget(
  req: IncomingMessage,
): { target: string; match: (typeof JSON_TARGETS)[number] } | undefined {
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string') return undefined;
  const match = JSON_TARGETS.find((t) => target.startsWith(t.prefix));
  return match ? { target, match } : undefined;
}

/**
 * Answers a request refused before any service saw it (by the guard or by authentication) in the
 * protocol it speaks; its body is not read.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  errors: { readonly json: AwsJsonError; readonly s3: S3Error },
  json: boolean,
  expectsContinue: boolean,
  accountId: string,
): void {
  const ctx: RequestContext = { region: 'us-east-1', requestId: newRequestId(), accountId };
  const closeConnection = expectsContinue;
  if (json) {
    sendJsonError(req, res, errors.json, ctx, { closeConnection });
    return;
  }
  const resource = (req.url ?? '/').replace(/^https?:\/\/[^/]*/i, '').split('?')[0] || '/';
  sendS3Error(req, res, errors.s3, resource, ctx, { closeConnection });
}

/** A guard's refusal in both protocols. */
function refusalErrors(refusal: Refusal): { json: AwsJsonError; s3: S3Error } {
  return {
    json: new AwsJsonError(refusal.jsonCode, refusal.message, refusal.status),
    s3: new S3Error(refusal.s3Code, refusal.message, refusal.status),
  };
}

/** An authentication failure in both protocols. */
function authenticationErrors(failure: AuthenticationFailure): { json: AwsJsonError; s3: S3Error } {
  const { code, message, status, details } = failure.s3;
  return {
    json: new AwsJsonError(failure.json.code, failure.json.message, failure.json.status),
    s3: new S3Error(code, message, status, details ?? {}),
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  services: EndpointServices,
  options: EndpointOptions & {
    readonly hosts: HostAllowList;
    readonly authenticator: Authenticator;
    readonly expectsContinue: boolean;
  },
): Promise<void> {
  const json = jsonTarget(req);
  const refusal = refuseRequest(req, options.hosts);
  if (refusal) {
    refuse(req, res, refusalErrors(refusal), json !== undefined, options.expectsContinue, options.accountId);
    options.log?.(
      `Refused ${req.method ?? '-'} ${req.headers.host ?? '(no Host)'} ${refusal.status} ${json ? refusal.jsonCode : refusal.s3Code}`,
    );
    return;
  }
  const admission = await options.authenticator.admit(req, json ? 'json' : 's3');
  if (admission.refused) {
    const failure = admission.refused;
    refuse(
      req,
      res,
      authenticationErrors(failure),
      json !== undefined,
      options.expectsContinue,
      options.accountId,
    );
    const answer = json ? failure.json : failure.s3;
    options.log?.(`Refused ${req.method ?? '-'} ${req.url ?? '/'} ${answer.status} ${answer.code}`);
    return;
  }
  if (options.expectsContinue) res.writeContinue();
  const ctx = contextFor(req, options.accountId);
  if (json) {
    const started = Date.now();
    const service = services[json.match.service] ?? ABSENT_SERVICE;
    const verify = admission.verifyBody;
    const outcome = await serveJson(
      req,
      res,
      service,
      json.target,
      ctx,
      verify === undefined
        ? {}
        : {
            verifyBody: async (body) => {
              const failure = await verify(body);
              return failure === undefined ? undefined : authenticationErrors(failure).json;
            },
          },
    );
    options.log?.(
      `${json.match.label} ${outcome.operation} ${outcome.status}${outcome.error ? ` ${outcome.error}` : ''} ${Date.now() - started}ms`,
    );
    return;
  }
  await services.s3.handle(req, res, ctx);
}

/** Starts the HTTP server; resolves once it listens. `port: 0` picks a free port. */
export async function startEndpoint(
  services: EndpointServices,
  options: EndpointOptions,
): Promise<{ server: Server; url: string; port: number }> {
  const hosts = new HostAllowList(options.allowHosts);
  const authenticator = options.authentication ?? new Authenticator();
  const handle = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void => {
    route(req, res, services, { ...options, hosts, authenticator, expectsContinue }).catch((err: unknown) => {
      options.log?.(`endpoint error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal error in the local stack');
      } else {
        res.destroy();
      }
    });
  };
  const server = createServer((req, res) => handle(req, res, false));
  // Without this listener Node answers `100 Continue` itself, inviting the body before the guard has run.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => handle(req, res, true));
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
