import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RelayConfig } from '../core/config/schema.ts';
import { ROLE_ARN_ENV } from '../core/permissions/denied-grant.ts';
import type { PermissionPlan } from '../core/permissions/plan.ts';
import { policyStatementOf } from '../core/permissions/policy-document.ts';
import {
  BUNDLED_CONFIG_NAMES,
  CONFIG_ENV,
  LOG_LEVEL_ENV,
  METRICS_NAMESPACE_ENV,
  SERVICE_NAME_ENV,
} from '../core/runtime-contract.ts';
import { TASK_PLACEHOLDERS, type TaskRole } from '../state-machine/placeholders.ts';
import { FUNCTION_SETTINGS } from './function-settings.ts';
import { acknowledge, acknowledgeWildcardResources, NAG_REASONS } from './nag.ts';
import type { FunctionLogLevel } from './props.ts';

/** The repository root: `functions/` and `package-lock.json` live there. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export { CONFIG_ENV };

/** The file ResolveTargets looks for next to its handler when the variable is unset (the first it looks for). */
export const BUNDLED_CONFIG_FILE = BUNDLED_CONFIG_NAMES[0];

/**
 * The largest configuration passed in {@link CONFIG_ENV}; Lambda allows 4 KB of environment in
 * all, so a larger configuration is bundled as {@link BUNDLED_CONFIG_FILE} instead.
 */
export const MAX_CONFIG_ENV_BYTES = 3072;

/** ESM output needs `require` for the CommonJS dependencies esbuild inlines. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);";

/**
 * How every relay Lambda is bundled: locally by esbuild (never Docker), as minified ESM for Node.js 22
 * with source maps and every dependency — the AWS SDK included — inside.
 */
export const RELAY_BUNDLING: Readonly<BundlingOptions> = {
  forceDockerBundling: false,
  format: OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [],
  logLevel: LogLevel.WARNING,
};

/** Properties of {@link TaskFunctions}. */
export interface TaskFunctionsProps {
  readonly config: RelayConfig;
  readonly permissions: PermissionPlan;
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** How the configuration reaches ResolveTargets. */
export type ConfigDelivery =
  | { readonly kind: 'environment'; readonly json: string }
  | { readonly kind: 'bundled'; readonly json: string };

/** The configuration as ResolveTargets receives it: validated, defaults applied, without `$schema`. */
export function configDelivery(config: RelayConfig): ConfigDelivery {
  const json = JSON.stringify({ ...config, $schema: undefined });
  return Buffer.byteLength(json, 'utf8') <= MAX_CONFIG_ENV_BYTES
    ? { kind: 'environment', json }
    : { kind: 'bundled', json };
}

function bundledConfigHooks(json: string) {
  const base64 = Buffer.from(json, 'utf8').toString('base64');
  return {
    beforeBundling: (): string[] => [],
    beforeInstall: (): string[] => [],
    afterBundling: (_inputDir: string, outputDir: string): string[] => [
      `node -e "require('node:fs').writeFileSync(process.argv[1], Buffer.from(process.argv[2], 'base64'))" "${join(outputDir, BUNDLED_CONFIG_FILE)}" ${base64}`,
    ],
  };
}

/**
 * The task Lambdas (`functions/<role>/handler.ts`): Node.js 22 on ARM64, bundled locally by
 * esbuild as minified ESM with source maps and the AWS SDK inside, X-Ray tracing, each with its
 * own role (exactly its planned statements — `core/permissions/`, rendered from the same IAM JSON
 * the local stack evaluates — plus writing its own log group) and log group.
 */
export class TaskFunctions extends Construct {
  /** The functions by role (the `functions/` folder names). */
  readonly byRole: Readonly<Record<TaskRole, NodejsFunction>>;

  constructor(scope: Construct, id: string, props: TaskFunctionsProps) {
    super(scope, id);
    const delivery = configDelivery(props.config);
    const roles = Object.values(TASK_PLACEHOLDERS);
    const entries = roles.map((role) => [role, this.createFunction(role, props, delivery)] as const);
    this.byRole = Object.fromEntries(entries) as Record<TaskRole, NodejsFunction>;
  }

  private createFunction(
    role: TaskRole,
    props: TaskFunctionsProps,
    delivery: ConfigDelivery,
  ): NodejsFunction {
    const settings = FUNCTION_SETTINGS[role];
    const scope = new Construct(this, settings.id);
    const logGroup = new LogGroup(scope, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    const executionRole = new Role(scope, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `artifact-relay ${role}: exactly what the task needs for the configured buckets, keys and deployments`,
    });
    executionRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    for (const planned of props.permissions[role]) {
      executionRole.addToPrincipalPolicy(PolicyStatement.fromJson(policyStatementOf(planned)));
      if (planned.wildcardReason !== undefined) {
        acknowledgeWildcardResources(scope, planned.resources, planned.wildcardReason);
      }
    }
    const withConfig = role === 'resolve-targets';
    const fn = new NodejsFunction(scope, 'Function', {
      entry: join(PROJECT_ROOT, 'functions', role, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: settings.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role: executionRole,
      logGroup,
      environment: {
        [SERVICE_NAME_ENV]: props.serviceName,
        [LOG_LEVEL_ENV]: props.logLevel,
        [METRICS_NAMESPACE_ENV]: props.metricsNamespace,
        NODE_OPTIONS: '--enable-source-maps',
        // The task names its own role in the grant a cross-account target lacks (core/permissions/denied-grant.ts).
        [ROLE_ARN_ENV]: executionRole.roleArn,
        ...(withConfig && delivery.kind === 'environment' ? { [CONFIG_ENV]: delivery.json } : {}),
      },
      bundling: {
        ...RELAY_BUNDLING,
        ...(withConfig && delivery.kind === 'bundled'
          ? { commandHooks: bundledConfigHooks(delivery.json) }
          : {}),
      },
    });
    acknowledge(scope, 'AwsSolutions-IAM5[Resource::*]', NAG_REASONS.xray);
    acknowledge(scope, 'AwsSolutions-L1', NAG_REASONS.runtime);
    return fn;
  }
}
