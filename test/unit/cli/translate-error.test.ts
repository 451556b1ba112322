import { describe, expect, it } from 'vitest';
import { translateError } from '../../../cli/aws/translate-error.ts';
import { CliError } from '../../../cli/errors.ts';
import { ConfigInvalid } from '../../../core/errors.ts';

function named(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('translateError', () => {
  it('tells to start the local stack when nothing listens on a local endpoint', () => {
    // Arrange
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });

    // Act
    const error = translateError(refused, { endpoint: 'http://127.0.0.1:4566', isLocal: true });

    // Assert
    expect(error).toBeInstanceOf(CliError);
    expect(error.message).toMatch(
      /^nothing is listening on http:\/\/127\.0\.0\.1:4566 — start it with `npx relay local`/,
    );
  });

  it('finds a network error in the causes', () => {
    // Arrange
    const wrapped = new Error('request failed', {
      cause: Object.assign(new Error('x'), { code: 'ENOTFOUND' }),
    });

    // Act / Assert
    expect(translateError(wrapped, { endpoint: 'https://nowhere.example' }).message).toMatch(
      /cannot be resolved/,
    );
  });

  it('gives each common AWS failure its own message', () => {
    // Act
    const messages = [
      named('CredentialsProviderError', 'Could not load credentials from any providers'),
      named('Error', 'Region is missing'),
      named('ExecutionDoesNotExist', 'Execution Does Not Exist: arn:…', {
        $metadata: { httpStatusCode: 400 },
      }),
      named('StateMachineDoesNotExist', 'State Machine Does Not Exist', {
        $metadata: { httpStatusCode: 400 },
      }),
      named('Unknown', 'UnknownError', { $metadata: { httpStatusCode: 403 } }),
    ].map((err) => translateError(err).message);

    // Assert
    expect(messages).toEqual([
      expect.stringMatching(/^no AWS credentials found — pass --profile <name> or set AWS_PROFILE/),
      expect.stringMatching(/^no AWS region — pass --region <region> or set AWS_REGION/),
      expect.stringMatching(/^execution not found: .* — run `relay executions` to list them$/),
      expect.stringMatching(/^state machine not found: .* pass --state-machine/),
      'access denied — the identity you use needs that permission',
    ]);
  });

  it('keeps every problem of an invalid configuration', () => {
    // Arrange
    const invalid = new ConfigInvalid('relay.config.json', [
      'sources: required',
      'defaults.verify: not allowed',
    ]);

    // Act
    const error = translateError(invalid);

    // Assert
    expect(error.message).toContain('sources: required');
    expect(error.message).toContain('defaults.verify: not allowed');
  });
});
