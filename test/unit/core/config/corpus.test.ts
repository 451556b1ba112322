import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { loadConfig } from '../../../../core/config/load.ts';
import { parseConfig } from '../../../../core/config/parse.ts';
import { ConfigInvalid } from '../../../../core/errors.ts';
import { validConfig } from './valid-config.ts';

/**
 * The bad-configuration corpus: every case breaks the valid example shape in one way, names the
 * exact problem path(s) and the essence of each message, and fixes it the way the message says —
 * after which the configuration must pass.
 */

type Json = Record<string, unknown>;
type Config = Json & { sources: Source[]; defaults?: Json };
type Source = Json & { rules: Rule[] };
type Rule = Json & { targets: Json[] };

const source = (c: Config, s = 0): Source => c.sources[s]!;
const rule = (c: Config, r = 0, s = 0): Rule => source(c, s).rules[r]!;
const target = (c: Config, t: number, r = 0, s = 0): Json => rule(c, r, s).targets[t]!;
const defaults = (c: Config): Json => {
  c.defaults ??= {};
  return c.defaults;
};

const SEOUL_KEY = 'arn:aws:kms:ap-northeast-2:000000000000:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18';
const OREGON_KEY = 'arn:aws:kms:us-west-2:000000000000:key/0b7a3e2d-4f18-4e39-9c61-5d2f7c1e8a4b';

/** A second source, artifacts-frankfurt, relaying `releases/` to `to`. */
function frankfurtSource(to: Json): Source {
  return {
    bucket: 'artifacts-frankfurt',
    region: 'eu-central-1',
    rules: [{ name: 'back', prefix: 'releases/', targets: [to] }],
  };
}

/** The problem lines of `value`, or `[]` when it is valid. */
function problemsOf(value: unknown): readonly string[] {
  try {
    parseConfig(value, 'corpus.json');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigInvalid)) throw err;
    return err.problems;
  }
}

const pathOf = (line: string): string => line.slice(0, line.indexOf(': '));

interface Case {
  readonly name: string;
  readonly breaks: (c: Config) => void;
  /** Each problem: its exact path and a fragment of its message, in the order they are listed. */
  readonly problems: readonly (readonly [path: string, fragment: string])[];
  /** What the message says to do. */
  readonly fix: (c: Config) => void;
}

const CASES: readonly Case[] = [
  // ── Shape ────────────────────────────────────────────────────────────────────────────────
  {
    name: 'a bucket name with capitals and underscores',
    breaks: (c) => {
      source(c).bucket = 'Build_Artifacts';
    },
    problems: [['sources[0].bucket', 'a bucket name may only contain lowercase letters']],
    fix: (c) => {
      source(c).bucket = 'build-artifacts';
    },
  },
  {
    name: 'a bucket name with a reserved suffix',
    breaks: (c) => {
      target(c, 1).bucket = 'artifacts-s3alias';
    },
    problems: [['sources[0].rules[0].targets[1].bucket', 'must not end with the reserved suffix "-s3alias"']],
    fix: (c) => {
      target(c, 1).bucket = 'artifacts-alias';
    },
  },
  {
    name: 'a bucket name formatted as an IP address',
    breaks: (c) => {
      target(c, 1).bucket = '192.168.5.4';
    },
    problems: [['sources[0].rules[0].targets[1].bucket', 'must not be formatted as an IP address']],
    fix: (c) => {
      target(c, 1).bucket = 'artifacts-192-168-5-4';
    },
  },
  {
    name: 'a region that is not a region code',
    breaks: (c) => {
      source(c).region = 'oregon';
    },
    problems: [['sources[0].region', 'not an AWS region code (got "oregon"']],
    fix: (c) => {
      source(c).region = 'us-west-2';
    },
  },
  {
    name: 'an unknown key, with a did-you-mean',
    breaks: (c) => {
      target(c, 0).keyprefix = 'x/';
    },
    problems: [['sources[0].rules[0].targets[0].keyprefix', 'unknown key (did you mean "keyPrefix"?)']],
    fix: (c) => {
      delete target(c, 0).keyprefix;
      target(c, 0).keyPrefix = 'x/';
    },
  },
  {
    name: 'a misspelt top-level member',
    breaks: (c) => {
      c.default = { verify: 'checksum' };
    },
    problems: [['default', 'unknown key (did you mean "defaults"?)']],
    fix: (c) => {
      c.defaults = c.default as Json;
      delete c.default;
    },
  },
  {
    name: 'an unknown encryption type',
    breaks: (c) => {
      target(c, 1).encryption = { type: 'SSE-KMS' };
    },
    problems: [['sources[0].rules[0].targets[1].encryption.type', 'is not an allowed value (got "SSE-KMS"']],
    fix: (c) => {
      target(c, 1).encryption = { type: 'SSE-S3' };
    },
  },
  {
    name: 'a KMS key on an SSE-S3 target',
    breaks: (c) => {
      target(c, 1).encryption = { type: 'SSE-S3', kmsKeyArn: SEOUL_KEY };
    },
    problems: [['sources[0].rules[0].targets[1].encryption.kmsKeyArn', 'unknown key']],
    fix: (c) => {
      target(c, 1).encryption = { type: 'SSE-S3' };
    },
  },
  {
    name: 'a KMS key ARN that is not an ARN',
    breaks: (c) => {
      target(c, 0).encryption = { type: 'aws:kms', kmsKeyArn: 'alias/web' };
    },
    problems: [['sources[0].rules[0].targets[0].encryption.kmsKeyArn', 'not a KMS key ARN']],
    fix: (c) => {
      target(c, 0).encryption = {
        type: 'aws:kms',
        kmsKeyArn: 'arn:aws:kms:ap-northeast-2:000000000000:alias/web',
      };
    },
  },
  {
    name: 'a missing KMS key ARN',
    breaks: (c) => {
      target(c, 0).encryption = { type: 'aws:kms' };
    },
    problems: [['sources[0].rules[0].targets[0].encryption.kmsKeyArn', 'is required']],
    fix: (c) => {
      target(c, 0).encryption = { type: 'aws:kms', kmsKeyArn: SEOUL_KEY };
    },
  },
  {
    name: 'an account id that is not 12 digits',
    breaks: (c) => {
      target(c, 0).account = '1234';
    },
    problems: [['sources[0].rules[0].targets[0].account', 'not a 12-digit AWS account id']],
    fix: (c) => {
      target(c, 0).account = '111122223333';
    },
  },
  {
    name: 'a public ACL',
    breaks: (c) => {
      target(c, 0).acl = 'public-read';
    },
    problems: [['sources[0].rules[0].targets[0].acl', 'is not an allowed value (got "public-read"']],
    fix: (c) => {
      target(c, 0).acl = 'bucket-owner-full-control';
    },
  },
  {
    name: 'an unknown bundle type',
    breaks: (c) => {
      (target(c, 0).deploy as Json).bundleType = 'rar';
    },
    problems: [['sources[0].rules[0].targets[0].deploy.bundleType', 'is not an allowed value (got "rar"']],
    fix: (c) => {
      (target(c, 0).deploy as Json).bundleType = 'tgz';
    },
  },
  {
    name: 'a deploy without a deployment group',
    breaks: (c) => {
      target(c, 0).deploy = { application: 'web', bundleType: 'zip' };
    },
    problems: [['sources[0].rules[0].targets[0].deploy.deploymentGroup', 'is required']],
    fix: (c) => {
      (target(c, 0).deploy as Json).deploymentGroup = 'web-prod';
    },
  },
  {
    name: 'an empty prefix',
    breaks: (c) => {
      rule(c).prefix = '';
    },
    problems: [['sources[0].rules[0].prefix', 'must not be empty (omit it instead)']],
    fix: (c) => {
      delete rule(c).prefix;
    },
  },
  {
    name: 'a prefix longer than an S3 key',
    breaks: (c) => {
      rule(c).prefix = 'é'.repeat(513);
    },
    problems: [['sources[0].rules[0].prefix', 'prefix is 1026 bytes long in UTF-8']],
    fix: (c) => {
      rule(c).prefix = 'é'.repeat(10);
    },
  },
  {
    name: 'a rule name with spaces',
    breaks: (c) => {
      rule(c).name = 'web bundles';
    },
    problems: [['sources[0].rules[0].name', 'a rule name is 1-64 characters']],
    fix: (c) => {
      rule(c).name = 'web-bundles';
    },
  },
  {
    name: 'an allowlist glob a bucket name cannot match',
    breaks: (c) => {
      source(c).targetBucketTag = { enabled: true, allowedBuckets: ['Artifacts_*'] };
    },
    problems: [['sources[0].targetBucketTag.allowedBuckets[0]', 'not a bucket glob']],
    fix: (c) => {
      source(c).targetBucketTag = { enabled: true, allowedBuckets: ['artifacts-*'] };
    },
  },
  {
    name: 'an inventory destination that is an S3 URL, not a bucket name',
    breaks: (c) => {
      source(c).inventory = { bucket: 's3://inventory-oregon/inventory/' };
    },
    problems: [['sources[0].inventory.bucket', 'a bucket name may only contain lowercase letters']],
    fix: (c) => {
      source(c).inventory = { bucket: 'inventory-oregon', prefix: 'inventory/' };
    },
  },
  {
    name: 'an inventory setting with a misspelt key',
    breaks: (c) => {
      source(c).inventory = { bucket: 'inventory-oregon', kmsKey: OREGON_KEY };
    },
    problems: [
      [
        'sources[0].inventory.kmsKey',
        'unknown key (got "arn:aws:kms:us-west-2:000000000000:key/0b7a3e2d-4f18-4e39-9c61-5d2f7c1e8a4b"; allowed: bucket, prefix, kmsKeyArn)',
      ],
    ],
    fix: (c) => {
      source(c).inventory = { bucket: 'inventory-oregon', kmsKeyArn: OREGON_KEY };
    },
  },
  {
    name: "an inventory key in another region than the source's",
    breaks: (c) => {
      source(c).inventory = { bucket: 'inventory-oregon', kmsKeyArn: SEOUL_KEY };
    },
    problems: [
      ['sources[0].inventory.kmsKeyArn', 'the KMS key is in ap-northeast-2 but the source is in us-west-2'],
    ],
    fix: (c) => {
      source(c).inventory = { bucket: 'inventory-oregon', kmsKeyArn: OREGON_KEY };
    },
  },
  {
    name: 'a part size below the S3 minimum',
    breaks: (c) => {
      defaults(c).partSizeBytes = 1024;
    },
    problems: [['defaults.partSizeBytes', 'is too small (got 1024; allowed: >= 5242880)']],
    fix: (c) => {
      defaults(c).partSizeBytes = 5 * 1024 * 1024;
    },
  },
  {
    name: 'a multipart threshold above what CopyObject can copy',
    breaks: (c) => {
      defaults(c).multipartThresholdBytes = 6 * 1024 ** 3;
    },
    problems: [['defaults.multipartThresholdBytes', 'is too big']],
    fix: (c) => {
      defaults(c).multipartThresholdBytes = 5 * 1024 ** 3;
    },
  },
  {
    name: 'an unknown verify mode',
    breaks: (c) => {
      defaults(c).verify = 'md5';
    },
    problems: [
      [
        'defaults.verify',
        'is not an allowed value (got "md5"; allowed: "auto", "checksum", "etag", "stream")',
      ],
    ],
    fix: (c) => {
      defaults(c).verify = 'checksum';
    },
  },
  {
    name: 'a fractional concurrency',
    breaks: (c) => {
      defaults(c).maxConcurrency = 2.5;
    },
    problems: [['defaults.maxConcurrency', 'must be an integer']],
    fix: (c) => {
      defaults(c).maxConcurrency = 2;
    },
  },
  {
    name: 'a copy time budget beyond a Lambda invocation',
    breaks: (c) => {
      defaults(c).copyTimeBudgetSeconds = 900;
    },
    problems: [['defaults.copyTimeBudgetSeconds', 'is too big (got 900; allowed: <= 840)']],
    fix: (c) => {
      defaults(c).copyTimeBudgetSeconds = 600;
    },
  },
  {
    name: 'no sources',
    breaks: (c) => {
      c.sources = [];
    },
    problems: [['sources', 'needs at least 1 item']],
    fix: (c) => {
      c.sources = validConfig().sources as Source[];
    },
  },
  {
    name: 'a value nested past the depth limit',
    breaks: (c) => {
      let deep: Json = {};
      for (let i = 0; i < 40; i++) deep = { x: deep };
      defaults(c).x = deep;
    },
    problems: [[`defaults${'.x'.repeat(31)}`, 'the configuration is nested more than 32 levels deep']],
    fix: (c) => {
      delete defaults(c).x;
    },
  },

  // ── Regions ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'a region of the right shape that AWS does not have',
    breaks: (c) => {
      target(c, 1).region = 'zz-fake-9';
    },
    problems: [
      [
        'sources[0].rules[0].targets[1].region',
        'is not an AWS region; a region newer than this relay\'s list goes in defaults.extraRegions (got "zz-fake-9"',
      ],
    ],
    fix: (c) => {
      target(c, 1).region = 'eu-central-1';
    },
  },
  {
    name: 'a misspelt region, with a did-you-mean',
    breaks: (c) => {
      target(c, 1).region = 'eu-centrl-1';
    },
    problems: [
      ['sources[0].rules[0].targets[1].region', 'is not an AWS region (did you mean "eu-central-1"?)'],
    ],
    fix: (c) => {
      target(c, 1).region = 'eu-central-1';
    },
  },
  {
    name: 'a misspelt China region, suggested from its partition',
    breaks: (c) => {
      target(c, 1).region = 'cn-nrth-1';
    },
    problems: [['sources[0].rules[0].targets[1].region', 'did you mean "cn-north-1"?']],
    fix: (c) => {
      target(c, 1).region = 'cn-north-1';
    },
  },
  {
    name: 'a region AWS may open later, accepted through defaults.extraRegions',
    breaks: (c) => {
      source(c).region = 'ap-southeast-9';
    },
    problems: [['sources[0].region', 'one of the 36 regions of the aws partition']],
    fix: (c) => {
      defaults(c).extraRegions = ['ap-southeast-9'];
    },
  },
  {
    name: 'an extra region that is not a region code',
    breaks: (c) => {
      defaults(c).extraRegions = ['mars-1'];
    },
    problems: [['defaults.extraRegions[0]', 'not an AWS region code']],
    fix: (c) => {
      defaults(c).extraRegions = ['ap-southeast-9'];
    },
  },
  {
    name: 'a source bucket named as a target in another region',
    breaks: (c) => {
      Object.assign(target(c, 1), {
        bucket: 'build-artifacts-oregon',
        region: 'eu-central-1',
        keyPrefix: 'copies/',
      });
    },
    problems: [
      [
        'sources[0].rules[0].targets[1].region',
        'build-artifacts-oregon is configured as sources[0] in us-west-2; a bucket has exactly one region',
      ],
    ],
    fix: (c) => {
      target(c, 1).region = 'us-west-2';
    },
  },
  {
    name: 'two targets giving one bucket two regions',
    breaks: (c) => {
      source(c).rules.push({
        name: 'mobile',
        prefix: 'mobile/',
        targets: [{ bucket: 'artifacts-frankfurt', region: 'eu-west-1' }],
      });
    },
    problems: [
      [
        'sources[0].rules[1].targets[0].region',
        'artifacts-frankfurt is configured at sources[0].rules[0].targets[1] in eu-central-1; a bucket has exactly one region',
      ],
    ],
    fix: (c) => {
      target(c, 0, 1).region = 'eu-central-1';
    },
  },
  {
    name: 'a deploying target whose bucket is configured in another region',
    breaks: (c) => {
      source(c).rules.push({
        name: 'mobile',
        prefix: 'mobile/',
        targets: [
          {
            bucket: 'artifacts-seoul',
            region: 'eu-west-1',
            deploy: { application: 'mobile', deploymentGroup: 'mobile-prod', bundleType: 'zip' },
          },
        ],
      });
    },
    problems: [
      [
        'sources[0].rules[1].targets[0].region',
        "the deployment group mobile-prod (application mobile) deploys from artifacts-seoul, which is configured in eu-west-1 here and in ap-northeast-2 at sources[0].rules[0].targets[0]; a bucket has one region, and CodeDeploy only reads a revision from a bucket in the deployment group's region",
      ],
    ],
    fix: (c) => {
      target(c, 0, 1).region = 'ap-northeast-2';
    },
  },
  {
    name: 'a KMS key in another region than its target',
    breaks: (c) => {
      target(c, 0).encryption = { type: 'aws:kms', kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/abc' };
    },
    problems: [
      [
        'sources[0].rules[0].targets[0].encryption.kmsKeyArn',
        'the KMS key is in us-east-1 but the target is in ap-northeast-2',
      ],
    ],
    fix: (c) => {
      target(c, 0).encryption = { type: 'aws:kms', kmsKeyArn: SEOUL_KEY };
    },
  },

  // ── What can never work ──────────────────────────────────────────────────────────────────
  {
    name: 'ETag verification with an SSE-KMS target, fixed by another verify mode',
    breaks: (c) => {
      defaults(c).verify = 'etag';
    },
    problems: [
      [
        'sources[0].rules[0].targets[0]',
        'defaults.verify is "etag" but this target is encrypted with SSE-KMS: the ETag of an SSE-KMS object is not the MD5 of its bytes',
      ],
    ],
    fix: (c) => {
      defaults(c).verify = 'checksum';
    },
  },
  {
    name: 'ETag verification with an SSE-KMS target, fixed by SSE-S3 for that target',
    breaks: (c) => {
      defaults(c).verify = 'etag';
    },
    problems: [
      [
        'sources[0].rules[0].targets[0]',
        'allowed: defaults.verify "auto" or "checksum" (or "stream"), or encryption SSE-S3 for this target',
      ],
    ],
    fix: (c) => {
      target(c, 0).encryption = { type: 'SSE-S3' };
    },
  },
  {
    name: 'an archived storage class on a deploying target',
    breaks: (c) => {
      target(c, 0).storageClass = 'DEEP_ARCHIVE';
    },
    problems: [['sources[0].rules[0].targets[0].storageClass', 'CodeDeploy cannot read an archived object']],
    fix: (c) => {
      target(c, 0).storageClass = 'GLACIER_IR';
    },
  },
  {
    name: 'a rule without targets',
    breaks: (c) => {
      rule(c).targets = [];
    },
    problems: [['sources[0].rules[0].targets', 'a rule without targets relays nothing']],
    fix: (c) => {
      source(c).targetBucketTag = { enabled: true, allowedBuckets: ['artifacts-*'] };
    },
  },
  {
    name: 'an enabled tag convention with an empty allowlist',
    breaks: (c) => {
      source(c).targetBucketTag = { enabled: true, allowedBuckets: [] };
    },
    problems: [['sources[0].targetBucketTag.allowedBuckets', 'the tag is enabled but no bucket is allowed']],
    fix: (c) => {
      source(c).targetBucketTag = { enabled: true, allowedBuckets: ['artifacts-*'] };
    },
  },
  {
    name: 'rules whose prefixes and suffixes exceed the EventBridge pattern size',
    breaks: (c) => {
      const base = rule(c);
      source(c).rules = Array.from({ length: 30 }, (_, i) => ({
        ...base,
        name: `r${i}`,
        prefix: `p${i}-${'x'.repeat(60)}/`,
      }));
    },
    problems: [['sources[0].rules', "the rules' prefixes and suffixes make an EventBridge pattern of"]],
    fix: (c) => {
      source(c).rules = source(c).rules.slice(0, 5);
    },
  },

  // ── Duplicates and overlaps ──────────────────────────────────────────────────────────────
  {
    name: 'a source configured twice',
    breaks: (c) => {
      c.sources.push(structuredClone(source(c)));
    },
    problems: [['sources[1].bucket', 'the bucket is already configured as sources[0]']],
    fix: (c) => {
      c.sources.pop();
    },
  },
  {
    name: 'two rules with the same name',
    breaks: (c) => {
      source(c).rules.push({ ...structuredClone(rule(c)), prefix: 'other/' });
    },
    problems: [['sources[0].rules[1].name', 'rules[0] of this source already has this name']],
    fix: (c) => {
      rule(c, 1).name = 'other';
    },
  },
  {
    name: 'one deployment group deployed from two buckets',
    breaks: (c) => {
      rule(c).targets.push({
        bucket: 'artifacts-seoul-2',
        region: 'ap-northeast-2',
        deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip' },
      });
    },
    problems: [
      [
        'sources[0].rules[0].targets[2].bucket',
        'the deployment group web-prod (application web, ap-northeast-2) is already deployed from artifacts-seoul',
      ],
    ],
    fix: (c) => {
      target(c, 2).deploy = { application: 'web', deploymentGroup: 'web-canary', bundleType: 'zip' };
    },
  },
  {
    name: 'the same target twice in a rule',
    breaks: (c) => {
      rule(c).targets.push({ ...target(c, 1) });
    },
    problems: [['sources[0].rules[0].targets[2]', 'duplicates targets[1] of this rule']],
    fix: (c) => {
      target(c, 2).keyPrefix = 'archive/';
    },
  },
  {
    name: 'the same bucket and replica keys twice in a rule, spelt differently',
    breaks: (c) => {
      target(c, 1).keyPrefix = 'build_artifacts/';
      rule(c).targets.push({ bucket: 'artifacts-frankfurt', region: 'eu-central-1' });
    },
    problems: [
      [
        'sources[0].rules[0].targets[2]',
        'duplicates targets[1] of this rule (the same bucket and keyPrefix, so the same replica keys)',
      ],
    ],
    fix: (c) => {
      target(c, 1).keyPrefix = 'releases/';
    },
  },
  {
    name: 'the same target twice in a rule, once in another region',
    breaks: (c) => {
      rule(c).targets.push({ ...target(c, 1), region: 'eu-west-1' });
    },
    problems: [
      ['sources[0].rules[0].targets[2]', 'duplicates targets[1] of this rule'],
      [
        'sources[0].rules[0].targets[2].region',
        'artifacts-frankfurt is configured at sources[0].rules[0].targets[1] in eu-central-1',
      ],
    ],
    fix: (c) => {
      rule(c).targets.pop();
    },
  },
  {
    name: 'two rules sending one object to the same target',
    breaks: (c) => {
      source(c).rules.push({
        name: 'all-zips',
        suffix: '.zip',
        targets: [{ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }],
      });
    },
    problems: [
      [
        'sources[0].rules[1].targets[0]',
        'rules[0] also matches keys this rule matches (such as "build_artifacts/*.zip") and sends them to the same target (sources[0].rules[0].targets[0])',
      ],
    ],
    fix: (c) => {
      rule(c, 1).prefix = 'mobile/';
    },
  },
  {
    name: 'two rules writing one object onto the same replica key',
    breaks: (c) => {
      source(c).rules.push({
        name: 'web-only',
        prefix: 'build_artifacts/web/',
        targets: [{ bucket: 'artifacts-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/web/' }],
      });
    },
    problems: [
      [
        'sources[0].rules[1].targets[0]',
        'sources[0].rules[0].targets[1] writes them to the same replica keys in artifacts-frankfurt, so each such object would be copied twice onto one key',
      ],
    ],
    fix: (c) => {
      target(c, 0, 1).keyPrefix = 'web-releases/';
    },
  },

  // ── Loops ────────────────────────────────────────────────────────────────────────────────
  {
    name: 'a target that copies the object onto itself',
    breaks: (c) => {
      Object.assign(target(c, 1), {
        bucket: 'build-artifacts-oregon',
        region: 'us-west-2',
        keyPrefix: 'build_artifacts/',
      });
    },
    problems: [
      ['sources[0].rules[0].targets[1]', 'the target is the source bucket and leaves the key unchanged'],
    ],
    fix: (c) => {
      target(c, 1).keyPrefix = 'copies/';
    },
  },
  {
    name: 'a source feeding itself',
    breaks: (c) => {
      rule(c).targets.push({
        bucket: 'build-artifacts-oregon',
        region: 'us-west-2',
        keyPrefix: 'build_artifacts/copies/',
      });
    },
    problems: [
      [
        'sources[0].rules[0].targets[2]',
        'the replicas land in the source bucket itself (keys such as "build_artifacts/copies/*.zip"), where sources[0].rules[0] matches them again: a source feeding itself',
      ],
    ],
    fix: (c) => {
      target(c, 2).keyPrefix = 'copies/';
    },
  },
  {
    name: 'an A → B → A loop, named at both ends',
    breaks: (c) => {
      c.sources.push(
        frankfurtSource({
          bucket: 'build-artifacts-oregon',
          region: 'us-west-2',
          keyPrefix: 'build_artifacts/',
        }),
      );
    },
    problems: [
      [
        'sources[0].rules[0].targets[1]',
        'which sources[1].rules[0] sends back to build-artifacts-oregon (sources[1].rules[0].targets[0]), where sources[0].rules[0] matches them again: a loop build-artifacts-oregon → artifacts-frankfurt → build-artifacts-oregon',
      ],
      [
        'sources[1].rules[0].targets[0]',
        'a loop artifacts-frankfurt → build-artifacts-oregon → artifacts-frankfurt',
      ],
    ],
    fix: (c) => {
      target(c, 0, 0, 1).keyPrefix = 'from-frankfurt/';
    },
  },
  {
    name: 'an A → B → C → A loop',
    breaks: (c) => {
      c.sources.push(
        frankfurtSource({ bucket: 'artifacts-tokyo', region: 'ap-northeast-1', keyPrefix: 'in/' }),
      );
      c.sources.push({
        bucket: 'artifacts-tokyo',
        region: 'ap-northeast-1',
        rules: [
          {
            name: 'home',
            prefix: 'in/',
            targets: [
              { bucket: 'build-artifacts-oregon', region: 'us-west-2', keyPrefix: 'build_artifacts/' },
            ],
          },
        ],
      });
    },
    problems: [
      [
        'sources[0].rules[0].targets[1]',
        'which sources[2].rules[0] sends back to build-artifacts-oregon (sources[2].rules[0].targets[0]), where sources[0].rules[0] matches them again: a loop build-artifacts-oregon → artifacts-frankfurt → artifacts-tokyo → build-artifacts-oregon',
      ],
      [
        'sources[1].rules[0].targets[0]',
        'a loop artifacts-frankfurt → artifacts-tokyo → build-artifacts-oregon → artifacts-frankfurt',
      ],
      [
        'sources[2].rules[0].targets[0]',
        'a loop artifacts-tokyo → build-artifacts-oregon → artifacts-frankfurt → artifacts-tokyo',
      ],
    ],
    fix: (c) => {
      target(c, 0, 0, 2).keyPrefix = 'from-tokyo/';
    },
  },
];

describe('the bad-configuration corpus', () => {
  it('holds at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it('starts from a valid configuration', () => {
    expect(problemsOf(validConfig())).toEqual([]);
  });

  it.each(CASES)('reports $name at its exact path, and passes once fixed', ({ breaks, problems, fix }) => {
    // Arrange
    const config = structuredClone(validConfig()) as unknown as Config;
    breaks(config);

    // Act
    const reported = problemsOf(config);
    fix(config);
    const afterFix = problemsOf(config);

    // Assert
    expect(reported.map(pathOf)).toEqual(problems.map(([path]) => path));
    problems.forEach(([, fragment], index) => {
      expect(reported[index]).toContain(fragment);
    });
    expect(afterFix).toEqual([]);
  });
});

describe('the bad-file corpus: deep, huge and unparsable files are refused naming the file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-corpus-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const nestedJson = (depth: number): string => `{"sources":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  const nestedFlowYaml = (depth: number): string => `sources: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`;
  // Block sequences nested in the compact form (`- - - 1`), two bytes per level.
  const nestedBlockYaml = (depth: number): string => `sources:\n  ${'- '.repeat(depth)}1\n`;
  const huge = `{"sources":[],"pad":"${'x'.repeat(3 * 1024 * 1024)}"}`;
  const aliasBomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
    ...Array.from(
      { length: 8 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(',')}]`,
    ),
    'sources: [*i]',
    '',
  ].join('\n');
  const valid = validConfig();

  it.each<[name: string, file: string, text: () => string, path: string, fragment: string]>([
    [
      'JSON nested 2,000 levels deep',
      'deep.json',
      () => nestedJson(2000),
      `sources${'.a'.repeat(31)}`,
      'nested more than 32 levels deep',
    ],
    [
      'YAML nested 2,000 levels deep in flow style',
      'deep.yaml',
      () => nestedFlowYaml(2000),
      '(root)',
      'nested more than 32 levels deep (at line 1, column',
    ],
    [
      'YAML nested 2,000 levels deep in block style',
      'deep.yml',
      () => nestedBlockYaml(2000),
      '(root)',
      'nested more than 32 levels deep (at line',
    ],
    [
      'a 3 MiB JSON file',
      'huge.json',
      () => huge,
      '(root)',
      'a relay configuration is at most 1048576 bytes (1 MiB)',
    ],
    [
      'a 3 MiB YAML file',
      'huge.yaml',
      () => `# ${'x'.repeat(3 * 1024 * 1024)}\nsources: []\n`,
      '(root)',
      'a relay configuration is at most 1048576 bytes',
    ],
    [
      'text that is not JSON',
      'broken.json',
      () => '{ "sources": [ }',
      '(root)',
      'the file is not valid JSON',
    ],
    ['text that is not YAML', 'broken.yaml', () => 'sources: [\n', '(root)', 'the file is not valid YAML'],
    ['a YAML alias bomb', 'bomb.yaml', () => aliasBomb, '(root)', 'the file is not valid YAML'],
  ])('refuses %s', async (_name, file, text, path, fragment) => {
    // Arrange
    const bad = join(dir, file);
    await writeFile(bad, text());
    const good = join(dir, `good-${file}`);
    await writeFile(good, file.endsWith('.json') ? JSON.stringify(valid) : toYaml(valid));

    // Act
    const error = await loadConfig(bad).catch((err: unknown) => err);
    const loaded = await loadConfig(good);

    // Assert
    expect(error).toBeInstanceOf(ConfigInvalid);
    const problems = (error as ConfigInvalid).problems;
    expect(problems.map(pathOf)).toEqual([path]);
    expect(problems[0]).toContain(fragment);
    expect((error as ConfigInvalid).message).toContain(bad);
    expect(loaded.sources[0]?.bucket).toBe('build-artifacts-oregon');
  });

  it('reports the same problem at the same path in a YAML file as in JSON', async () => {
    // Arrange
    const config = { ...valid, defaults: { verify: 'etag' } };
    const yamlPath = join(dir, 'etag.yaml');
    const jsonPath = join(dir, 'etag.json');
    await writeFile(yamlPath, toYaml(config));
    await writeFile(jsonPath, JSON.stringify(config));

    // Act
    const fromYaml = await loadConfig(yamlPath).catch((err: unknown) => err);
    const fromJson = await loadConfig(jsonPath).catch((err: unknown) => err);

    // Assert
    expect((fromYaml as ConfigInvalid).problems).toEqual((fromJson as ConfigInvalid).problems);
    expect((fromYaml as ConfigInvalid).problems).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.rules\[0\]\.targets\[0\]: defaults\.verify is "etag" but this target is encrypted with SSE-KMS/,
      ),
    ]);
  });
});
