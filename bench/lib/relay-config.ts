/** Relay configurations for the cases: one source bucket, one rule, N targets in other regions. */
import { parseConfig } from '../../core/config/parse.ts';
import type { RelayConfig } from '../../core/config/schema.ts';

/** Where sources live. */
export const SOURCE_REGION = 'us-west-2';

/** Target regions, in order (cycled when there are more targets). */
export const TARGET_REGIONS = [
  'eu-central-1',
  'ap-northeast-2',
  'us-east-1',
  'eu-west-1',
  'ap-southeast-2',
  'sa-east-1',
  'ca-central-1',
  'eu-north-1',
  'ap-south-1',
  'us-east-2',
] as const;

/** The key prefix the rule matches (and the suffix). */
export const RULE_PREFIX = 'relay/';
export const RULE_SUFFIX = '.zip';

export interface BenchConfigOptions {
  /** Prefix of every bucket name (lowercase letters, digits, `-`). */
  readonly name: string;
  readonly targets: number;
  /** Each target deploys with CodeDeploy (its own deployment group). */
  readonly deploy?: boolean;
  readonly multipartThresholdBytes?: number;
  readonly maxConcurrency?: number;
}

export interface BenchTarget {
  readonly bucket: string;
  readonly region: string;
}

export function sourceBucketOf(name: string): string {
  return `${name}-src`;
}

export function targetsOf(name: string, count: number): BenchTarget[] {
  return Array.from({ length: count }, (_, i) => ({
    bucket: `${name}-t${i + 1}`,
    region: TARGET_REGIONS[i % TARGET_REGIONS.length]!,
  }));
}

/** A validated configuration (through the project's own parser, defaults applied). */
export function benchConfig(options: BenchConfigOptions): RelayConfig {
  const targets = targetsOf(options.name, options.targets).map((t, i) => ({
    ...t,
    ...(options.deploy
      ? {
          deploy: {
            application: `${options.name}-app`,
            deploymentGroup: `${options.name}-dg${i + 1}`,
            bundleType: 'zip',
          },
        }
      : {}),
  }));
  return parseConfig(
    {
      sources: [
        {
          bucket: sourceBucketOf(options.name),
          region: SOURCE_REGION,
          rules: [{ name: 'artifacts', prefix: RULE_PREFIX, suffix: RULE_SUFFIX, targets }],
        },
      ],
      defaults: {
        maxConcurrency: options.maxConcurrency ?? 10,
        ...(options.multipartThresholdBytes !== undefined
          ? { multipartThresholdBytes: options.multipartThresholdBytes }
          : {}),
      },
    },
    `bench:${options.name}`,
  );
}
