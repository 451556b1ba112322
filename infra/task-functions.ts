import { join } from 'node:path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RelayConfig } from '../core/config/schema.ts';
import { ROLE_ARN_ENV } from '../core/permissions/denied-grant.ts';
import type { PermissionPlan } from '../core/permissions/plan.ts';
import { BUNDLED_CONFIG_NAMES, CONFIG_ENV } from '../core/runtime-contract.ts';
import { TASK_PLACEHOLDERS, type TaskRole } from '../state-machine/placeholders.ts';
import { FUNCTION_SETTINGS } from './function-settings.ts';
import type { FunctionLogLevel } from './props.ts';
import { relayFunction } from './relay-function.ts';

export { PROJECT_ROOT, RELAY_BUNDLING } from './relay-function.ts';
export { CONFIG_ENV };

/** The file ResolveTargets looks for next to its handler when the variable is unset (the first it looks for). */
export const BUNDLED_CONFIG_FILE = BUNDLED_CONFIG_NAMES[0];

/**
 * The largest configuration passed in {@link CONFIG_ENV}; Lambda allows 4 KB of environment in
 * all, so a larger configuration is bundled as {@link BUNDLED_CONFIG_FILE} instead.
 */
export const MAX_CONFIG_ENV_BYTES = 3072;

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

/**
 * esbuild hooks that write the configuration next to the bundled handler (the `bundled` delivery): used by
 * ResolveTargets and the backfill's work-list builder, the two functions that read the configuration.
 */
export function bundledConfigHooks(json: string) {
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
    const withConfig = role === 'resolve-targets';
    return relayFunction(new Construct(this, settings.id), {
      ...props,
      handlerFolder: role,
      settings,
      roleDescription: `artifact-relay ${role}: exactly what the task needs for the configured buckets, keys and deployments`,
      planned: props.permissions[role],
      environment: (executionRole) => ({
        // The task names its own role in the grant a cross-account target lacks (core/permissions/denied-grant.ts).
        [ROLE_ARN_ENV]: executionRole.roleArn,
        ...(withConfig && delivery.kind === 'environment' ? { [CONFIG_ENV]: delivery.json } : {}),
      }),
      bundling:
        withConfig && delivery.kind === 'bundled' ? { commandHooks: bundledConfigHooks(delivery.json) } : {},
    }).fn;
  }
}
