import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients per region, created once and cached (module scope in a Lambda, so warm invocations
 * reuse connections), and injectable: the logic modules receive `s3ClientFor` /
 * `codeDeployClientFor` and never construct a client themselves.
 */

/** Returns the S3 client for a region. */
export type S3ClientFor = (region: string) => S3Client;

/** Returns the CodeDeploy client for a region. */
export type CodeDeployClientFor = (region: string) => CodeDeployClient;

/** The environment variable that points every client at another endpoint (the local stack). */
export const ENDPOINT_ENV = 'RELAY_ENDPOINT_URL';

/** The environment variable that makes S3 clients use path-style addressing (`true`/`1`). */
export const FORCE_PATH_STYLE_ENV = 'RELAY_S3_FORCE_PATH_STYLE';

/** How clients are configured beyond their region. */
export interface ClientSettings {
  /** An endpoint override, such as `http://127.0.0.1:4566`. */
  readonly endpoint?: string;
  /** Path-style S3 requests (needed by most endpoints that are not AWS). */
  readonly forcePathStyle?: boolean;
  /** Explicit credentials; the default provider chain when absent. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The client settings the environment asks for ({@link ENDPOINT_ENV}, {@link FORCE_PATH_STYLE_ENV}). */
export function clientSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const endpoint = env[ENDPOINT_ENV]?.trim();
  const pathStyle = env[FORCE_PATH_STYLE_ENV]?.trim().toLowerCase();
  const forcePathStyle = pathStyle === 'true' || pathStyle === '1';
  return {
    ...(endpoint === undefined || endpoint === '' ? {} : { endpoint }),
    ...(forcePathStyle ? { forcePathStyle } : {}),
  };
}

function cached<C>(create: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = create(region);
      clients.set(region, client);
    }
    return client;
  };
}

/**
 * A cached S3 client factory. `instrument` sees each new client once (the handlers pass the
 * tracer's `captureAWSv3Client`).
 */
export function createS3ClientFactory(
  settings: ClientSettings = clientSettingsFromEnv(),
  instrument: (client: S3Client) => S3Client = (client) => client,
): S3ClientFor {
  return cached((region) =>
    instrument(
      new S3Client({
        region,
        ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
        ...(settings.forcePathStyle === undefined ? {} : { forcePathStyle: settings.forcePathStyle }),
        ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
      }),
    ),
  );
}

/** A cached CodeDeploy client factory; see {@link createS3ClientFactory}. */
export function createCodeDeployClientFactory(
  settings: ClientSettings = clientSettingsFromEnv(),
  instrument: (client: CodeDeployClient) => CodeDeployClient = (client) => client,
): CodeDeployClientFor {
  return cached((region) =>
    instrument(
      new CodeDeployClient({
        region,
        ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
        ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
      }),
    ),
  );
}
