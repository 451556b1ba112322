import { describe, expect, it } from 'vitest';
import { FailureInjector, InvalidFailureRuleError } from '../../../../local/codedeploy/failures.ts';

describe('FailureInjector', () => {
  it('succeeds every deployment when no rule is set', () => {
    // Arrange
    const failures = new FailureInjector();

    // Act
    const outcome = failures.take('us-east-1', 'web', 'prod');

    // Assert
    expect(outcome).toEqual({ status: 'Succeeded' });
  });

  it('matches on region, application and group', () => {
    // Arrange
    const failures = new FailureInjector();
    failures.add({
      region: 'eu-west-1',
      applicationName: 'web',
      deploymentGroupName: 'prod',
      code: 'TIMEOUT',
    });

    // Act
    const otherRegion = failures.take('us-east-1', 'web', 'prod');
    const otherApp = failures.take('eu-west-1', 'api', 'prod');
    const match = failures.take('eu-west-1', 'web', 'prod');

    // Assert
    expect(otherRegion.status).toBe('Succeeded');
    expect(otherApp.status).toBe('Succeeded');
    expect(match).toEqual({ status: 'Failed', code: 'TIMEOUT', message: 'The deployment timed out.' });
  });

  it('uses rules in the order they were added', () => {
    // Arrange
    const failures = new FailureInjector();
    failures.add({ code: 'FIRST', message: 'one' });
    failures.add({ code: 'SECOND', message: 'two' });

    // Act
    const codes = [
      failures.take('r', 'a', 'g'),
      failures.take('r', 'a', 'g'),
      failures.take('r', 'a', 'g'),
    ].map((o) => (o.status === 'Failed' ? o.code : o.status));

    // Assert
    expect(codes).toEqual(['FIRST', 'SECOND', 'Succeeded']);
  });

  it('refuses a non-positive count', () => {
    // Arrange
    const failures = new FailureInjector();

    // Act
    const add = () => failures.add({ times: 0 });

    // Assert
    expect(add).toThrow(InvalidFailureRuleError);
  });
});
