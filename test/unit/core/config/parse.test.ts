import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import { ConfigInvalid } from '../../../../core/errors.ts';
import { validConfig } from './valid-config.ts';

/** Parses `value` expecting failure; returns the problems. */
function problemsOf(value: unknown): readonly string[] {
  try {
    parseConfig(value, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigInvalid);
    return (err as ConfigInvalid).problems;
  }
  throw new Error('expected parseConfig to throw ConfigInvalid');
}

describe('parseConfig', () => {
  it('applies every default to a minimal valid configuration', () => {
    // Arrange
    const input = validConfig();

    // Act
    const config = parseConfig(input, 'test.json');

    // Assert
    expect(config.defaults).toEqual({
      maxConcurrency: 10,
      verify: 'auto',
      multipartThresholdBytes: 5 * 1024 ** 3,
      partSizeBytes: 64 * 1024 ** 2,
    });
    const [seoul, frankfurt] = config.sources[0]!.rules[0]!.targets;
    expect(seoul?.deploy?.waitTimeoutSeconds).toBe(3600);
    expect(frankfurt?.encryption).toEqual({ type: 'SSE-S3' });
  });

  it('leaves delete propagation off unless a rule asks for it, and refuses a value that is not a boolean', () => {
    // Arrange
    const input = validConfig();
    const asked = validConfig();
    asked.sources[0]!.rules[0]!.propagateDeletes = true;
    const wrong = validConfig() as unknown as { sources: Array<{ rules: Array<Record<string, unknown>> }> };
    wrong.sources[0]!.rules[0]!.propagateDeletes = 'yes';

    // Act
    const byDefault = parseConfig(input, 'test.json');
    const optedIn = parseConfig(asked, 'test.json');
    const problems = problemsOf(wrong);

    // Assert
    expect(byDefault.sources[0]!.rules[0]!.propagateDeletes).toBe(false);
    expect(optedIn.sources[0]!.rules[0]!.propagateDeletes).toBe(true);
    expect(problems.join('\n')).toContain('sources[0].rules[0].propagateDeletes');
  });

  it('accepts a $schema member and a multipart threshold lowered to 1 MiB for tests', () => {
    // Arrange
    const input = {
      $schema: './relay.schema.json',
      ...validConfig(),
      defaults: { multipartThresholdBytes: 1024 * 1024 },
    };

    // Act
    const config = parseConfig(input, 'test.json');

    // Assert
    expect(config.defaults.multipartThresholdBytes).toBe(1024 * 1024);
  });

  it('lists every problem at once, structural and cross-field, each with its path', () => {
    // Arrange
    const input = {
      sources: [
        {
          bucket: 'Build_Artifacts',
          region: 'oregon',
          rules: [
            {
              name: 'web',
              targets: [
                {
                  bucket: 'artifacts-seoul',
                  region: 'ap-northeast-2',
                  encryption: { type: 'aws:kms', kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/abc' },
                },
                { bucket: 'artifacts-seoul', region: 'ap-northeast-2', storageClass: 'FAST' },
              ],
            },
          ],
        },
      ],
      defaults: { maxConcurrency: 0 },
    };

    // Act
    const problems = problemsOf(input);

    // Assert
    expect(problems).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.bucket: a bucket name may only contain lowercase letters.*got "Build_Artifacts"/,
      ),
      expect.stringMatching(
        /^sources\[0\]\.region: not an AWS region code \(got "oregon"; allowed: a region code such as us-west-2/,
      ),
      expect.stringMatching(
        /^sources\[0\]\.rules\[0\]\.targets\[0\]\.encryption\.kmsKeyArn: the KMS key is in us-east-1 but the target is in ap-northeast-2.*allowed: a key ARN in ap-northeast-2/,
      ),
      expect.stringMatching(/^sources\[0\]\.rules\[0\]\.targets\[1\]: duplicates targets\[0\] of this rule/),
      expect.stringMatching(
        /^sources\[0\]\.rules\[0\]\.targets\[1\]\.storageClass: is not an allowed value \(got "FAST"; allowed: "STANDARD"/,
      ),
      expect.stringMatching(/^defaults\.maxConcurrency: is too small \(got 0; allowed: >= 1\)$/),
    ]);
  });

  it.each<[string, (config: Record<string, unknown>) => void, RegExp]>([
    [
      'an unknown key, suggesting the likely one',
      (c) => {
        target(c, 0).keyprefix = 'x/';
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.keyprefix: unknown key \(did you mean "keyPrefix"\?\) \(got "x\/"; allowed: bucket, region, account, keyPrefix, encryption, storageClass, acl, deploy\)$/,
    ],
    [
      'an unknown encryption type',
      (c) => {
        target(c, 1).encryption = { type: 'SSE-KMS' };
      },
      /^sources\[0\]\.rules\[0\]\.targets\[1\]\.encryption\.type: is not an allowed value \(got "SSE-KMS"; allowed: "SSE-S3", "aws:kms"\)$/,
    ],
    [
      'a KMS key on an SSE-S3 target',
      (c) => {
        target(c, 1).encryption = {
          type: 'SSE-S3',
          kmsKeyArn: 'arn:aws:kms:eu-central-1:000000000000:key/abc',
        };
      },
      /^sources\[0\]\.rules\[0\]\.targets\[1\]\.encryption\.kmsKeyArn: unknown key \(got "arn:aws:kms:eu-central-1:000000000000:key\/abc"; allowed: type\)$/,
    ],
    [
      'a misspelt top-level member',
      (c) => {
        c.default = { verify: 'etag' };
      },
      /^default: unknown key \(did you mean "defaults"\?\) \(got \{"verify":"etag"\}; allowed: \$schema, sources, defaults, alarms, waves\)$/,
    ],
    [
      'a KMS key ARN that is not an ARN',
      (c) => {
        target(c, 0).encryption = { type: 'aws:kms', kmsKeyArn: 'alias/web' };
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.encryption\.kmsKeyArn: not a KMS key ARN \(got "alias\/web"; allowed: arn:aws:kms:/,
    ],
    [
      'a missing KMS key ARN',
      (c) => {
        target(c, 0).encryption = { type: 'aws:kms' };
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.encryption\.kmsKeyArn: is required \(allowed: a string\)$/,
    ],
    [
      'an account id that is not 12 digits',
      (c) => {
        target(c, 0).account = '1234';
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.account: not a 12-digit AWS account id \(got "1234"; allowed: 12 digits\)$/,
    ],
    [
      'a public ACL',
      (c) => {
        target(c, 0).acl = 'public-read';
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.acl: is not an allowed value \(got "public-read"; allowed: "bucket-owner-full-control", "bucket-owner-read", "private"\)$/,
    ],
    [
      'an unknown bundle type',
      (c) => {
        (target(c, 0).deploy as Record<string, unknown>).bundleType = 'rar';
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.deploy\.bundleType: is not an allowed value \(got "rar"; allowed: "zip", "tar", "tgz", "YAML", "JSON"\)$/,
    ],
    [
      'a deploy without a deployment group',
      (c) => {
        target(c, 0).deploy = { application: 'web', bundleType: 'zip' };
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.deploy\.deploymentGroup: is required/,
    ],
    [
      'an archived storage class on a deploying target',
      (c) => {
        target(c, 0).storageClass = 'DEEP_ARCHIVE';
      },
      /^sources\[0\]\.rules\[0\]\.targets\[0\]\.storageClass: CodeDeploy cannot read an archived object/,
    ],
    [
      'a target that copies the object onto itself',
      (c) => {
        Object.assign(target(c, 1), {
          bucket: 'build-artifacts-oregon',
          region: 'us-west-2',
          keyPrefix: 'build_artifacts/',
        });
      },
      /^sources\[0\]\.rules\[0\]\.targets\[1\]: the target is the source bucket and leaves the key unchanged/,
    ],
    [
      'a target naming a source bucket in another region',
      (c) => {
        Object.assign(target(c, 1), { bucket: 'build-artifacts-oregon', region: 'eu-central-1' });
      },
      /^sources\[0\]\.rules\[0\]\.targets\[1\]\.region: build-artifacts-oregon is configured as sources\[0\] in us-west-2; a bucket has exactly one region \(got "eu-central-1"; allowed: us-west-2\)$/,
    ],
    [
      'a rule without targets',
      (c) => {
        rule(c).targets = [];
      },
      /^sources\[0\]\.rules\[0\]\.targets: a rule without targets relays nothing/,
    ],
    [
      'an empty prefix',
      (c) => {
        rule(c).prefix = '';
      },
      /^sources\[0\]\.rules\[0\]\.prefix: must not be empty \(omit it instead\) \(got ""; allowed: at least 1 character\)$/,
    ],
    [
      'a prefix longer than an S3 key',
      (c) => {
        rule(c).prefix = 'é'.repeat(513);
      },
      /^sources\[0\]\.rules\[0\]\.prefix: prefix is 1026 bytes long in UTF-8 \(got "é+\.\.\.; allowed: at most 1024 bytes\)$/,
    ],
    [
      'a rule name with spaces',
      (c) => {
        rule(c).name = 'web bundles';
      },
      /^sources\[0\]\.rules\[0\]\.name: a rule name is 1-64 characters/,
    ],
    [
      'two rules with the same name',
      (c) => {
        source(c).rules = [rule(c), { ...rule(c), prefix: 'other/' }];
      },
      /^sources\[0\]\.rules\[1\]\.name: rules\[0\] of this source already has this name/,
    ],
    [
      'a source configured twice',
      (c) => {
        c.sources = [source(c), source(c)];
      },
      /^sources\[1\]\.bucket: the bucket is already configured as sources\[0\]/,
    ],
    [
      'an enabled tag convention with an empty allowlist',
      (c) => {
        source(c).targetBucketTag = { enabled: true, allowedBuckets: [] };
      },
      /^sources\[0\]\.targetBucketTag\.allowedBuckets: the tag is enabled but no bucket is allowed/,
    ],
    [
      'an allowlist glob with characters a bucket cannot have',
      (c) => {
        source(c).targetBucketTag = { enabled: true, allowedBuckets: ['Artifacts_*'] };
      },
      /^sources\[0\]\.targetBucketTag\.allowedBuckets\[0\]: not a bucket glob \(got "Artifacts_\*"/,
    ],
    [
      'a reserved bucket name suffix',
      (c) => {
        target(c, 1).bucket = 'artifacts-s3alias';
      },
      /^sources\[0\]\.rules\[0\]\.targets\[1\]\.bucket: a bucket name must not end with the reserved suffix "-s3alias"/,
    ],
    [
      'a bucket name formatted as an IP address',
      (c) => {
        target(c, 1).bucket = '192.168.5.4';
      },
      /^sources\[0\]\.rules\[0\]\.targets\[1\]\.bucket: a bucket name must not be formatted as an IP address/,
    ],
    [
      'a part size below the S3 minimum',
      (c) => {
        c.defaults = { partSizeBytes: 1024 };
      },
      /^defaults\.partSizeBytes: is too small \(got 1024; allowed: >= 5242880\)$/,
    ],
    [
      'a multipart threshold above what CopyObject can copy',
      (c) => {
        c.defaults = { multipartThresholdBytes: 6 * 1024 ** 3 };
      },
      /^defaults\.multipartThresholdBytes: is too big \(got 6442450944; allowed: <= 5368709120\)$/,
    ],
    [
      'an unknown verify mode',
      (c) => {
        c.defaults = { verify: 'md5' };
      },
      /^defaults\.verify: is not an allowed value \(got "md5"; allowed: "auto", "checksum", "etag", "stream"\)$/,
    ],
    [
      'a fractional concurrency',
      (c) => {
        c.defaults = { maxConcurrency: 2.5 };
      },
      /^defaults\.maxConcurrency: must be an integer \(got 2\.5\)$/,
    ],
    [
      'a copy time budget beyond a Lambda invocation',
      (c) => {
        c.defaults = { copyTimeBudgetSeconds: 900 };
      },
      /^defaults\.copyTimeBudgetSeconds: is too big \(got 900; allowed: <= 840\)$/,
    ],
    [
      'no sources',
      (c) => {
        c.sources = [];
      },
      /^sources: needs at least 1 item \(got \[\]; allowed: at least 1 item\)$/,
    ],
  ])('reports %s', (_label, mutate, expected) => {
    // Arrange
    const input = validConfig() as unknown as Record<string, unknown>;
    mutate(input);

    // Act
    const problems = problemsOf(input);

    // Assert
    expect(problems).toEqual([expect.stringMatching(expected)]);
  });

  it('reports a missing sources member and a value that is not an object', () => {
    // Arrange / Act
    const missing = problemsOf({});
    const notObject = problemsOf([]);

    // Assert
    expect(missing).toEqual(['sources: is required (allowed: an array)']);
    expect(notObject).toEqual(['(root): must be an object (got [])']);
  });

  it('reports an EventBridge pattern that would exceed 2,048 characters', () => {
    // Arrange
    const input = validConfig();
    const base = input.sources[0]!.rules[0]!;
    input.sources[0]!.rules = Array.from({ length: 30 }, (_, i) => ({
      ...base,
      name: `r${i}`,
      prefix: `p${i}-${'x'.repeat(60)}/`,
    }));

    // Act
    const problems = problemsOf(input);

    // Assert
    expect(problems).toEqual([
      expect.stringMatching(
        /^sources\[0\]\.rules: the rules' prefixes and suffixes make an EventBridge pattern of \d+ characters/,
      ),
    ]);
  });
});

function source(config: Record<string, unknown>): Record<string, unknown> {
  return (config.sources as Record<string, unknown>[])[0]!;
}

function rule(config: Record<string, unknown>): Record<string, unknown> {
  return (source(config).rules as Record<string, unknown>[])[0]!;
}

function target(config: Record<string, unknown>, index: number): Record<string, unknown> {
  return (rule(config).targets as Record<string, unknown>[])[index]!;
}
