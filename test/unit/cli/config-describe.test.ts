import { describe, expect, it } from 'vitest';
import { describeConfig, describeTagRule } from '../../../cli/render/config.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import type { RelayConfigInput } from '../../../core/config/schema.ts';

function config(
  extra: Partial<RelayConfigInput> = {},
  tag?: RelayConfigInput['sources'][number]['targetBucketTag'],
) {
  return parseConfig(
    {
      sources: [
        {
          bucket: 'build-artifacts-oregon',
          region: 'us-west-2',
          rules: [
            {
              name: 'web',
              prefix: 'web/',
              targets: [{ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }],
            },
            {
              name: 'api',
              prefix: 'api/',
              targets: [{ bucket: 'artifacts-frankfurt', region: 'eu-central-1' }],
            },
          ],
          ...(tag === undefined ? {} : { targetBucketTag: tag }),
        },
      ],
      ...extra,
    },
    'test.json',
  );
}

describe('relay config validate, in words', () => {
  it('prints the tag rule of a source that enables it, saying it applies to every rule of the source', () => {
    // Arrange
    const relay = config({}, { enabled: true, allowedBuckets: ['artifacts-*', 'backup-?@eu-west-1'] });

    // Act
    const lines = describeConfig(relay);

    // Assert
    expect(lines).toEqual([
      '  s3://build-artifacts-oregon (us-west-2)',
      '    TargetBucket tag → any of artifacts-*, backup-?@eu-west-1 (entries without @region go to us-west-2); applies to every rule of this source: what any rule matches also goes there, same key, SSE-S3, not deployed',
      '    web: web/* → artifacts-seoul@ap-northeast-2',
      '    api: api/* → artifacts-frankfurt@eu-central-1',
    ]);
  });

  it('names a custom tag key', () => {
    // Arrange
    const source = config({}, { enabled: true, allowedBuckets: ['artifacts-*'], tagKey: 'RelayTo' })
      .sources[0]!;

    // Act
    const line = describeTagRule(source);

    // Assert
    expect(line).toMatch(/^RelayTo tag → any of artifacts-\* /);
  });

  it('prints no tag rule for a source whose tag is disabled or not configured', () => {
    // Act
    const disabled = describeTagRule(
      config({}, { enabled: false, allowedBuckets: ['artifacts-*'] }).sources[0]!,
    );
    const absent = describeTagRule(config().sources[0]!);

    // Assert
    expect([disabled, absent]).toEqual([undefined, undefined]);
  });

  it('says who the alarms notify when the configuration names someone', () => {
    // Act
    const lines = describeConfig(config({ alarms: { email: 'ops@example.com' } }));

    // Assert
    expect(lines.at(-1)).toBe('  alarms → e-mail to ops@example.com');
  });
});
