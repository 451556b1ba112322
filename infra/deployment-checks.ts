import type { ConfigProblem } from '../core/config/problems.ts';
import { formatPath, renderProblem } from '../core/config/problems.ts';
import type { RelayConfig } from '../core/config/schema.ts';

/**
 * What a valid configuration can still get wrong for one deployment, checked at synth: the
 * stack's region and account (S3 sends EventBridge events only to the default bus of the bucket
 * owner's account, in the bucket's region) and buckets named with two different regions (a
 * bucket has one region, and CodeDeploy reads the revision only from a bucket in the deployment
 * group's region). `core/config` already checks everything that holds for any deployment.
 */

/** Where the relay is deployed; `undefined` when the stack is environment-agnostic. */
export interface DeploymentEnvironment {
  readonly region?: string | undefined;
  readonly account?: string | undefined;
}

function sourceProblems(config: RelayConfig, env: DeploymentEnvironment): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const firstRegion = config.sources[0]?.region;
  config.sources.forEach((source, index) => {
    if (env.region !== undefined && source.region !== env.region) {
      problems.push({
        path: formatPath(['sources', index, 'region']),
        message: `the source bucket ${source.bucket} is in ${source.region} but the relay is deployed to ${env.region}; S3 sends its EventBridge events only to the event bus of the bucket's own region, so the rule would never fire (deploy one relay stack per source region)`,
        got: source.region,
        allowed: env.region,
      });
    } else if (env.region === undefined && firstRegion !== undefined && source.region !== firstRegion) {
      problems.push({
        path: formatPath(['sources', index, 'region']),
        message: `the sources span several regions (${source.bucket} is in ${source.region}, sources[0] in ${firstRegion}); S3 sends EventBridge events only to the bus of the bucket's own region, so one relay stack serves the sources of one region`,
        got: source.region,
        allowed: firstRegion,
      });
    }
    if (env.account !== undefined && source.account !== undefined && source.account !== env.account) {
      problems.push({
        path: formatPath(['sources', index, 'account']),
        message: `the source bucket ${source.bucket} belongs to account ${source.account} but the relay is deployed to ${env.account}; S3 sends EventBridge events only to the bucket owner's event bus (deploy the relay in the bucket's account)`,
        got: source.account,
        allowed: env.account,
      });
    }
  });
  return problems;
}

interface BucketMention {
  readonly path: readonly PropertyKey[];
  readonly region: string;
  readonly deploy?: { readonly application: string; readonly deploymentGroup: string };
}

function bucketMentions(config: RelayConfig): Map<string, BucketMention[]> {
  const byBucket = new Map<string, BucketMention[]>();
  const add = (bucket: string, mention: BucketMention): void => {
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), mention]);
  };
  config.sources.forEach((source, s) => {
    add(source.bucket, { path: ['sources', s], region: source.region });
    source.rules.forEach((rule, r) => {
      rule.targets.forEach((target, t) => {
        add(target.bucket, {
          path: ['sources', s, 'rules', r, 'targets', t],
          region: target.region,
          ...(target.deploy === undefined ? {} : { deploy: target.deploy }),
        });
      });
    });
  });
  return byBucket;
}

function bucketRegionProblems(config: RelayConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [bucket, mentions] of bucketMentions(config)) {
    const first = mentions[0];
    if (first === undefined) continue;
    for (const mention of mentions.slice(1)) {
      if (mention.region === first.region) continue;
      const deploying = mention.deploy ?? first.deploy;
      const where = formatPath(first.path);
      problems.push({
        path: formatPath([...mention.path, 'region']),
        message:
          deploying === undefined
            ? `${bucket} is configured in ${first.region} at ${where}; a bucket has exactly one region`
            : `the deployment group ${deploying.deploymentGroup} (application ${deploying.application}) deploys from ${bucket}, which is configured in ${mention.region} here and in ${first.region} at ${where}; a bucket has one region, and CodeDeploy only reads a revision from a bucket in the deployment group's region`,
        got: `${bucket} in ${mention.region}`,
        allowed: first.region,
      });
    }
  }
  return problems;
}

/**
 * Every problem of `config` for a deployment to `env`, one rendered line each (the format of
 * `ConfigInvalid`), the ones about a target naming it.
 */
export function deploymentProblems(config: RelayConfig, env: DeploymentEnvironment): string[] {
  return [...sourceProblems(config, env), ...bucketRegionProblems(config)].map(renderProblem);
}
