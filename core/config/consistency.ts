import { parseKmsKeyArn } from '../aws-names.ts';
import type { ConfigProblem } from './problems.ts';
import { formatPath } from './problems.ts';
import { ARCHIVE_STORAGE_CLASSES } from './schema.ts';

/**
 * Rules that relate several fields of a configuration. They run on the raw input, whether or
 * not it passed the schema, so that one parse reports every problem; each check only looks at
 * the fields it needs and skips entries whose fields are malformed (the schema reports those).
 */

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

interface SourceView {
  readonly index: number;
  readonly bucket: string | undefined;
  readonly region: string | undefined;
  readonly raw: Json;
}

function sourcesOf(input: unknown): SourceView[] {
  const sources: SourceView[] = [];
  list(record(input)?.sources).forEach((raw, index) => {
    const source = record(raw);
    if (source !== undefined) {
      sources.push({ index, bucket: text(source.bucket), region: text(source.region), raw: source });
    }
  });
  return sources;
}

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

function targetKey(target: Json): string | undefined {
  const bucket = text(target.bucket);
  const region = text(target.region);
  if (bucket === undefined || region === undefined) return undefined;
  const keyPrefix = text(target.keyPrefix);
  return JSON.stringify([bucket, region, keyPrefix ?? null]);
}

function checkTarget(
  target: Json,
  path: readonly PropertyKey[],
  rule: Json,
  sources: readonly SourceView[],
  source: SourceView,
  problems: ConfigProblem[],
): void {
  const bucket = text(target.bucket);
  const region = text(target.region);
  const encryption = record(target.encryption);
  const arn = text(encryption?.kmsKeyArn);
  const parsedArn = arn === undefined ? undefined : parseKmsKeyArn(arn);
  if (
    text(encryption?.type) === 'aws:kms' &&
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

  const storageClass = text(target.storageClass);
  if (
    record(target.deploy) !== undefined &&
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

  if (bucket === undefined) return;
  const owner = sources.find((s) => s.bucket === bucket);
  if (owner !== undefined && region !== undefined && owner.region !== undefined && owner.region !== region) {
    problems.push({
      path: formatPath([...path, 'region']),
      message: `${bucket} is configured as sources[${owner.index}] in ${owner.region}; a bucket has exactly one region`,
      got: region,
      allowed: owner.region,
    });
  }
  if (bucket === source.bucket) {
    const rulePrefix = text(rule.prefix) ?? '';
    const keyPrefix = text(target.keyPrefix);
    if (keyPrefix === undefined || keyPrefix === rulePrefix) {
      problems.push({
        path: formatPath(path),
        message:
          'the target is the source bucket and leaves the key unchanged, so the object would be copied onto itself; set a keyPrefix different from the rule prefix, or choose another bucket',
        got: { bucket, ...(keyPrefix === undefined ? {} : { keyPrefix }) },
        showGot: true,
      });
    }
  }
}

function checkRules(source: SourceView, sources: readonly SourceView[], problems: ConfigProblem[]): void {
  const tagEnabled = record(source.raw.targetBucketTag)?.enabled === true;
  const names = new Map<string, number>();
  list(source.raw.rules).forEach((rawRule, ruleIndex) => {
    const rule = record(rawRule);
    if (rule === undefined) return;
    const rulePath = ['sources', source.index, 'rules', ruleIndex] as const;
    const name = text(rule.name);
    if (name !== undefined) {
      const first = names.get(name);
      if (first === undefined) names.set(name, ruleIndex);
      else {
        problems.push({
          path: formatPath([...rulePath, 'name']),
          message: `rules[${first}] of this source already has this name; rule names must be unique within a source`,
          got: name,
        });
      }
    }
    const targets = rule.targets;
    if (Array.isArray(targets) && targets.length === 0 && !tagEnabled) {
      problems.push({
        path: formatPath([...rulePath, 'targets']),
        message:
          'a rule without targets relays nothing; add a target, or enable targetBucketTag for this source',
        got: targets,
        allowed: 'at least 1 target',
      });
    }
    const seen = new Map<string, number>();
    list(targets).forEach((rawTarget, targetIndex) => {
      const target = record(rawTarget);
      if (target === undefined) return;
      const targetPath = [...rulePath, 'targets', targetIndex];
      const key = targetKey(target);
      if (key !== undefined) {
        const first = seen.get(key);
        if (first === undefined) seen.set(key, targetIndex);
        else {
          problems.push({
            path: formatPath(targetPath),
            message: `duplicates targets[${first}] of this rule (same bucket, region and keyPrefix)`,
            got: { bucket: target.bucket, region: target.region, keyPrefix: target.keyPrefix },
          });
        }
      }
      checkTarget(target, targetPath, rule, sources, source, problems);
    });
  });
}

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

/** Every cross-field problem of a raw configuration value. */
export function consistencyProblems(input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const sources = sourcesOf(input);
  checkDuplicateSources(sources, problems);
  for (const source of sources) {
    checkRules(source, sources, problems);
    checkTargetBucketTag(source, problems);
  }
  return problems;
}
