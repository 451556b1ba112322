import { describe, expect, it } from 'vitest';
import { OUTPUT_VARIABLE_KEY_PATTERN } from '../../../../core/pipeline/limits.ts';
import { outputVariables } from '../../../../core/pipeline/variables.ts';
import { utf8Length } from '../../../../core/s3-limits.ts';
import { delivered } from './support.ts';

const ARN = 'arn:aws:states:us-west-2:111111111111:execution:relay:run-1';

function size(variables: Readonly<Record<string, string>>): number {
  return Object.entries(variables).reduce((total, [k, v]) => total + utf8Length(k) + utf8Length(v), 0);
}

describe('outputVariables', () => {
  it('gives each target its bucket, region, key, version and deployment, numbered in result order', () => {
    // Arrange
    const results = [
      delivered('artifacts-seoul', 'ap-northeast-2', { deployment: { id: 'd-123', status: 'Succeeded' } }),
      delivered('artifacts-frankfurt', 'eu-central-1'),
    ];

    // Act
    const { variables, truncated } = outputVariables(results, ARN);

    // Assert
    expect(truncated).toBe(false);
    expect(variables).toEqual({
      TargetCount: '2',
      RelayExecutionArn: ARN,
      Target1Bucket: 'artifacts-seoul',
      Target1Region: 'ap-northeast-2',
      Target1Status: 'copied',
      Target1Key: 'build_artifacts/app.zip',
      Target1VersionId: 'v-artifacts-seoul',
      Target1DeploymentId: 'd-123',
      Target2Bucket: 'artifacts-frankfurt',
      Target2Region: 'eu-central-1',
      Target2Status: 'copied',
      Target2Key: 'build_artifacts/app.zip',
      Target2VersionId: 'v-artifacts-frankfurt',
    });
  });

  it('uses only keys CodePipeline accepts', () => {
    // Arrange
    const results = [delivered('a-b.c', 'us-east-1', { deployment: { id: 'd-1', status: 'Succeeded' } })];

    // Act
    const { variables } = outputVariables(results, ARN);

    // Assert
    for (const key of Object.keys(variables)) expect(key).toMatch(OUTPUT_VARIABLE_KEY_PATTERN);
  });

  it('leaves whole targets out past the size cap and says how many are in', () => {
    // Arrange
    const results = Array.from({ length: 20 }, (_, i) => delivered(`bucket-${i}`, 'us-east-1'));
    const cap = 1000;

    // Act
    const outcome = outputVariables(results, ARN, cap);

    // Assert
    expect(outcome.truncated).toBe(true);
    expect(size(outcome.variables)).toBeLessThanOrEqual(cap);
    expect(outcome.variables.VariablesTruncated).toBe('true');
    expect(outcome.variables.TargetsInVariables).toBe(String(outcome.targetsIncluded));
    expect(outcome.variables[`Target${outcome.targetsIncluded}Bucket`]).toBeDefined();
    expect(outcome.variables[`Target${outcome.targetsIncluded + 1}Bucket`]).toBeUndefined();
    expect(outcome.variables.TargetCount).toBe('20');
  });

  it('stays within the documented cap for a large relay', () => {
    // Arrange
    const results = Array.from({ length: 2000 }, (_, i) =>
      delivered(`artifacts-bucket-${i}`, 'ap-southeast-2'),
    );

    // Act
    const outcome = outputVariables(results, ARN);

    // Assert
    expect(size(outcome.variables)).toBeLessThanOrEqual(122_880);
    expect(outcome.truncated).toBe(true);
  });
});
