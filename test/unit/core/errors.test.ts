import { describe, expect, it } from 'vitest';
import {
  AccessDenied,
  ConfigInvalid,
  DeploymentFailed,
  DeploymentGroupBusy,
  InvalidInput,
  isRelayError,
  PERMANENT_ERROR_NAMES,
  RETRYABLE_ERROR_NAMES,
  RelayError,
  TransientAwsError,
} from '../../../core/errors.ts';

describe('relay errors', () => {
  it('carry their literal name, retryability and cause', () => {
    // Arrange
    const cause = new Error('socket hang up');

    // Act
    const error = new TransientAwsError('s3:CopyObject failed', {
      cause,
      awsCode: 'SlowDown',
      httpStatus: 503,
    });

    // Assert
    expect(error).toBeInstanceOf(RelayError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TransientAwsError');
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.awsCode).toBe('SlowDown');
    expect(error.httpStatus).toBe(503);
  });

  it('marks permanent errors as not retryable', () => {
    // Arrange / Act
    const denied = new AccessDenied('denied');
    const invalid = new InvalidInput('bad');

    // Assert
    expect(denied.retryable).toBe(false);
    expect(invalid.retryable).toBe(false);
    expect(denied.name).toBe('AccessDenied');
  });

  it('list every retryable name, and only retryable ones, for the state machine', () => {
    // Arrange
    const busy = new DeploymentGroupBusy('busy');
    const transient = new TransientAwsError('slow');

    // Act
    const names = [...RETRYABLE_ERROR_NAMES];

    // Assert
    expect(names).toEqual(expect.arrayContaining([busy.name, transient.name]));
    expect(names).toHaveLength(2);
    expect(PERMANENT_ERROR_NAMES.some((name) => (names as string[]).includes(name))).toBe(false);
  });

  it('list every problem of an invalid configuration in the message', () => {
    // Arrange
    const problems = [
      'sources[0].region: not an AWS region code (got "mars-1")',
      'defaults.verify: is not an allowed value',
    ];

    // Act
    const error = new ConfigInvalid('relay.config.json', problems);

    // Assert
    expect(error.name).toBe('ConfigInvalid');
    expect(error.problems).toEqual(problems);
    expect(error.message).toContain('relay.config.json (2 problems)');
    for (const problem of problems) expect(error.message).toContain(`  - ${problem}`);
  });

  it('keep the CodeDeploy error code of a failed deployment in their JSON form', () => {
    // Arrange
    const error = new DeploymentFailed('d-ABCDEF123', 'deployment d-ABCDEF123 failed', {
      deploymentErrorCode: 'SCRIPT_FAILED',
      deploymentStatus: 'Failed',
      operation: 'codedeploy:GetDeployment',
    });

    // Act
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;

    // Assert
    expect(json).toEqual({
      name: 'DeploymentFailed',
      message: 'deployment d-ABCDEF123 failed',
      retryable: false,
      operation: 'codedeploy:GetDeployment',
      deploymentId: 'd-ABCDEF123',
      deploymentErrorCode: 'SCRIPT_FAILED',
      deploymentStatus: 'Failed',
    });
  });

  it('are recognised by isRelayError, plain errors are not', () => {
    // Arrange
    const relay = new InvalidInput('x');
    const plain = Object.assign(new Error('x'), { retryable: true });

    // Act / Assert
    expect(isRelayError(relay)).toBe(true);
    expect(isRelayError(plain)).toBe(false);
  });
});
