/**
 * What `relay demo --pipeline` builds from the demo's configuration, without touching the stack: the
 * pipeline's region and artifact store (a KMS-encrypted bucket, as CodePipeline's artifact stores are),
 * the relay rule and the destination key the action writes, and the fault `--fail-target` injects.
 *
 * The action's `destinationKey` is a key the rule relays (its prefix and suffix); each target maps it
 * through its `keyPrefix` as for an S3 event — core/routing.ts `resolvePipelineTargets` — so the
 * example configuration's Frankfurt target gets its replica under `releases/`.
 */
import type { RelayConfig } from '../../core/config/schema.ts';
import type { FaultRule } from '../../local/index.ts';
import { CliError, EXIT_CODES } from '../errors.ts';

/** The pipeline's name (it is part of the destination key). */
export const DEMO_PIPELINE_NAME = 'relay-demo';

/** The namespace of the relay action's output variables: `#{RelayVariables.TargetCount}`. */
export const DEMO_RELAY_NAMESPACE = 'RelayVariables';

/** The artifact store key's id: the demo's own, fixed so re-runs on one data directory reuse it. */
const STORE_KEY_ID = '7b1e4c2a-9d3f-4e8b-a6c5-1f2d3e4a5b60';

/** The pipeline the demo runs. */
export interface PipelineDemoPlan {
  /** The configuration to deploy: the demo's own. */
  readonly config: RelayConfig;
  /** The pipeline's (and its artifact store's) region: the configuration's first source's. */
  readonly region: string;
  readonly store: { readonly bucket: string; readonly region: string; readonly kmsKeyArn: string };
  /**
   * The rule whose targets the relay stage delivers to: the first rule of the first source. Each target
   * maps the destination key through its `keyPrefix`, as for an S3 event (core/routing.ts).
   */
  readonly rule: string;
  /** The action's `destinationKey` template, inside the rule's prefix and suffix. */
  readonly destinationKey: string;
  /** The rule's target buckets, in order. */
  readonly targets: readonly string[];
}

/**
 * The demo pipeline for `config`.
 *
 * @throws CliError when the configuration has no source with a rule
 */
export function planPipelineDemo(config: RelayConfig, accountId: string): PipelineDemoPlan {
  const source = config.sources[0];
  const first = source?.rules[0];
  if (source === undefined || first === undefined) {
    throw new CliError('the demo configuration needs a source with at least one rule', EXIT_CODES.usage);
  }
  const rule = first;
  return {
    config,
    region: source.region,
    store: {
      bucket: `codepipeline-${source.region}-${DEMO_PIPELINE_NAME}`,
      region: source.region,
      kmsKeyArn: `arn:aws:kms:${source.region}:${accountId}:key/${STORE_KEY_ID}`,
    },
    rule: rule.name,
    destinationKey: `${rule.prefix ?? ''}{pipeline}/{pipelineExecutionId}${rule.suffix ?? '.zip'}`,
    targets: rule.targets.map((target) => target.bucket),
  };
}

/**
 * The local S3 fault that makes `bucket` fail: every request to it is refused with AccessDenied, as a
 * target whose bucket policy shuts the relay out would be.
 *
 * @throws CliError (usage) when `bucket` is not a target of the relay rule
 */
export function failTargetFault(plan: PipelineDemoPlan, bucket: string): FaultRule {
  if (!plan.targets.includes(bucket)) {
    throw new CliError(
      `--fail-target ${bucket} is not a target of the rule ${plan.rule}: use one of ${plan.targets.join(', ')}`,
      EXIT_CODES.usage,
    );
  }
  return { kind: 'access-denied', bucket };
}
