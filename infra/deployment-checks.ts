import type { ConfigProblem } from '../core/config/problems.ts';
import { formatPath, renderProblem } from '../core/config/problems.ts';
import type { RelayConfig } from '../core/config/schema.ts';

/**
 * What a valid configuration can still get wrong for one deployment, checked at synth: the
 * stack's region and account (S3 sends EventBridge events only to the default bus of the bucket
 * owner's account, in the bucket's region). `core/config` already checks everything that holds
 * for any deployment — including one bucket named with two regions, which `relay config
 * validate` reports too.
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

/**
 * Every problem of `config` for a deployment to `env`, one rendered line each (the format of
 * `ConfigInvalid`).
 */
export function deploymentProblems(config: RelayConfig, env: DeploymentEnvironment): string[] {
  return sourceProblems(config, env).map(renderProblem);
}
