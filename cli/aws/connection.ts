/**
 * How the CLI reaches AWS or the local stack: one connection per command, SDK v3 clients per region
 * (cached), pointed at `--endpoint-url` / `--local` when given, with `--profile` and `--region`.
 * Against a loopback endpoint (the local stack) throw-away credentials are used unless `--profile`
 * is given or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set (then those, which a `relay local
 * --strict-auth` stack accepts), so no AWS account or SSO session is needed there.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_LOCAL_ENDPOINT } from './endpoints.ts';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The connection options every AWS-facing command takes. */
export interface ConnectionOptions {
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly local?: boolean | undefined;
  readonly endpointUrl?: string | undefined;
}

export interface Connection {
  /** The endpoint override; `undefined` means AWS itself. */
  readonly endpoint: string | undefined;
  /** The endpoint is on this machine (the local stack). */
  readonly isLocal: boolean;
  readonly profile: string | undefined;
  /** `--region`, when given. */
  readonly region: string | undefined;
  sfn(region: string): SFNClient;
  s3(region: string): S3Client;
  cloudFormation(region: string): CloudFormationClient;
  codeDeploy(region: string): CodeDeployClient;
  /** The region the SDK finds without `--region` (AWS_REGION, the profile), if any. */
  defaultRegion(): Promise<string | undefined>;
  destroy(): void;
}

/** Whether the environment holds a key pair (the SDK's default chain takes it first). */
function keysInEnvironment(): boolean {
  return Boolean(process.env.AWS_ACCESS_KEY_ID) && Boolean(process.env.AWS_SECRET_ACCESS_KEY);
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || host.startsWith('127.');
}

export function createConnection(options: ConnectionOptions): Connection {
  const endpoint = options.endpointUrl ?? (options.local ? DEFAULT_LOCAL_ENDPOINT : undefined);
  const isLocal = endpoint !== undefined && isLoopback(endpoint);
  const profile = options.profile;
  const base = {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(profile === undefined ? {} : { profile }),
    ...(isLocal && profile === undefined && !keysInEnvironment() ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
  const clients: Array<{ destroy(): void }> = [];
  const cache = <C extends { destroy(): void }>(create: (region: string) => C): ((region: string) => C) => {
    const byRegion = new Map<string, C>();
    return (region) => {
      let client = byRegion.get(region);
      if (client === undefined) {
        client = create(region);
        byRegion.set(region, client);
        clients.push(client);
      }
      return client;
    };
  };
  return {
    endpoint,
    isLocal,
    profile,
    region: options.region,
    sfn: cache((region) => new SFNClient({ ...base, region })),
    cloudFormation: cache((region) => new CloudFormationClient({ ...base, region })),
    codeDeploy: cache((region) => new CodeDeployClient({ ...base, region })),
    s3: cache(
      (region) =>
        new S3Client({ ...base, region, ...(endpoint === undefined ? {} : { forcePathStyle: true }) }),
    ),
    async defaultRegion() {
      const probe = new SFNClient(profile === undefined ? {} : { profile });
      try {
        return await probe.config.region();
      } catch {
        return undefined;
      } finally {
        probe.destroy();
      }
    },
    destroy() {
      for (const client of clients.splice(0)) client.destroy();
    },
  };
}
