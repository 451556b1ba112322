import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { parseUserParameters } from '../../../../core/pipeline/user-parameters.ts';

describe('parseUserParameters', () => {
  it('reads the rule, the destination key and the optional members', () => {
    // Arrange
    const raw = JSON.stringify({
      rule: 'web-bundles',
      destinationKey: 'build_artifacts/{pipeline}.zip',
      bundleType: 'tgz',
      region: 'us-west-2',
      pipelineExecutionId: 'e-1',
    });

    // Act
    const params = parseUserParameters(raw);

    // Assert
    expect(params).toEqual({
      rule: 'web-bundles',
      destinationKey: 'build_artifacts/{pipeline}.zip',
      bundleType: 'tgz',
      region: 'us-west-2',
      pipelineExecutionId: 'e-1',
    });
  });

  it('refuses a missing rule, naming the member and what it should hold', () => {
    // Arrange
    const raw = JSON.stringify({ destinationKey: 'a.zip' });

    // Act
    const act = () => parseUserParameters(raw);

    // Assert
    expect(act).toThrow(InvalidInput);
    expect(act).toThrow(
      /UserParameters\.rule is missing.*"rule" is the name of a rule in the relay configuration/,
    );
  });

  it('refuses a misspelt member instead of ignoring it', () => {
    // Arrange
    const raw = JSON.stringify({ rule: 'r', destinationKey: 'a.zip', bundletype: 'zip' });

    // Act
    const act = () => parseUserParameters(raw);

    // Assert
    expect(act).toThrow(
      /unknown member\(s\) "bundletype".*Allowed members: rule, destinationKey, bundleType/,
    );
  });

  it('refuses a bundle type CodeDeploy does not have, listing the ones it has', () => {
    // Arrange
    const raw = JSON.stringify({ rule: 'r', destinationKey: 'a.zip', bundleType: 'rar' });

    // Act
    const act = () => parseUserParameters(raw);

    // Assert
    expect(act).toThrow(/UserParameters\.bundleType.*one of zip, tar, tgz, YAML, JSON/);
  });

  it.each([
    [undefined, /has no UserParameters/],
    ['', /has no UserParameters/],
    ['rule=web', /UserParameters is not JSON/],
    ['["web"]', /must be a JSON object.*got an array/],
  ])('refuses UserParameters %j', (raw, message) => {
    // Arrange / Act
    const act = () => parseUserParameters(raw);

    // Assert
    expect(act).toThrow(message);
  });

  it('refuses UserParameters longer than a configuration field may be', () => {
    // Arrange
    const raw = JSON.stringify({ rule: 'r', destinationKey: `${'k'.repeat(1000)}.zip` });

    // Act
    const act = () => parseUserParameters(raw);

    // Assert
    expect(act).toThrow(/CodePipeline allows 1000 per configuration field/);
  });
});
