import type { RelayConfig, RuleConfig, SourceConfig, TargetConfig } from './config/schema.ts';
import { RELAY_RESERVED_PREFIX } from './deployment-ledger.ts';
import { InvalidDestinationKey, InvalidInput } from './errors.ts';
import { MAX_KEY_BYTES, utf8Length } from './s3-limits.ts';
import { parseTargetSelector, type TargetSelector } from './target-selector.ts';
import { type RejectedEntry, readTargetBucketTag } from './target-tag.ts';

export { isReplica } from './replica-metadata.ts';

/**
 * Which targets an object goes to. A rule matches a key that starts with its `prefix` and ends
 * with its `suffix`, the two not overlapping (`prefix + anything + suffix`) — exactly what the
 * EventBridge pattern of `event-pattern.ts` admits, so routing and triggering agree.
 */

/** The object being routed. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** A rule that matched, with its targets. */
export interface MatchedRule {
  readonly rule: RuleConfig;
  readonly targets: readonly TargetConfig[];
}

/** Where a resolved target came from. */
export type TargetOrigin =
  | { readonly kind: 'rule'; readonly rule: string }
  | { readonly kind: 'tag'; readonly entry: string };

/** A target ready for one iteration of the relay: the configured settings plus identity and origin. */
export type ResolvedTarget = TargetConfig & {
  /** Stable id, see {@link targetId}. */
  readonly id: string;
  /** The matched rule's prefix, which `keyPrefix` replaces ('' when none). */
  readonly sourcePrefix: string;
  /** A pipeline artifact's destination key ({@link resolvePipelineTargets}). */
  readonly destinationKey?: string;
  readonly origin: TargetOrigin;
};

/** Why nothing is relayed. */
export type NothingToRelayReason = 'unknown-source' | 'no-rule' | 'no-targets';

/** The targets of one object, and what was refused. */
export interface Resolution {
  readonly targets: readonly ResolvedTarget[];
  /** Names of the rules that matched, in configuration order. */
  readonly matchedRules: readonly string[];
  /** Tag or request entries that were refused, each with the reason. */
  readonly rejected: readonly RejectedEntry[];
  /** Set when `targets` is empty. */
  readonly reason?: NothingToRelayReason;
}

/** Options of {@link resolveTargets}. */
export interface ResolveOptions {
  /** The value of the source bucket's `TargetBucket` tag (its configured key), if it has one. */
  readonly bucketTagValue?: string;
  /** An explicit selection (`bucket` / `bucket@region`) among the resolved targets, from the CLI. */
  readonly only?: readonly string[];
}

/** The configured source for `bucket`, if any. */
export function findSource(config: RelayConfig, bucket: string): SourceConfig | undefined {
  return config.sources.find((source) => source.bucket === bucket);
}

/** Whether `rule` matches `key`: `prefix + anything + suffix`, prefix and suffix not overlapping. */
export function ruleMatchesKey(rule: Pick<RuleConfig, 'prefix' | 'suffix'>, key: string): boolean {
  const prefix = rule.prefix ?? '';
  const suffix = rule.suffix ?? '';
  return key.length >= prefix.length + suffix.length && key.startsWith(prefix) && key.endsWith(suffix);
}

/**
 * The rules of the object's source bucket that match its key, in configuration order. Keys under
 * the relay's own prefix (its deployment ledgers) match no rule.
 */
export function matchRules(config: RelayConfig, source: ObjectRef): MatchedRule[] {
  const configured = findSource(config, source.bucket);
  if (configured === undefined || source.key.startsWith(RELAY_RESERVED_PREFIX)) return [];
  return configured.rules
    .filter((rule) => ruleMatchesKey(rule, source.key))
    .map((rule) => ({ rule, targets: rule.targets }));
}

/** A stable, readable id for a target: `bucket@region`, plus `/keyPrefix` when it has one. */
export function targetId(target: Pick<TargetConfig, 'bucket' | 'region' | 'keyPrefix'>): string {
  const base = `${target.bucket}@${target.region}`;
  return target.keyPrefix === undefined ? base : `${base}/${target.keyPrefix}`;
}

/**
 * The key the replica gets. A pipeline artifact's target carries its `destinationKey`, which is the
 * key. Otherwise: without `keyPrefix` the key is unchanged; with one, it replaces the rule's prefix
 * (`sourcePrefix`), e.g. `build_artifacts/web.zip` → `releases/web.zip`.
 *
 * @throws InvalidDestinationKey when the key would be empty or exceed 1,024 bytes of UTF-8
 */
export function destinationKey(
  target: {
    readonly keyPrefix?: string | undefined;
    readonly sourcePrefix?: string | undefined;
    /** A pipeline artifact's one destination key: the replica gets exactly this key. */
    readonly destinationKey?: string | undefined;
    readonly id?: string;
  },
  sourceKey: string,
): string {
  const label = target.id === undefined ? 'the target' : `target ${target.id}`;
  if (target.destinationKey !== undefined) return checkKey(target.destinationKey, label);
  if (target.keyPrefix === undefined) return checkKey(sourceKey, label);
  const strip = target.sourcePrefix ?? '';
  if (!sourceKey.startsWith(strip)) {
    throw new InvalidDestinationKey(
      `The key ${JSON.stringify(sourceKey)} does not start with the rule prefix ${JSON.stringify(strip)} of ${label}`,
    );
  }
  return checkKey(`${target.keyPrefix}${sourceKey.slice(strip.length)}`, label);
}

function checkKey(key: string, label: string): string {
  if (key === '') throw new InvalidDestinationKey(`The destination key for ${label} would be empty`);
  const bytes = utf8Length(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new InvalidDestinationKey(
      `The destination key for ${label} would be ${bytes} bytes long; S3 keys are at most ${MAX_KEY_BYTES} bytes (shorten the target's keyPrefix)`,
    );
  }
  return key;
}

function selects(selector: TargetSelector, target: ResolvedTarget): boolean {
  return (
    selector.bucket === target.bucket && (selector.region === undefined || selector.region === target.region)
  );
}

function applySelection(
  targets: readonly ResolvedTarget[],
  only: readonly string[],
  rejected: RejectedEntry[],
): ResolvedTarget[] {
  const selectors: TargetSelector[] = [];
  for (const entry of only) {
    const selector = parseTargetSelector(entry);
    if ('problem' in selector) {
      rejected.push({
        from: 'request',
        entry,
        reason: 'malformed',
        message: `"${entry}": ${selector.problem}`,
      });
    } else if (!targets.some((target) => selects(selector, target))) {
      rejected.push({
        from: 'request',
        entry,
        reason: 'not-configured',
        message: `"${entry}" is not a target of this object (only configured or allowlisted targets can be selected)`,
      });
    } else selectors.push(selector);
  }
  return targets.filter((target) => selectors.some((selector) => selects(selector, target)));
}

/**
 * The targets for one object: the targets of every matching rule, then the `TargetBucket` tag
 * entries the source's allowlist admits (only when a rule matched), without duplicates (the
 * first by {@link targetId} wins), narrowed to `only` when given.
 */
export function resolveTargets(
  config: RelayConfig,
  source: ObjectRef,
  options: ResolveOptions = {},
): Resolution {
  const configured = findSource(config, source.bucket);
  if (configured === undefined)
    return { targets: [], matchedRules: [], rejected: [], reason: 'unknown-source' };
  const matched = matchRules(config, source);
  if (matched.length === 0) return { targets: [], matchedRules: [], rejected: [], reason: 'no-rule' };

  const byId = ruleTargetsById(matched);
  const rejected: RejectedEntry[] = [];
  if (options.bucketTagValue !== undefined) {
    const tag = readTargetBucketTag(options.bucketTagValue, configured.targetBucketTag, configured.region);
    rejected.push(...tag.rejected);
    for (const entry of tag.admitted) {
      const target = { bucket: entry.bucket, region: entry.region, encryption: { type: 'SSE-S3' as const } };
      const id = targetId(target);
      if (!byId.has(id))
        byId.set(id, { ...target, id, sourcePrefix: '', origin: { kind: 'tag', entry: entry.entry } });
    }
  }

  const all = [...byId.values()];
  const targets = options.only === undefined ? all : applySelection(all, options.only, rejected);
  const matchedRules = matched.map(({ rule }) => rule.name);
  return targets.length === 0
    ? { targets, matchedRules, rejected, reason: 'no-targets' }
    : { targets, matchedRules, rejected };
}

/** The matched rules' targets by {@link targetId}, without duplicates (the first rule naming one wins). */
function ruleTargetsById(matched: readonly MatchedRule[]): Map<string, ResolvedTarget> {
  const byId = new Map<string, ResolvedTarget>();
  for (const { rule, targets } of matched) {
    for (const target of targets) {
      const id = targetId(target);
      if (!byId.has(id))
        byId.set(id, {
          ...target,
          id,
          sourcePrefix: rule.prefix ?? '',
          origin: { kind: 'rule', rule: rule.name },
        });
    }
  }
  return byId;
}

/**
 * The targets a deletion of `source` propagates to: the targets of every matching rule with
 * `propagateDeletes: true`, without duplicates (the first by {@link targetId} wins). Rules without it
 * match no deletion, and `TargetBucket` tag targets never receive one (the tag names buckets, not
 * an opt-in). Keys under the relay's own prefix match no rule, as for relays.
 */
export function resolveDeleteTargets(config: RelayConfig, source: ObjectRef): Resolution {
  if (findSource(config, source.bucket) === undefined)
    return { targets: [], matchedRules: [], rejected: [], reason: 'unknown-source' };
  const matched = matchRules(config, source).filter(({ rule }) => rule.propagateDeletes);
  if (matched.length === 0) return { targets: [], matchedRules: [], rejected: [], reason: 'no-rule' };
  const byId = ruleTargetsById(matched);
  const targets = [...byId.values()];
  const matchedRules = matched.map(({ rule }) => rule.name);
  return targets.length === 0
    ? { targets, matchedRules, rejected: [], reason: 'no-targets' }
    : { targets, matchedRules, rejected: [] };
}

/** How a pipeline artifact is routed: by rule name, to one key (core/events' `pipeline` request). */
export interface PipelineRoute {
  /** The name of a configured rule, in any source. */
  readonly rule: string;
  /** The key every replica gets. */
  readonly destinationKey: string;
  /** Replaces the bundle type of every target that deploys. */
  readonly bundleType?: DeployBundleType | undefined;
}

/** A CodeDeploy bundle type. */
export type DeployBundleType = NonNullable<TargetConfig['deploy']>['bundleType'];

/**
 * The targets of a pipeline artifact: those of every rule named `route.rule` (rule names are unique
 * within a source; the same name in several sources unites their targets, the first by
 * {@link targetId} winning), each to receive the artifact as if it had landed in the source at
 * `route.destinationKey`: the key must be one the rule relays (its prefix and suffix), and a target's
 * `keyPrefix` replaces the rule's prefix as for an S3 event — so the replicas land exactly where the
 * relay's roles may write (core/permissions/plan.ts). `route.bundleType` goes on each deployment. The artifact's own
 * key and bucket play no part, and no `TargetBucket` tag applies. `only` narrows as in
 * {@link resolveTargets}.
 *
 * @throws InvalidInput when no rule has that name
 * @throws InvalidDestinationKey when the key is not one the rule may write to a target
 */
export function resolvePipelineTargets(
  config: RelayConfig,
  route: PipelineRoute,
  options: Pick<ResolveOptions, 'only'> = {},
): Resolution {
  const rules = config.sources.flatMap((source) => source.rules.filter((rule) => rule.name === route.rule));
  if (rules.length === 0) {
    const names = [...new Set(config.sources.flatMap((source) => source.rules.map((rule) => rule.name)))];
    throw new InvalidInput(
      `No rule of the relay configuration is named ${JSON.stringify(route.rule)}; set the pipeline action's "rule" to one of: ${names.join(', ') || '(the configuration has no rules)'}`,
    );
  }
  const byId = new Map<string, ResolvedTarget>();
  for (const rule of rules) {
    for (const target of rule.targets) {
      const id = targetId(target);
      if (byId.has(id)) continue;
      if (!ruleMatchesKey(rule, route.destinationKey)) {
        throw new InvalidDestinationKey(
          `The destination key ${JSON.stringify(route.destinationKey)} is not one rule ${rule.name} relays: it must start with ${JSON.stringify(rule.prefix ?? '')} and end with ${JSON.stringify(rule.suffix ?? '')}; change the action's destinationKey`,
        );
      }
      const deploy =
        target.deploy === undefined || route.bundleType === undefined
          ? target.deploy
          : { ...target.deploy, bundleType: route.bundleType };
      byId.set(id, {
        ...target,
        ...(deploy === undefined ? {} : { deploy }),
        id,
        sourcePrefix: rule.prefix ?? '',
        // The key as the rule relays it: the target's keyPrefix replaces the rule's prefix, as for an S3 event.
        destinationKey: destinationKey(
          { keyPrefix: target.keyPrefix, sourcePrefix: rule.prefix ?? '', id },
          route.destinationKey,
        ),
        origin: { kind: 'rule', rule: rule.name },
      });
    }
  }
  const rejected: RejectedEntry[] = [];
  const all = [...byId.values()];
  const targets = options.only === undefined ? all : applySelection(all, options.only, rejected);
  return targets.length === 0
    ? { targets, matchedRules: [route.rule], rejected, reason: 'no-targets' }
    : { targets, matchedRules: [route.rule], rejected };
}
