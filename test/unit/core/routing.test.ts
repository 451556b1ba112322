import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../core/config/parse.ts';
import { type RelayConfigInput, relayConfigSchema } from '../../../core/config/schema.ts';
import { InvalidDestinationKey } from '../../../core/errors.ts';
import {
  destinationKey,
  isReplica,
  matchRules,
  resolveDeleteTargets,
  resolveTargets,
  ruleMatchesKey,
  targetId,
} from '../../../core/routing.ts';
import { validConfig } from './config/valid-config.ts';

function config(mutate: (input: RelayConfigInput) => void = () => {}) {
  const input = validConfig();
  mutate(input);
  return parseConfig(input, 'test');
}

const SOURCE = 'build-artifacts-oregon';

describe('matchRules', () => {
  it('matches a key with the rule prefix and suffix', () => {
    // Arrange
    const relay = config();

    // Act
    const matched = matchRules(relay, { bucket: SOURCE, key: 'build_artifacts/web 1.2.zip' });

    // Assert
    expect(matched.map((m) => m.rule.name)).toEqual(['web-bundles']);
    expect(matched[0]!.targets.map((t) => t.bucket)).toEqual(['artifacts-seoul', 'artifacts-frankfurt']);
  });

  it.each(['build_artifacts/web.tar', 'other/web.zip', 'web.zip', 'Build_artifacts/web.zip'])(
    'does not match %s',
    (key) => {
      // Arrange
      const relay = config();

      // Act
      const matched = matchRules(relay, { bucket: SOURCE, key });

      // Assert
      expect(matched).toEqual([]);
    },
  );

  it('matches nothing for a bucket that is not a source', () => {
    // Arrange / Act
    const matched = matchRules(config(), { bucket: 'someone-else', key: 'build_artifacts/web.zip' });

    // Assert
    expect(matched).toEqual([]);
  });

  it('does not let the prefix and suffix overlap, like the EventBridge wildcard', () => {
    // Arrange
    const rule = { prefix: 'ab', suffix: 'bc' };

    // Act / Assert
    expect(ruleMatchesKey(rule, 'abc')).toBe(false);
    expect(ruleMatchesKey(rule, 'abbc')).toBe(true);
    expect(ruleMatchesKey({}, '')).toBe(true);
  });
});

describe('targetId', () => {
  it('is bucket@region, with the key prefix when there is one', () => {
    // Arrange / Act / Assert
    expect(targetId({ bucket: 'artifacts-seoul', region: 'ap-northeast-2' })).toBe(
      'artifacts-seoul@ap-northeast-2',
    );
    expect(targetId({ bucket: 'artifacts-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/' })).toBe(
      'artifacts-frankfurt@eu-central-1/releases/',
    );
    expect(targetId({ bucket: 'a-b-c', region: 'eu-central-1', keyPrefix: '' })).toBe('a-b-c@eu-central-1/');
  });
});

describe('destinationKey', () => {
  it('keeps the key without a key prefix', () => {
    // Arrange / Act
    const key = destinationKey({ sourcePrefix: 'build_artifacts/' }, 'build_artifacts/web.zip');

    // Assert
    expect(key).toBe('build_artifacts/web.zip');
  });

  it("replaces the rule's prefix with the key prefix", () => {
    // Arrange / Act
    const key = destinationKey(
      { keyPrefix: 'releases/', sourcePrefix: 'build_artifacts/' },
      'build_artifacts/a b/web.zip',
    );

    // Assert
    expect(key).toBe('releases/a b/web.zip');
  });

  it('prepends the key prefix when the rule has none, and strips the prefix with an empty one', () => {
    // Arrange / Act / Assert
    expect(destinationKey({ keyPrefix: 'copies/', sourcePrefix: '' }, 'web.zip')).toBe('copies/web.zip');
    expect(
      destinationKey({ keyPrefix: '', sourcePrefix: 'build_artifacts/' }, 'build_artifacts/web.zip'),
    ).toBe('web.zip');
  });

  it('accepts a destination key of exactly 1,024 bytes and refuses 1,025', () => {
    // Arrange
    const prefix = 'releases/';
    const fits = `build_artifacts/${'é'.repeat((1024 - prefix.length - 1) / 2)}x`;
    const tooLong = `${fits}y`;
    const target = {
      keyPrefix: prefix,
      sourcePrefix: 'build_artifacts/',
      id: 'artifacts-frankfurt@eu-central-1/releases/',
    };

    // Act
    const key = destinationKey(target, fits);
    const act = () => destinationKey(target, tooLong);

    // Assert
    expect(Buffer.byteLength(key)).toBe(1024);
    expect(act).toThrow(InvalidDestinationKey);
    expect(act).toThrow(/artifacts-frankfurt@eu-central-1\/releases\/ would be 1025 bytes/);
  });

  it('refuses an empty destination key', () => {
    // Arrange / Act
    const act = () => destinationKey({ keyPrefix: '', sourcePrefix: 'build_artifacts/' }, 'build_artifacts/');

    // Assert
    expect(act).toThrow(InvalidDestinationKey);
  });
});

describe('isReplica', () => {
  it('recognises the relay-source metadata in any letter case', () => {
    // Arrange / Act / Assert
    expect(isReplica({ 'relay-source': 'build-artifacts-oregon/build_artifacts/web.zip' })).toBe(true);
    expect(isReplica({ 'Relay-Source': 'x/y' })).toBe(true);
    expect(isReplica({ 'relay-sequencer': '00AB' })).toBe(false);
    expect(isReplica({})).toBe(false);
    expect(isReplica(undefined)).toBe(false);
  });
});

describe('resolveTargets', () => {
  it('resolves the targets of every matching rule with ids and origins', () => {
    // Arrange
    const relay = config();

    // Act
    const resolution = resolveTargets(relay, { bucket: SOURCE, key: 'build_artifacts/web.zip' });

    // Assert
    expect(resolution.reason).toBeUndefined();
    expect(resolution.matchedRules).toEqual(['web-bundles']);
    expect(resolution.targets.map((t) => [t.id, t.sourcePrefix, t.origin])).toEqual([
      ['artifacts-seoul@ap-northeast-2', 'build_artifacts/', { kind: 'rule', rule: 'web-bundles' }],
      [
        'artifacts-frankfurt@eu-central-1/releases/',
        'build_artifacts/',
        { kind: 'rule', rule: 'web-bundles' },
      ],
    ]);
    expect(resolution.targets[0]!.encryption.type).toBe('aws:kms');
  });

  it('says why nothing is relayed', () => {
    // Arrange
    const relay = config();

    // Act
    const unknown = resolveTargets(relay, { bucket: 'other-bucket', key: 'build_artifacts/web.zip' });
    const noRule = resolveTargets(relay, { bucket: SOURCE, key: 'logs/today.txt' });

    // Assert
    expect(unknown).toEqual({ targets: [], matchedRules: [], rejected: [], reason: 'unknown-source' });
    expect(noRule).toEqual({ targets: [], matchedRules: [], rejected: [], reason: 'no-rule' });
  });

  it('keeps the first of two identical targets reached through two rules, which validation refuses', () => {
    // Arrange: only the schema, since parseConfig reports the overlap (routing stays defensive)
    const input = validConfig();
    input.sources[0]!.rules.push({
      name: 'all-zips',
      suffix: '.zip',
      targets: [{ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }],
    });
    expect(() => parseConfig(input, 'test')).toThrow(/sends them to the same target/);
    const relay = relayConfigSchema.parse(input);

    // Act
    const resolution = resolveTargets(relay, { bucket: SOURCE, key: 'build_artifacts/web.zip' });

    // Assert
    expect(resolution.matchedRules).toEqual(['web-bundles', 'all-zips']);
    expect(resolution.targets.map((t) => t.id)).toEqual([
      'artifacts-seoul@ap-northeast-2',
      'artifacts-frankfurt@eu-central-1/releases/',
    ]);
    expect(resolution.targets[0]!.encryption.type).toBe('aws:kms');
  });

  it('adds allowlisted tag targets, defaulting to the source region, and reports refused entries', () => {
    // Arrange
    const relay = config((input) => {
      input.sources[0]!.targetBucketTag = {
        enabled: true,
        allowedBuckets: ['artifacts-*', 'mirror-??@eu-west-1'],
      };
    });
    const tag =
      'artifacts-oregon-copy  mirror-01@eu-west-1 mirror-01@us-east-1 evil-exfil artifacts-seoul@ap-northeast-2 Bad_Name';

    // Act
    const resolution = resolveTargets(
      relay,
      { bucket: SOURCE, key: 'build_artifacts/web.zip' },
      { bucketTagValue: tag },
    );

    // Assert
    expect(resolution.targets.map((t) => [t.id, t.origin.kind, t.encryption.type])).toEqual([
      ['artifacts-seoul@ap-northeast-2', 'rule', 'aws:kms'],
      ['artifacts-frankfurt@eu-central-1/releases/', 'rule', 'SSE-S3'],
      ['artifacts-oregon-copy@us-west-2', 'tag', 'SSE-S3'],
      ['mirror-01@eu-west-1', 'tag', 'SSE-S3'],
    ]);
    expect(resolution.rejected.map((r) => [r.entry, r.reason])).toEqual([
      ['mirror-01@us-east-1', 'not-allowed'],
      ['evil-exfil', 'not-allowed'],
      ['Bad_Name', 'malformed'],
    ]);
  });

  it('refuses every tag entry when the source does not enable the tag', () => {
    // Arrange
    const relay = config();

    // Act
    const resolution = resolveTargets(
      relay,
      { bucket: SOURCE, key: 'build_artifacts/web.zip' },
      { bucketTagValue: 'artifacts-tokyo@ap-northeast-1' },
    );

    // Assert
    expect(resolution.targets).toHaveLength(2);
    expect(resolution.rejected).toEqual([
      expect.objectContaining({
        from: 'tag',
        entry: 'artifacts-tokyo@ap-northeast-1',
        reason: 'tag-disabled',
      }),
    ]);
  });

  it('uses tag targets for a rule that has none of its own', () => {
    // Arrange
    const relay = config((input) => {
      input.sources[0]!.rules = [{ name: 'tagged', prefix: 'build_artifacts/', targets: [] }];
      input.sources[0]!.targetBucketTag = { enabled: true, allowedBuckets: ['artifacts-*'] };
    });

    // Act
    const tagged = resolveTargets(
      relay,
      { bucket: SOURCE, key: 'build_artifacts/x.zip' },
      { bucketTagValue: 'artifacts-a' },
    );
    const untagged = resolveTargets(relay, { bucket: SOURCE, key: 'build_artifacts/x.zip' });

    // Assert
    expect(tagged.targets.map((t) => t.id)).toEqual(['artifacts-a@us-west-2']);
    expect(untagged).toMatchObject({ targets: [], matchedRules: ['tagged'], reason: 'no-targets' });
  });

  it('narrows to an explicit selection and reports selections that name no target', () => {
    // Arrange
    const relay = config();

    // Act
    const resolution = resolveTargets(
      relay,
      { bucket: SOURCE, key: 'build_artifacts/web.zip' },
      { only: ['artifacts-frankfurt@eu-central-1', 'artifacts-seoul@us-east-1', 'unapproved-bucket'] },
    );

    // Assert
    expect(resolution.targets.map((t) => t.id)).toEqual(['artifacts-frankfurt@eu-central-1/releases/']);
    expect(resolution.rejected.map((r) => [r.from, r.entry, r.reason])).toEqual([
      ['request', 'artifacts-seoul@us-east-1', 'not-configured'],
      ['request', 'unapproved-bucket', 'not-configured'],
    ]);
  });

  it('reports no-target when the selection matches nothing', () => {
    // Arrange
    const relay = config();

    // Act
    const resolution = resolveTargets(
      relay,
      { bucket: SOURCE, key: 'build_artifacts/web.zip' },
      { only: ['nowhere-bucket'] },
    );

    // Assert
    expect(resolution.targets).toEqual([]);
    expect(resolution.reason).toBe('no-targets');
  });
});

describe('resolveDeleteTargets', () => {
  const KEY = { bucket: SOURCE, key: 'build_artifacts/web.zip' };

  it('resolves no delete target for a rule that does not propagate deletes (the default)', () => {
    // Arrange
    const relay = config();

    // Act
    const resolution = resolveDeleteTargets(relay, KEY);

    // Assert
    expect(relay.sources[0]!.rules[0]!.propagateDeletes).toBe(false);
    expect(resolution).toEqual({ targets: [], matchedRules: [], rejected: [], reason: 'no-rule' });
  });

  it('resolves the targets of the matching rules that propagate deletes, and only theirs', () => {
    // Arrange
    const relay = config((input) => {
      const rules = input.sources[0]!.rules;
      rules[0]!.propagateDeletes = true;
      rules.push({
        name: 'mirror',
        prefix: 'build_artifacts/',
        targets: [{ bucket: 'artifacts-mirror', region: 'us-east-1' }],
      });
    });

    // Act
    const resolution = resolveDeleteTargets(relay, KEY);

    // Assert
    expect(resolution.matchedRules).toEqual(['web-bundles']);
    expect(resolution.targets.map((target) => target.id)).toEqual([
      'artifacts-seoul@ap-northeast-2',
      'artifacts-frankfurt@eu-central-1/releases/',
    ]);
    expect(resolution.targets[1]!.sourcePrefix).toBe('build_artifacts/');
  });

  it('never resolves TargetBucket tag targets for a deletion', () => {
    // Arrange
    const relay = config((input) => {
      input.sources[0]!.rules[0]!.propagateDeletes = true;
      input.sources[0]!.targetBucketTag = { enabled: true, allowedBuckets: ['artifacts-*'] };
    });

    // Act
    const resolution = resolveDeleteTargets(relay, KEY);
    const relayed = resolveTargets(relay, KEY, { bucketTagValue: 'artifacts-tokyo@ap-northeast-1' });

    // Assert
    expect(relayed.targets.map((target) => target.bucket)).toContain('artifacts-tokyo');
    expect(resolution.targets.map((target) => target.bucket)).not.toContain('artifacts-tokyo');
  });

  it('resolves nothing for an unknown source or a key no propagating rule matches', () => {
    // Arrange
    const relay = config((input) => {
      input.sources[0]!.rules[0]!.propagateDeletes = true;
    });

    // Act
    const unknown = resolveDeleteTargets(relay, { bucket: 'elsewhere', key: 'build_artifacts/web.zip' });
    const unmatched = resolveDeleteTargets(relay, { bucket: SOURCE, key: 'build_artifacts/web.tar' });

    // Assert
    expect(unknown.reason).toBe('unknown-source');
    expect(unmatched.reason).toBe('no-rule');
  });
});
