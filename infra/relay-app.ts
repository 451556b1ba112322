import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type AlarmNotifications, parseAlarmNotifications } from './alarm-notifications.ts';
import { readRelayConfig } from './config-input.ts';
import { ArtifactRelayStack } from './relay-stack.ts';

/**
 * The ready CDK app: one {@link ArtifactRelayStack} for the user's `relay.config.json`, checked by
 * cdk-nag's AWS Solutions rules at every synth. `infra/app.ts` runs it for `npx cdk …`; tests
 * build it in-process.
 */

/** The configuration file the app reads by default. */
export const DEFAULT_CONFIG_FILE = 'relay.config.json';

/** What a fresh clone synthesizes when there is no `relay.config.json` yet (in the repository). */
export const EXAMPLE_CONFIG_FILE = 'examples/relay.config.json';

const EXAMPLE_CONFIG_PATH = fileURLToPath(new URL(`../${EXAMPLE_CONFIG_FILE}`, import.meta.url));

/** The default stack name (override with `-c stackName=…`). */
export const DEFAULT_STACK_NAME = 'ArtifactRelay';

/**
 * The state machine's default name (override with `-c stateMachineName=…`): the name the `relay`
 * CLI looks for when no `--state-machine` is given.
 */
export const DEFAULT_STATE_MACHINE_NAME = 'artifact-relay';

/** Options of {@link createRelayApp}. */
export interface RelayAppOptions {
  /**
   * Context values, as `cdk.json` and `-c key=value` give them (`config`, `stackName`,
   * `stateMachineName`, `alarmTopicArn`, `alarmEmail`, feature flags). The CDK CLI passes its
   * context through the environment, which `App` reads itself.
   *
   * @default - none besides what the CLI passes
   */
  readonly context?: Record<string, unknown>;
  /**
   * The environment `AWS_REGION`, `CDK_DEFAULT_REGION` and `CDK_DEFAULT_ACCOUNT` are read from.
   *
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The folder relative configuration paths are resolved against.
   *
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * Where the cloud assembly is written.
   *
   * @default - the CLI's output folder, or a temporary one
   */
  readonly outdir?: string;
  /**
   * Reports which configuration file is used when it is not the one asked for.
   *
   * @default writes to stderr
   */
  readonly notice?: (message: string) => void;
}

/** The app and what it was built from. */
export interface RelayApp {
  readonly app: App;
  readonly stack: ArtifactRelayStack;
  /** The configuration file the stack was built from (absolute). */
  readonly configPath: string;
  /** The stack's region and account (`undefined` when not given). */
  readonly region: string | undefined;
  readonly account: string | undefined;
}

/**
 * The configuration file to use: `-c config=path` when given, else `relay.config.json`, else —
 * for a fresh clone — the example configuration.
 */
export function resolveConfigPath(
  contextValue: unknown,
  cwd: string,
  exists: (path: string) => boolean = existsSync,
): { readonly path: string; readonly fallback: boolean } {
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(cwd, path));
  if (typeof contextValue === 'string' && contextValue.trim() !== '') {
    return { path: absolute(contextValue), fallback: false };
  }
  const preferred = absolute(DEFAULT_CONFIG_FILE);
  if (exists(preferred)) return { path: preferred, fallback: false };
  return { path: EXAMPLE_CONFIG_PATH, fallback: true };
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' ? nonEmpty(value) : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * The stack's region: `AWS_REGION` when set (synth then checks that the sources are there), else
 * the sources' region — the only region whose event bus receives their events — else the CLI's
 * `CDK_DEFAULT_REGION`. The CLI sets `CDK_DEFAULT_REGION` to us-east-1 when no profile names a
 * region, so it must not override the sources' region.
 */
export function resolveRegion(env: NodeJS.ProcessEnv, sourceRegions: readonly string[]): string | undefined {
  const regions = [...new Set(sourceRegions)];
  const sourcesRegion = regions.length === 1 ? regions[0] : undefined;
  return nonEmpty(env.AWS_REGION) ?? sourcesRegion ?? nonEmpty(env.CDK_DEFAULT_REGION);
}

/**
 * `-c alarmTopicArn=…` / `-c alarmEmail=…`: who the alarms notify, instead of the configuration's
 * `alarms` (validated by the construct like the configuration).
 */
function alarmContext(app: App): { readonly alarmNotifications?: AlarmNotifications } {
  const topicArn = contextString(app, 'alarmTopicArn');
  const email = contextString(app, 'alarmEmail');
  if (topicArn === undefined && email === undefined) return {};
  const alarmNotifications = {
    ...(topicArn === undefined ? {} : { topicArn }),
    ...(email === undefined ? {} : { email }),
  };
  parseAlarmNotifications(alarmNotifications, '-c alarmTopicArn / -c alarmEmail');
  return { alarmNotifications };
}

/** Builds the app and its stack; a configuration problem throws `ConfigInvalid` listing every one. */
export function createRelayApp(options: RelayAppOptions = {}): RelayApp {
  const env = options.env ?? process.env;
  const notice = options.notice ?? ((message: string) => process.stderr.write(`${message}\n`));
  const app = new App({
    ...(options.context === undefined ? {} : { context: options.context }),
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  const { path, fallback } = resolveConfigPath(
    app.node.tryGetContext('config'),
    options.cwd ?? process.cwd(),
  );
  if (fallback) {
    notice(
      `artifact-relay: no ${DEFAULT_CONFIG_FILE} here, synthesizing ${EXAMPLE_CONFIG_FILE} instead — copy it to ${DEFAULT_CONFIG_FILE} and edit it (or pass -c config=path).`,
    );
  }
  const { config } = readRelayConfig(path);
  const region = resolveRegion(
    env,
    config.sources.map((source) => source.region),
  );
  const account = nonEmpty(env.CDK_DEFAULT_ACCOUNT);
  const stackName = contextString(app, 'stackName') ?? DEFAULT_STACK_NAME;
  const stack = new ArtifactRelayStack(app, stackName, {
    env: { ...(region === undefined ? {} : { region }), ...(account === undefined ? {} : { account }) },
    relay: {
      config: path,
      stateMachineName: contextString(app, 'stateMachineName') ?? DEFAULT_STATE_MACHINE_NAME,
      ...alarmContext(app),
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, configPath: path, region, account };
}
