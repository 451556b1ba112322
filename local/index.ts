/**
 * The embedded local AWS: S3, Step Functions, CodeDeploy and KMS behind one loopback endpoint, plus the
 * EventBridge bridge that turns S3 "Object Created" events into executions. See DESIGN §5.
 *
 * ```ts
 * const stack = await startLocalStack({ port: 0, dataDir: '.relay/example' });
 * // … point SDK clients at stack.endpoint …
 * await stack.stop();
 * ```
 */
import './polyfills.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LifecycleDurations } from './codedeploy/lifecycle.ts';
import { CodeDeployService } from './codedeploy/service.ts';
import { CodePipelineService } from './codepipeline/service.ts';
import { EventBridgeBridge } from './eventbridge/bridge.ts';
import { PUT_EVENTS_INTEGRATION, putEventsIntegration } from './eventbridge/put-events.ts';
import { FaultPlan, type FaultRule } from './faults.ts';
import {
  type AdministratorRegistration,
  InvalidPrincipal,
  type PrincipalRegistration,
  PrincipalRegistry,
} from './iam/principals.ts';
import { KmsService } from './kms/service.ts';
import { Authenticator, type KeyPair } from './protocol/authentication.ts';
import { InvalidAllowedHostError, parseAllowedHosts } from './protocol/hosts.ts';
import { S3Service } from './s3/service.ts';
import { startEndpoint, stopEndpoint } from './server.ts';
import { sdkDistributedMapS3 } from './stepfunctions/distributed/s3-sdk.ts';
import { StepFunctionsService } from './stepfunctions/service.ts';
import { registerStartExecutionIntegration } from './stepfunctions/start-execution-integration.ts';

export { FaultPlan, type FaultRule } from './faults.ts';
export type { AdministratorRegistration, PrincipalRegistration } from './iam/principals.ts';
export type { KeyPair } from './protocol/authentication.ts';
export type { AuthorizationRecord } from './s3/authorizer.ts';

/** The defaults a person meets with `npx relay local`. */
export const LOCAL_DEFAULTS = {
  host: '127.0.0.1',
  port: 4566,
  dataDir: '.relay/local',
  accountId: '000000000000',
} as const;

export interface LocalStackOptions {
  /** TCP port on 127.0.0.1. @default 4566 — `0` picks a free port. */
  readonly port?: number;
  /** Where buckets, objects, executions and deployments are kept. @default '.relay/local' */
  readonly dataDir?: string;
  /** The account every local resource belongs to. @default '000000000000' */
  readonly accountId?: string;
  /** S3 fault rules active from the start; change them at run time through `stack.faults`. */
  readonly faults?: readonly FaultRule[];
  /** Seed of the fault plan's random draws. @default 1 */
  readonly faultSeed?: number;
  /** S3 limits, lowerable so tests can exercise them with small objects. */
  readonly s3?: {
    /** Largest object CopyObject accepts. @default 5 GiB */
    readonly maxCopyObjectBytes?: number;
    /** Smallest non-last multipart part. @default 5 MiB */
    readonly minPartSizeBytes?: number;
  };
  /** Multiplies every Step Functions wait/retry interval and CodeDeploy duration. @default 1 */
  readonly timeScale?: number;
  /** The simulated CodeDeploy. */
  readonly codeDeploy?: {
    /**
     * How long a deployment stays Created and then InProgress, before `timeScale`. Lengthen them when a
     * small `timeScale` would end deployments faster than a task call takes (real deployments take minutes).
     * @default { createdMs: 1000, inProgressMs: 2000 }
     */
    readonly durations?: Partial<LifecycleDurations>;
  };
  /**
   * Host names the endpoint answers besides loopback names and addresses, `*.localhost` and the AWS
   * service names (`bucket.s3.<region>.amazonaws.com` …): exact names or addresses, or `*.suffix`.
   * Requests naming any other Host (DNS rebinding) are refused with 403. @default none
   */
  readonly allowHosts?: readonly string[];
  /**
   * Authorization as AWS enforces it, for the principals registered here: a request signed with a
   * registered access key id is evaluated against that principal's identity policies by the local
   * S3 (a denial is 403 AccessDenied naming the action, resource and principal; decisions are
   * readable through `stack.s3.authorizationLog()`). Any other access key acts as the account
   * administrator, as before. @default no principals — nothing is evaluated
   */
  readonly iam?: {
    readonly principals?: readonly PrincipalRegistration[];
    /**
     * Administrators of other accounts (or of this one): their requests are not evaluated, but a
     * bucket or key they create belongs to their account. @default none
     */
    readonly administrators?: readonly AdministratorRegistration[];
  };
  /**
   * How requests are authenticated. Requests with no signature, or signed with Signature Version 2, are
   * always refused, as AWS refuses them. @default any Signature Version 4 signature is accepted
   */
  readonly auth?: {
    /**
     * Recompute every signature and refuse a request whose access key's secret is unknown
     * (InvalidAccessKeyId / UnrecognizedClientException), whose signature differs (SignatureDoesNotMatch /
     * InvalidSignatureException) or whose time is more than 15 minutes off. Secrets are those of
     * `keyPairs` and of the `iam` registrations (and the relay's task roles, registered with theirs).
     * @default false
     */
    readonly verifySignatures?: boolean;
    /** Key pairs accepted as the account administrator (`accountId`) when verifying. @default none */
    readonly keyPairs?: readonly KeyPair[];
  };
  /** Receives one concise line per request. */
  readonly log?: (line: string) => void;
  /**
   * Executions a previous process left RUNNING continue only when `stack.resumeExecutions()` is called —
   * after the caller has registered its task handlers (deployed the relay), so that the new executions a
   * resumed one starts (a backfill's relays) do not fail with `Local.NoTaskHandler`. @default false — they
   * continue as the stack starts, their own Tasks waiting for handlers
   */
  readonly deferResume?: boolean;
}

export interface LocalStack {
  /** `http://127.0.0.1:<port>` — pass as `endpoint` to SDK clients, `--endpoint-url` to the AWS CLI. */
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly accountId: string;
  readonly s3: S3Service;
  readonly stepFunctions: StepFunctionsService;
  readonly codeDeploy: CodeDeployService;
  /** Keys S3 checks on SSE-KMS writes and reads; an unknown key is `KMS.NotFoundException`, as on AWS. */
  readonly kms: KmsService;
  /** The part of CodePipeline a Lambda invoke action touches (jobs, their results, pipeline state). */
  readonly codePipeline: CodePipelineService;
  readonly events: EventBridgeBridge;
  readonly faults: FaultPlan;
  /**
   * The principals whose requests the local S3 evaluates (`iam.principals`, and those registered later,
   * such as the relay's task roles); every other access key acts as the account administrator.
   */
  readonly principals: PrincipalRegistry;
  /** Continues the executions a previous process left RUNNING, when the stack was started with `deferResume`. */
  resumeExecutions(): Promise<void>;
  /** Stops the endpoint and every service; running executions stay RUNNING on disk and resume on the next start. */
  stop(): Promise<void>;
}

/** Raised when the endpoint cannot start, with what to do about it. */
export class LocalStackStartError extends Error {
  override readonly name = 'LocalStackStartError';
}

/** The names of `allowHosts`, checked before anything starts. */
function allowedHostsOf(options: LocalStackOptions): string[] {
  try {
    return parseAllowedHosts(options.allowHosts ?? []);
  } catch (cause) {
    if (cause instanceof InvalidAllowedHostError) throw new LocalStackStartError(cause.message, { cause });
    throw cause;
  }
}

/** The registered principals, checked before anything starts. */
function principalsOf(options: LocalStackOptions): PrincipalRegistry {
  try {
    return new PrincipalRegistry(options.iam?.principals ?? [], options.iam?.administrators ?? []);
  } catch (cause) {
    if (cause instanceof InvalidPrincipal) {
      throw new LocalStackStartError(`iam.principals: ${cause.message}`, { cause });
    }
    throw cause;
  }
}

/** Authentication as `auth` asks; secrets are looked up in the registry first, then in `keyPairs`. */
function authenticatorOf(options: LocalStackOptions, principals: PrincipalRegistry): Authenticator {
  const keyPairs = new Map<string, string>();
  for (const { accessKeyId, secretAccessKey } of options.auth?.keyPairs ?? []) {
    if (accessKeyId.trim() === '' || secretAccessKey === '') {
      throw new LocalStackStartError(
        `auth.keyPairs: the key pair "${accessKeyId}" has an empty access key id or secret`,
      );
    }
    keyPairs.set(accessKeyId, secretAccessKey);
  }
  return new Authenticator({
    verifySignatures: options.auth?.verifySignatures === true,
    secretOf: (accessKeyId) => principals.secretOf(accessKeyId) ?? keyPairs.get(accessKeyId),
  });
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir ?? LOCAL_DEFAULTS.dataDir);
  const accountId = options.accountId ?? LOCAL_DEFAULTS.accountId;
  const port = options.port ?? LOCAL_DEFAULTS.port;
  const allowHosts = allowedHostsOf(options);
  const principals = principalsOf(options);
  const authentication = authenticatorOf(options, principals);
  await mkdir(dataDir, { recursive: true });

  const faults = new FaultPlan({
    ...(options.faultSeed !== undefined ? { seed: options.faultSeed } : {}),
    rules: options.faults ?? [],
  });
  const events = new EventBridgeBridge();
  const log = options.log;
  const kms = new KmsService({ dataDir: join(dataDir, 'kms'), accountId, principals });
  const s3 = new S3Service({
    dataDir: join(dataDir, 's3'),
    accountId,
    faults,
    ...(options.s3 ? { limits: options.s3 } : {}),
    onObjectCreated: (event) => events.publish(event),
    onObjectDeleted: (event) => events.publish(event),
    kms,
    principals,
    ...(log ? { log } : {}),
  });
  const timeScale = options.timeScale !== undefined ? { timeScale: options.timeScale } : {};
  // A Distributed Map lists, reads and writes S3 through the stack's own endpoint (known once it listens),
  // as an administrator with a key pair of its own — so it also works when signatures are verified.
  let endpointListening!: (url: string) => void;
  const mapS3Credentials = {
    accessKeyId: `local-distributed-map-${randomUUID().slice(0, 8)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  principals.registerAdministrator({ ...mapS3Credentials, account: accountId });
  const distributedMapS3 = sdkDistributedMapS3({
    endpoint: new Promise<string>((resolve) => {
      endpointListening = resolve;
    }),
    credentials: mapS3Credentials,
  });
  const stepFunctions = new StepFunctionsService({
    dataDir: join(dataDir, 'stepfunctions'),
    accountId,
    ...timeScale,
    onStatusChange: (event) => events.put(event),
    distributedMapS3,
  });
  const codeDeploy = new CodeDeployService({
    dataDir: join(dataDir, 'codedeploy'),
    accountId,
    s3,
    principals,
    ...timeScale,
    ...(options.codeDeploy?.durations ? { durations: options.codeDeploy.durations } : {}),
  });
  const codePipeline = new CodePipelineService({ accountId, principals });
  await kms.init();
  await s3.init();
  await stepFunctions.init({ deferResume: options.deferResume === true });
  stepFunctions.registerTaskHandler(PUT_EVENTS_INTEGRATION, putEventsIntegration(events, accountId));
  registerStartExecutionIntegration(stepFunctions);
  await codeDeploy.init();

  let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
  try {
    endpoint = await startEndpoint(
      { s3, stepFunctions, codeDeploy, kms, codePipeline },
      { host: LOCAL_DEFAULTS.host, port, accountId, allowHosts, authentication, ...(log ? { log } : {}) },
    );
  } catch (cause) {
    await Promise.allSettled([s3.close(), stepFunctions.close(), codeDeploy.close(), kms.close()]);
    distributedMapS3.destroy();
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new LocalStackStartError(
        `Port ${port} on ${LOCAL_DEFAULTS.host} is already in use: stop the other local stack or pass --port <N> (0 picks a free port).`,
        { cause },
      );
    }
    throw new LocalStackStartError(
      `The local stack could not listen on ${LOCAL_DEFAULTS.host}:${port}: ${String(cause)}`,
      {
        cause,
      },
    );
  }

  endpointListening(endpoint.url);

  let stopped = false;
  return {
    endpoint: endpoint.url,
    port: endpoint.port,
    dataDir,
    accountId,
    s3,
    stepFunctions,
    codeDeploy,
    kms,
    codePipeline,
    events,
    faults,
    principals,
    resumeExecutions: () => stepFunctions.resumeExecutions(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopEndpoint(endpoint.server);
      await events.idle();
      await stepFunctions.close();
      distributedMapS3.destroy();
      await codeDeploy.close();
      await s3.close();
      await kms.close();
    },
  };
}
