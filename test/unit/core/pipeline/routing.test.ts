import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import { InvalidDestinationKey, InvalidInput } from '../../../../core/errors.ts';
import { normalizeInput } from '../../../../core/events/normalize.ts';
import { destinationKey, resolvePipelineTargets } from '../../../../core/routing.ts';
import { validConfig } from '../config/valid-config.ts';

const ARTIFACT = { bucket: 'codepipeline-us-west-2-1234567890', key: 'web-release/BuildOutpu/Ab3dE9x' };

function config() {
  const input = validConfig();
  const rule = input.sources[0]!.rules[0]!;
  // Both targets write under build_artifacts/ (Frankfurt's keyPrefix would need releases/).
  rule.targets[1] = { bucket: 'artifacts-frankfurt', region: 'eu-central-1' };
  return parseConfig(input, 'test');
}

describe('resolvePipelineTargets', () => {
  it("gives every target of the named rule the one destination key and the action's bundle type", () => {
    // Arrange
    const relay = config();

    // Act
    const resolution = resolvePipelineTargets(relay, {
      rule: 'web-bundles',
      destinationKey: 'build_artifacts/web-release/e-1.zip',
      bundleType: 'tgz',
    });

    // Assert
    expect(resolution.targets.map((t) => t.id)).toEqual([
      'artifacts-seoul@ap-northeast-2',
      'artifacts-frankfurt@eu-central-1',
    ]);
    expect(resolution.targets.map((t) => t.destinationKey)).toEqual([
      'build_artifacts/web-release/e-1.zip',
      'build_artifacts/web-release/e-1.zip',
    ]);
    expect(resolution.targets[0]!.deploy?.bundleType).toBe('tgz');
    expect(resolution.targets[0]!.deploy?.application).toBe('web');
    expect(resolution.targets[1]!.deploy).toBeUndefined();
  });

  it("maps the destination key through each target's keyPrefix, as the rule maps an S3 event's key", () => {
    // Arrange: the example's Frankfurt target writes under releases/
    const relay = parseConfig(validConfig(), 'test');

    // Act
    const resolution = resolvePipelineTargets(relay, {
      rule: 'web-bundles',
      destinationKey: 'build_artifacts/web-release/e-1.zip',
    });

    // Assert
    expect(resolution.targets.map((t) => [t.keyPrefix ?? null, t.destinationKey])).toEqual([
      [null, 'build_artifacts/web-release/e-1.zip'],
      ['releases/', 'releases/web-release/e-1.zip'],
    ]);
  });

  it('names the rules there are when no rule has the name', () => {
    // Arrange
    const relay = config();

    // Act
    const act = () => resolvePipelineTargets(relay, { rule: 'web', destinationKey: 'build_artifacts/a.zip' });

    // Assert
    expect(act).toThrow(InvalidInput);
    expect(act).toThrow(/No rule of the relay configuration is named "web".*one of: web-bundles/);
  });

  it('refuses a destination key the rule does not relay, saying which keys it does', () => {
    // Arrange
    const relay = config();

    // Act
    const act = () =>
      resolvePipelineTargets(relay, { rule: 'web-bundles', destinationKey: 'releases/a.zip' });

    // Assert
    expect(act).toThrow(InvalidDestinationKey);
    expect(act).toThrow(/must start with "build_artifacts\/" and end with "\.zip"/);
  });

  it('narrows to the selected targets', () => {
    // Arrange
    const relay = config();

    // Act
    const resolution = resolvePipelineTargets(
      relay,
      { rule: 'web-bundles', destinationKey: 'build_artifacts/a.zip' },
      { only: ['artifacts-frankfurt'] },
    );

    // Assert
    expect(resolution.targets.map((t) => t.bucket)).toEqual(['artifacts-frankfurt']);
  });
});

describe('destinationKey of a pipeline target', () => {
  it('is exactly the destination key, whatever the artifact key and prefixes', () => {
    // Arrange
    const target = {
      keyPrefix: 'releases/',
      sourcePrefix: 'build_artifacts/',
      destinationKey: 'releases/app.zip',
    };

    // Act
    const key = destinationKey(target, ARTIFACT.key);

    // Assert
    expect(key).toBe('releases/app.zip');
  });
});

describe('normalizeInput with a pipeline request', () => {
  it('carries the routing of a pipeline artifact', () => {
    // Arrange
    const input = {
      ...ARTIFACT,
      pipeline: { rule: 'web-bundles', destinationKey: 'build_artifacts/a.zip', region: 'us-west-2' },
    };

    // Act
    const request = normalizeInput(input);

    // Assert
    expect(request.pipeline).toEqual(input.pipeline);
    expect(request.bucket).toBe(ARTIFACT.bucket);
  });

  it.each([
    [{ rule: 'r', destinationKey: 'k', region: 'mars-1' }, /pipeline\.region "mars-1" is not an AWS region/],
    [{ rule: 'r', destinationKey: 'k', region: 'us-west-2', extra: 1 }, /unknown member\(s\) extra/],
    [{ rule: 'r', region: 'us-west-2' }, /pipeline\.destinationKey is missing/],
    [{ rule: 'r', destinationKey: 'k'.repeat(1025), region: 'us-west-2' }, /1025 bytes long/],
  ])('refuses the pipeline routing %j', (pipeline, message) => {
    // Arrange / Act
    const act = () => normalizeInput({ ...ARTIFACT, pipeline });

    // Assert
    expect(act).toThrow(message);
  });
});
