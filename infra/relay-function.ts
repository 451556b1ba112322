import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { PlannedStatement } from '../core/permissions/plan.ts';
import { policyStatementOf } from '../core/permissions/policy-document.ts';
import { LOG_LEVEL_ENV, METRICS_NAMESPACE_ENV, SERVICE_NAME_ENV } from '../core/runtime-contract.ts';
import type { FunctionSettings } from './function-settings.ts';
import { acknowledge, acknowledgeWildcardResources, NAG_REASONS } from './nag.ts';
import type { FunctionLogLevel } from './props.ts';

/** The repository root: `functions/` and `package-lock.json` live there. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

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

/** What every relay function shares, from the relay's own properties. */
export interface RelayFunctionCommon {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly logLevel: FunctionLogLevel;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** Properties of {@link relayFunction}. */
export interface RelayFunctionProps extends RelayFunctionCommon {
  /** The folder of `functions/` whose `handler.ts` the function runs. */
  readonly handlerFolder: string;
  readonly settings: FunctionSettings;
  /** The role's description: what the function may do. */
  readonly roleDescription: string;
  /** The planned statements the role holds (a wildcard resource is acknowledged with its reason). */
  readonly planned?: readonly PlannedStatement[];
  /** Statements the role holds besides the planned ones. */
  readonly statements?: readonly PolicyStatement[];
  /** Environment beyond Powertools' and source maps, given the role (a function may name its own role). */
  readonly environment?: (role: Role) => Record<string, string>;
  /** Bundling beyond the relay's own. */
  readonly bundling?: Partial<BundlingOptions>;
}

/**
 * One relay Lambda in `scope` (construct ids `Logs`, `Role`, `Function`): Node.js 22 on ARM64, bundled
 * by esbuild as minified ESM with source maps and the AWS SDK inside, X-Ray tracing, its own log group,
 * and its own role holding writing its log group plus exactly the statements given — the task functions,
 * the pipeline action's and the notifier alike.
 */
export function relayFunction(
  scope: Construct,
  props: RelayFunctionProps,
): { readonly fn: NodejsFunction; readonly role: Role } {
  const logGroup = new LogGroup(scope, 'Logs', {
    retention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
  const role = new Role(scope, 'Role', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  for (const planned of props.planned ?? []) {
    role.addToPrincipalPolicy(PolicyStatement.fromJson(policyStatementOf(planned)));
    if (planned.wildcardReason !== undefined) {
      acknowledgeWildcardResources(scope, planned.resources, planned.wildcardReason);
    }
  }
  for (const statement of props.statements ?? []) role.addToPrincipalPolicy(statement);
  const { settings } = props;
  const fn = new NodejsFunction(scope, 'Function', {
    entry: join(PROJECT_ROOT, 'functions', props.handlerFolder, 'handler.ts'),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    description: settings.description,
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: settings.memoryMb,
    timeout: Duration.seconds(settings.timeoutSeconds),
    tracing: Tracing.ACTIVE,
    role,
    logGroup,
    environment: {
      [SERVICE_NAME_ENV]: props.serviceName,
      [LOG_LEVEL_ENV]: props.logLevel,
      [METRICS_NAMESPACE_ENV]: props.metricsNamespace,
      NODE_OPTIONS: '--enable-source-maps',
      ...props.environment?.(role),
    },
    bundling: { ...RELAY_BUNDLING, ...props.bundling },
  });
  acknowledge(scope, 'AwsSolutions-IAM5[Resource::*]', NAG_REASONS.xray);
  acknowledge(scope, 'AwsSolutions-L1', NAG_REASONS.runtime);
  return { fn, role };
}

/**
 * The ARN pattern of every execution of `stateMachine` (`…:execution:<name>:*`), formatted from its name: a
 * token ARN cannot be split the way core's `executionsArnOf` splits a literal one.
 */
export function executionsArnOf(
  scope: Construct,
  stateMachine: IStateMachine & { stateMachineName: string },
): string {
  return Stack.of(scope).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
