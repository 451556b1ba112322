import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { JobFailureInput, JobResultReporter, JobSuccessInput } from './ports.ts';

/**
 * The two CodePipeline calls the action makes, over the AWS JSON 1.1 protocol
 * (`X-Amz-Target: CodePipeline_20150709.<Operation>`, signed with Signature Version 4 by the SDK's own
 * signer). The project has no `@aws-sdk/client-codepipeline` dependency yet; this adapter is the one
 * place to replace with that client's PutJobSuccessResult / PutJobFailureResult commands, whose
 * inputs are the {@link JobResultReporter} inputs unchanged.
 */

/** The JSON protocol's target prefix of CodePipeline. */
export const CODEPIPELINE_TARGET_PREFIX = 'CodePipeline_20150709.';

/** Credentials to sign with (a Lambda's come from its environment). */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where and as whom the client calls CodePipeline. */
export interface CodePipelineClientSettings {
  readonly region: string;
  /** An endpoint override (the local stack). @default `https://codepipeline.<region>.amazonaws.com` */
  readonly endpoint?: string;
  readonly credentials: () => Promise<SigningCredentials>;
}

/** A modelled CodePipeline error answer: `code` is the exception name (JobNotFoundException, …). */
export class CodePipelineCallError extends Error {
  override readonly name = 'CodePipelineCallError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(`${code}: ${message}`);
  }
}

/** SHA-256 (HMAC with a secret) in the shape the signer takes. */
class Sha256 {
  readonly #secret: Uint8Array | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#secret =
      secret === undefined
        ? undefined
        : typeof secret === 'string'
          ? Buffer.from(secret, 'utf8')
          : ArrayBuffer.isView(secret)
            ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
            : new Uint8Array(secret);
    this.#hash = this.#create();
  }

  #create(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#create();
  }
}

/** The credentials Lambda puts in every function's environment. */
export function lambdaEnvironmentCredentials(
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<SigningCredentials> {
  return async () => {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      throw new Error(
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: no credentials to call CodePipeline',
      );
    }
    return {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN === undefined ? {} : { sessionToken: env.AWS_SESSION_TOKEN }),
    };
  };
}

async function call(
  settings: CodePipelineClientSettings,
  operation: string,
  input: object,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  const url = new URL(settings.endpoint ?? `https://codepipeline.${settings.region}.amazonaws.com`);
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    service: 'codepipeline',
    region: settings.region,
    credentials: settings.credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `${CODEPIPELINE_TARGET_PREFIX}${operation}`,
    },
    body,
  });
  const response = await fetch(url, {
    method: 'POST',
    headers: signed.headers,
    body,
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await response.text();
  const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
  if (!response.ok) {
    const answer = (parsed ?? {}) as { __type?: unknown; message?: unknown; Message?: unknown };
    const type = typeof answer.__type === 'string' ? answer.__type : `HTTP${response.status}`;
    const message = typeof answer.message === 'string' ? answer.message : String(answer.Message ?? text);
    throw new CodePipelineCallError(type.slice(type.lastIndexOf('#') + 1), message, response.status);
  }
  return parsed;
}

/** A {@link JobResultReporter} calling CodePipeline. */
export function createCodePipelineJobReporter(settings: CodePipelineClientSettings): JobResultReporter {
  return {
    async putJobSuccessResult(input: JobSuccessInput, signal?: AbortSignal) {
      await call(settings, 'PutJobSuccessResult', input, signal);
    },
    async putJobFailureResult(input: JobFailureInput, signal?: AbortSignal) {
      await call(settings, 'PutJobFailureResult', input, signal);
    },
  };
}
