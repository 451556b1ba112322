import { isRegion, parseKmsKeyArn } from '../aws-names.ts';
import { KNOWN_REGIONS, PARTITIONS, partitionForRegion } from '../regions.ts';
import { impossibleVerifyMode } from '../verification.ts';
import type { ConfigProblem } from './problems.ts';
import { closest, formatPath } from './problems.ts';
import { ARCHIVE_STORAGE_CLASSES, VERIFY_MODES, type VerifyMode } from './schema.ts';

/**
 * Rules that relate several fields of a configuration. They run on the raw input, whether or
 * not it passed the schema, so that one parse reports every problem; each check only looks at
 * the fields it needs and skips entries whose fields are malformed (the schema reports those).
 *
 * Besides the field-to-field rules, these catch configurations that can never work as written:
 * a verify mode the target's encryption rules out, a region AWS does not have, one bucket in two
 * regions, the same replica written twice, and replicas that would be relayed again (loops).
 */

type Json = Record<string, unknown>;
type Path = readonly PropertyKey[];

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A string field that is absent (`null` when it is present but not a string). */
function optionalText(value: unknown): string | undefined | null {
  return value === undefined ? undefined : typeof value === 'string' ? value : null;
}

interface TargetView {
  readonly index: number;
  readonly path: Path;
  readonly bucket: string | undefined;
  readonly region: string | undefined;
  /** `null` when malformed. */
  readonly keyPrefix: string | undefined | null;
  readonly raw: Json;
}

interface RuleView {
  readonly index: number;
  readonly path: Path;
  /** `''` when absent; `null` when malformed. */
  readonly prefix: string | null;
  readonly suffix: string | null;
  readonly raw: Json;
  readonly targets: readonly TargetView[];
}

interface SourceView {
  readonly index: number;
  readonly bucket: string | undefined;
  readonly region: string | undefined;
  readonly raw: Json;
  readonly rules: readonly RuleView[];
}

function patternPart(value: unknown): string | null {
  const part = optionalText(value);
  return part === undefined ? '' : part;
}

function sourcesOf(input: unknown): SourceView[] {
  const sources: SourceView[] = [];
  list(record(input)?.sources).forEach((raw, index) => {
    const source = record(raw);
    if (source === undefined) return;
    const rules: RuleView[] = [];
    list(source.rules).forEach((rawRule, ruleIndex) => {
      const rule = record(rawRule);
      if (rule === undefined) return;
      const path = ['sources', index, 'rules', ruleIndex] as const;
      const targets: TargetView[] = [];
      list(rule.targets).forEach((rawTarget, targetIndex) => {
        const target = record(rawTarget);
        if (target === undefined) return;
        targets.push({
          index: targetIndex,
          path: [...path, 'targets', targetIndex],
          bucket: text(target.bucket),
          region: text(target.region),
          keyPrefix: optionalText(target.keyPrefix),
          raw: target,
        });
      });
      rules.push({
        index: ruleIndex,
        path,
        prefix: patternPart(rule.prefix),
        suffix: patternPart(rule.suffix),
        raw: rule,
        targets,
      });
    });
    sources.push({ index, bucket: text(source.bucket), region: text(source.region), raw: source, rules });
  });
  return sources;
}

// ── Key families: "prefix + anything + suffix", the shape of what a rule matches ──────────────

/** The keys `prefix + anything + suffix` (what a rule matches, and what its replicas are called). */
interface KeyFamily {
  readonly prefix: string;
  readonly suffix: string;
}

/**
 * The keys of `family` that `rule` matches too, as a family, or `undefined` when none: a key can
 * start with two prefixes only when one is a prefix of the other (likewise for suffixes), and then
 * the longer prefix + the longer suffix matches both.
 */
function intersect(family: KeyFamily, rule: KeyFamily): KeyFamily | undefined {
  const prefixes = family.prefix.startsWith(rule.prefix) || rule.prefix.startsWith(family.prefix);
  const suffixes = family.suffix.endsWith(rule.suffix) || rule.suffix.endsWith(family.suffix);
  if (!prefixes || !suffixes) return undefined;
  return {
    prefix: family.prefix.length >= rule.prefix.length ? family.prefix : rule.prefix,
    suffix: family.suffix.length >= rule.suffix.length ? family.suffix : rule.suffix,
  };
}

/** A readable example of a family's keys: `prefix*suffix`. */
function example(family: KeyFamily): string {
  return `"${family.prefix}*${family.suffix}"`;
}

/** A rule's family, when its prefix and suffix are well-formed. */
function ruleFamily(rule: RuleView): KeyFamily | undefined {
  return rule.prefix === null || rule.suffix === null
    ? undefined
    : { prefix: rule.prefix, suffix: rule.suffix };
}

/**
 * What the replicas of the keys `matched` (a part of `rule`'s family) are called in the target:
 * `keyPrefix` replaces the rule's prefix (routing's `destinationKey`), the rest is kept.
 */
function replicaFamily(rule: KeyFamily, target: TargetView, matched: KeyFamily): KeyFamily | undefined {
  if (target.keyPrefix === null) return undefined;
  const replaced = target.keyPrefix ?? rule.prefix;
  return { prefix: replaced + matched.prefix.slice(rule.prefix.length), suffix: matched.suffix };
}

// ── Sources ─────────────────────────────────────────────────────────────────────────────────

function checkDuplicateSources(sources: readonly SourceView[], problems: ConfigProblem[]): void {
  const seen = new Map<string, number>();
  for (const source of sources) {
    if (source.bucket === undefined) continue;
    const first = seen.get(source.bucket);
    if (first === undefined) seen.set(source.bucket, source.index);
    else {
      problems.push({
        path: formatPath(['sources', source.index, 'bucket']),
        message: `the bucket is already configured as sources[${first}]; merge the two into one source with several rules`,
        got: source.bucket,
      });
    }
  }
}

// ── Regions ─────────────────────────────────────────────────────────────────────────────────

function extraRegionsOf(input: unknown): ReadonlySet<string> {
  return new Set(list(record(record(input)?.defaults)?.extraRegions).filter((r) => typeof r === 'string'));
}

function unknownRegion(path: Path, region: string): ConfigProblem {
  const partition = partitionForRegion(region);
  const suggestion = closest(
    region,
    partition === undefined ? KNOWN_REGIONS : Object.keys(partition.regions),
  );
  const regions = partition === undefined ? [] : Object.keys(partition.regions);
  const known =
    partition === undefined
      ? `a region code AWS has (partitions ${PARTITIONS.map((p) => p.id).join(', ')}), such as us-east-1, eu-central-1, cn-north-1 or us-gov-west-1`
      : `one of the ${regions.length} regions of the ${partition.id} partition (${regions[0]} … ${regions[regions.length - 1]})`;
  return {
    path: formatPath(path),
    message: `is not an AWS region${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}; a region newer than this relay's list goes in defaults.extraRegions`,
    got: region,
    allowed: known,
  };
}

function checkRegions(sources: readonly SourceView[], input: unknown, problems: ConfigProblem[]): void {
  const extra = extraRegionsOf(input);
  const check = (path: Path, region: string | undefined): void => {
    if (region === undefined || !isRegion(region) || extra.has(region)) return;
    if (partitionForRegion(region)?.regions[region] === undefined) problems.push(unknownRegion(path, region));
  };
  for (const source of sources) {
    check(['sources', source.index, 'region'], source.region);
    for (const rule of source.rules) {
      for (const target of rule.targets) check([...target.path, 'region'], target.region);
    }
  }
}

interface BucketMention {
  readonly path: Path;
  readonly region: string;
  readonly source: boolean;
  readonly deploy?: { readonly application: string; readonly deploymentGroup: string };
}

function deployOf(target: TargetView): BucketMention['deploy'] {
  const deploy = record(target.raw.deploy);
  const application = text(deploy?.application);
  const deploymentGroup = text(deploy?.deploymentGroup);
  return application === undefined || deploymentGroup === undefined
    ? undefined
    : { application, deploymentGroup };
}

/**
 * One bucket, one region: every mention of a bucket (as a source or a target) must name the
 * region of its source entry when it is a source, else of its first mention. (A deployment group
 * only reads a revision from a bucket in its own region, so a deploying target says so.)
 */
function checkBucketRegions(sources: readonly SourceView[], problems: ConfigProblem[]): void {
  const byBucket = new Map<string, BucketMention[]>();
  const add = (bucket: string | undefined, mention: BucketMention): void => {
    if (bucket !== undefined) byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), mention]);
  };
  for (const source of sources) {
    if (source.region !== undefined) {
      add(source.bucket, { path: ['sources', source.index], region: source.region, source: true });
    }
    for (const rule of source.rules) {
      for (const target of rule.targets) {
        if (target.region === undefined) continue;
        const deploy = deployOf(target);
        add(target.bucket, {
          path: target.path,
          region: target.region,
          source: false,
          ...(deploy === undefined ? {} : { deploy }),
        });
      }
    }
  }
  for (const [bucket, mentions] of byBucket) {
    const first = mentions.find((m) => m.source) ?? mentions[0];
    if (first === undefined) continue;
    for (const mention of mentions) {
      // A second source entry of the bucket is reported as a duplicate source.
      if (mention === first || mention.region === first.region || (mention.source && first.source)) continue;
      const deploying = mention.deploy ?? first.deploy;
      const where = first.source ? `as ${formatPath(first.path)}` : `at ${formatPath(first.path)}`;
      problems.push({
        path: formatPath([...mention.path, 'region']),
        message:
          deploying === undefined
            ? `${bucket} is configured ${where} in ${first.region}; a bucket has exactly one region`
            : `the deployment group ${deploying.deploymentGroup} (application ${deploying.application}) deploys from ${bucket}, which is configured in ${mention.region} here and in ${first.region} ${where}; a bucket has one region, and CodeDeploy only reads a revision from a bucket in the deployment group's region`,
        got: mention.region,
        allowed: first.region,
      });
    }
  }
}

// ── Targets ─────────────────────────────────────────────────────────────────────────────────

function verifyModeOf(input: unknown): VerifyMode {
  const mode = record(record(input)?.defaults)?.verify;
  return VERIFY_MODES.find((m) => m === mode) ?? 'auto';
}

/** Whether the target writes each object onto its own key in the source bucket. */
function copiesOntoItself(target: TargetView, rule: RuleView, source: SourceView): boolean {
  if (target.bucket === undefined || target.bucket !== source.bucket) return false;
  return target.keyPrefix === undefined || target.keyPrefix === rule.prefix;
}

function checkTarget(
  target: TargetView,
  rule: RuleView,
  source: SourceView,
  verify: VerifyMode,
  problems: ConfigProblem[],
): void {
  const { path, region } = target;
  const encryption = record(target.raw.encryption);
  const encryptionType = target.raw.encryption === undefined ? 'SSE-S3' : text(encryption?.type);
  const arn = text(encryption?.kmsKeyArn);
  const parsedArn = arn === undefined ? undefined : parseKmsKeyArn(arn);
  if (
    encryptionType === 'aws:kms' &&
    parsedArn !== undefined &&
    region !== undefined &&
    parsedArn.region !== region
  ) {
    problems.push({
      path: formatPath([...path, 'encryption', 'kmsKeyArn']),
      message: `the KMS key is in ${parsedArn.region} but the target is in ${region}; S3 can only use a key in the bucket's own region`,
      got: arn,
      allowed: `a key ARN in ${region}`,
    });
  }

  if (encryptionType !== undefined) {
    const impossible = impossibleVerifyMode(verify, encryptionType);
    if (impossible !== undefined) {
      problems.push({
        path: formatPath(path),
        message: `defaults.verify is "${verify}" but this target is encrypted with ${encryptionType === 'aws:kms' ? 'SSE-KMS' : encryptionType}: ${impossible}`,
        got: { verify, encryption: encryptionType },
        allowed: `defaults.verify "auto" or "checksum" (or "stream"), or encryption SSE-S3 for this target`,
      });
    }
  }

  const storageClass = text(target.raw.storageClass);
  if (
    record(target.raw.deploy) !== undefined &&
    storageClass !== undefined &&
    (ARCHIVE_STORAGE_CLASSES as readonly string[]).includes(storageClass)
  ) {
    problems.push({
      path: formatPath([...path, 'storageClass']),
      message:
        'CodeDeploy cannot read an archived object; a deploying target needs an instantly readable storage class',
      got: storageClass,
      allowed: 'STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR',
    });
  }

  if (copiesOntoItself(target, rule, source)) {
    problems.push({
      path: formatPath(path),
      message:
        'the target is the source bucket and leaves the key unchanged, so the object would be copied onto itself; set a keyPrefix different from the rule prefix, or choose another bucket',
      got: {
        bucket: target.bucket,
        ...(target.keyPrefix === undefined ? {} : { keyPrefix: target.keyPrefix }),
      },
      showGot: true,
    });
  }
}

/** What names a target's replicas for one rule: the bucket and the prefix replacing the rule's. */
function replicaPlace(target: TargetView, rule: RuleView): string | undefined {
  if (target.bucket === undefined || target.keyPrefix === null) return undefined;
  const prefix = target.keyPrefix ?? rule.prefix;
  return prefix === null ? undefined : JSON.stringify([target.bucket, prefix]);
}

function targetLabel(target: TargetView): Json {
  return {
    bucket: target.bucket,
    ...(target.keyPrefix === undefined || target.keyPrefix === null ? {} : { keyPrefix: target.keyPrefix }),
  };
}

function checkRules(source: SourceView, verify: VerifyMode, problems: ConfigProblem[]): void {
  const tagEnabled = record(source.raw.targetBucketTag)?.enabled === true;
  const names = new Map<string, number>();
  for (const rule of source.rules) {
    const name = text(rule.raw.name);
    if (name !== undefined) {
      const first = names.get(name);
      if (first === undefined) names.set(name, rule.index);
      else {
        problems.push({
          path: formatPath([...rule.path, 'name']),
          message: `rules[${first}] of this source already has this name; rule names must be unique within a source`,
          got: name,
        });
      }
    }
    const targets = rule.raw.targets;
    if (Array.isArray(targets) && targets.length === 0 && !tagEnabled) {
      problems.push({
        path: formatPath([...rule.path, 'targets']),
        message:
          'a rule without targets relays nothing; add a target, or enable targetBucketTag for this source',
        got: targets,
        allowed: 'at least 1 target',
      });
    }
    const seen = new Map<string, number>();
    for (const target of rule.targets) {
      const place = replicaPlace(target, rule);
      if (place !== undefined) {
        const first = seen.get(place);
        if (first === undefined) seen.set(place, target.index);
        else {
          problems.push({
            path: formatPath(target.path),
            message: `duplicates targets[${first}] of this rule (the same bucket and keyPrefix, so the same replica keys); remove one`,
            got: targetLabel(target),
          });
        }
      }
      checkTarget(target, rule, source, verify, problems);
    }
  }
}

/**
 * Two rules of one source that can match the same object and send it to the same place. Routing
 * sends an object to every rule that matches it, and to each target (`bucket@region/keyPrefix`)
 * once, as the first matching rule says: a later rule's identical target is ignored for the keys
 * both match; a different target writing the very same replica keys copies the object twice.
 * Rules whose targets put the replicas in different places are fine.
 */
function checkOverlappingRules(source: SourceView, problems: ConfigProblem[]): void {
  source.rules.forEach((later, b) => {
    const laterFamily = ruleFamily(later);
    if (laterFamily === undefined) return;
    for (const earlier of source.rules.slice(0, b)) {
      const earlierFamily = ruleFamily(earlier);
      const both = earlierFamily === undefined ? undefined : intersect(earlierFamily, laterFamily);
      if (earlierFamily === undefined || both === undefined) continue;
      for (const target of later.targets) {
        if (target.bucket === undefined || target.keyPrefix === null) continue;
        for (const other of earlier.targets) {
          if (other.bucket !== target.bucket || other.keyPrefix === null) continue;
          const sameTarget = other.region === target.region && other.keyPrefix === target.keyPrefix;
          const mine = replicaFamily(laterFamily, target, both);
          const theirs = replicaFamily(earlierFamily, other, both);
          const sameKeys = mine !== undefined && theirs !== undefined && mine.prefix === theirs.prefix;
          if (!sameTarget && !sameKeys) continue;
          const otherPath = formatPath(other.path);
          problems.push({
            path: formatPath(target.path),
            message: sameTarget
              ? `rules[${earlier.index}] also matches keys this rule matches (such as ${example(both)}) and sends them to the same target (${otherPath}); the relay copies an object to a target once, as the first matching rule says, so this entry is ignored for those keys — make the two rules' prefixes or suffixes exclusive, or drop this target`
              : `rules[${earlier.index}] also matches keys this rule matches (such as ${example(both)}) and ${otherPath} writes them to the same replica keys in ${target.bucket}, so each such object would be copied twice onto one key — make the two rules' prefixes or suffixes exclusive, or give one target another keyPrefix`,
            got: targetLabel(target),
          });
          break;
        }
      }
    }
  });
}

// ── Loops ───────────────────────────────────────────────────────────────────────────────────

interface Hop {
  readonly bucket: string;
  /** The replica keys that land in `bucket`. */
  readonly family: KeyFamily;
  /** Buckets so far, the start source first. */
  readonly chain: readonly string[];
  /** The rule that matched in the previous bucket (none for the first hop), and its target that wrote into `bucket`. */
  readonly rule?: Path;
  readonly target: Path;
}

/** The most hops followed from one target: a longer chain than there are rules cannot be a new loop. */
function hopLimit(sources: readonly SourceView[]): number {
  return sources.reduce((sum, source) => sum + source.rules.length, 0) + 1;
}

/**
 * Whether the replicas `target` writes for `rule` come back to `rule` (through any number of
 * configured sources): the hop that closes the loop, or `undefined`.
 */
function loopFrom(
  sources: readonly SourceView[],
  source: SourceView,
  rule: RuleView,
  family: KeyFamily,
  target: TargetView,
): { readonly closing: Hop; readonly first: Hop } | undefined {
  if (source.bucket === undefined || target.bucket === undefined) return undefined;
  const start = replicaFamily(family, target, family);
  if (start === undefined) return undefined;
  const first: Hop = {
    bucket: target.bucket,
    family: start,
    chain: [source.bucket, target.bucket],
    target: target.path,
  };
  const queue: Hop[] = [first];
  const seen = new Set<string>();
  const limit = hopLimit(sources);
  for (let hop = queue.shift(); hop !== undefined; hop = queue.shift()) {
    const next = sources.find((s) => s.bucket === hop.bucket);
    if (next === undefined) continue;
    for (const nextRule of next.rules) {
      const nextFamily = ruleFamily(nextRule);
      const matched = nextFamily === undefined ? undefined : intersect(hop.family, nextFamily);
      if (nextFamily === undefined || matched === undefined) continue;
      if (next === source && nextRule === rule) return { closing: hop, first };
      if (hop.chain.length > limit) continue;
      for (const onward of nextRule.targets) {
        const replicas = replicaFamily(nextFamily, onward, matched);
        if (onward.bucket === undefined || replicas === undefined) continue;
        const key = JSON.stringify([onward.bucket, replicas.prefix, replicas.suffix, nextRule.path]);
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push({
          bucket: onward.bucket,
          family: replicas,
          chain: [...hop.chain, onward.bucket],
          rule: nextRule.path,
          target: onward.path,
        });
      }
    }
  }
  return undefined;
}

/**
 * Replicas that a rule would relay again: a target in the source bucket whose replica keys the
 * rule matches (a source feeding itself), or a target in another configured source whose rules
 * send the replicas back (A → B → A, or longer). The loop guard (replicas are never relayed)
 * stops these at run time; validation says so with both ends. A chain that does not come back
 * (A → B → C) is not reported: the guard simply leaves B's copies where they are.
 */
function checkLoops(sources: readonly SourceView[], problems: ConfigProblem[]): void {
  for (const source of sources) {
    for (const rule of source.rules) {
      const family = ruleFamily(rule);
      if (family === undefined) continue;
      for (const target of rule.targets) {
        if (copiesOntoItself(target, rule, source)) continue;
        const loop = loopFrom(sources, source, rule, family, target);
        if (loop === undefined) continue;
        const ruleName = formatPath(rule.path);
        const replicas = example(loop.first.family);
        problems.push({
          path: formatPath(target.path),
          message:
            loop.closing.target === target.path
              ? `the replicas land in the source bucket itself (keys such as ${replicas}), where ${ruleName} matches them again: a source feeding itself, a loop only the relay's loop guard stops at run time; choose a keyPrefix the rule does not match, or another bucket`
              : `the replicas land in ${loop.first.bucket} (keys such as ${replicas}), which ${formatPath(loop.closing.rule ?? [])} sends back to ${source.bucket} (${formatPath(loop.closing.target)}), where ${ruleName} matches them again: a loop ${[...loop.closing.chain].join(' → ')} that only the relay's loop guard stops at run time; change a prefix, suffix or keyPrefix so that the replicas match no rule on the way back`,
          got: targetLabel(target),
        });
      }
    }
  }
}

// ── The tag convention ──────────────────────────────────────────────────────────────────────

function checkTargetBucketTag(source: SourceView, problems: ConfigProblem[]): void {
  const tag = record(source.raw.targetBucketTag);
  if (tag?.enabled !== true) return;
  const allowed = tag.allowedBuckets;
  if (allowed === undefined || (Array.isArray(allowed) && allowed.length === 0)) {
    problems.push({
      path: formatPath(['sources', source.index, 'targetBucketTag', 'allowedBuckets']),
      message: 'the tag is enabled but no bucket is allowed, so every tag entry would be refused',
      got: allowed,
      allowed: 'at least 1 bucket glob, such as "artifacts-*"',
    });
  }
}

// ── The source's S3 Inventory ─────────────────────────────────────────────────────────────

/**
 * An inventory's key is in the source's region: S3 Inventory delivers a bucket's reports into a bucket of
 * the same region (S3 API Reference, PutBucketInventoryConfiguration), and S3 encrypts with a key of the
 * bucket's own region only.
 */
function checkInventory(source: SourceView, problems: ConfigProblem[]): void {
  const arn = text(record(source.raw.inventory)?.kmsKeyArn);
  const parsed = arn === undefined ? undefined : parseKmsKeyArn(arn);
  if (parsed === undefined || source.region === undefined || parsed.region === source.region) return;
  problems.push({
    path: formatPath(['sources', source.index, 'inventory', 'kmsKeyArn']),
    message: `the KMS key is in ${parsed.region} but the source is in ${source.region}; S3 Inventory delivers reports into a bucket of the source's region, and S3 can only use a key in the bucket's own region`,
    got: arn,
    allowed: `a key ARN in ${source.region}`,
  });
}

/**
 * One deployment group, one revision bucket: the relay orders a group's deployments (newest wins,
 * exactly once) through one ledger object kept in the bucket its revisions come from
 * (core/deployment-ledger.ts), so two buckets feeding one group would keep two ledgers that cannot see
 * each other.
 */
function checkDeploymentGroupBuckets(sources: readonly SourceView[], problems: ConfigProblem[]): void {
  const first = new Map<string, { bucket: string; path: Path }>();
  for (const source of sources) {
    for (const rule of source.rules) {
      for (const target of rule.targets) {
        const deploy = deployOf(target);
        if (deploy === undefined || target.bucket === undefined || target.region === undefined) continue;
        const group = `${target.region}\u0000${deploy.application}\u0000${deploy.deploymentGroup}`;
        const seen = first.get(group);
        if (seen === undefined) first.set(group, { bucket: target.bucket, path: target.path });
        else if (seen.bucket !== target.bucket) {
          problems.push({
            path: formatPath([...target.path, 'bucket']),
            message: `the deployment group ${deploy.deploymentGroup} (application ${deploy.application}, ${target.region}) is already deployed from ${seen.bucket} at ${formatPath(seen.path)}; the relay keeps one deployment ledger per group in its revision bucket, so that it deploys the newest build exactly once — deploy a group from one bucket (use a keyPrefix to tell builds apart)`,
            got: target.bucket,
            allowed: seen.bucket,
          });
        }
      }
    }
  }
}

/**
 * Every entry of `waves` names a wave some deploying target is in: a setting for a wave nobody deploys in
 * (a typo, or a target moved) would silently require nothing.
 */
function checkWaveSettings(input: unknown, sources: readonly SourceView[], problems: ConfigProblem[]): void {
  const waves = record(record(input)?.waves);
  if (waves === undefined) return;
  const used = new Set<number>();
  for (const source of sources) {
    for (const rule of source.rules) {
      for (const target of rule.targets) {
        const deploy = record(target.raw.deploy);
        if (deploy === undefined) continue;
        used.add(typeof deploy.wave === 'number' ? deploy.wave : 1);
      }
    }
  }
  for (const key of Object.keys(waves)) {
    const wave = Number(key);
    if (!Number.isInteger(wave) || wave < 2 || used.has(wave)) continue;
    const inUse = [...used].filter((w) => w >= 2).sort((a, b) => a - b);
    problems.push({
      path: formatPath(['waves', key]),
      message: `no deploying target is in wave ${wave}, so this setting would require nothing — set "wave": ${wave} in the deploy block of the targets it is for, or remove it`,
      showGot: false,
      allowed:
        inUse.length === 0
          ? 'no waves: no target names a wave of 2 or more'
          : `one of the waves in use: ${inUse.join(', ')}`,
    });
  }
}

/** Every cross-field problem of a raw configuration value. */
export function consistencyProblems(input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const sources = sourcesOf(input);
  const verify = verifyModeOf(input);
  checkDuplicateSources(sources, problems);
  checkRegions(sources, input, problems);
  checkBucketRegions(sources, problems);
  checkDeploymentGroupBuckets(sources, problems);
  for (const source of sources) {
    checkRules(source, verify, problems);
    checkOverlappingRules(source, problems);
    checkTargetBucketTag(source, problems);
    checkInventory(source, problems);
  }
  checkLoops(sources, problems);
  checkWaveSettings(input, sources, problems);
  return problems;
}
