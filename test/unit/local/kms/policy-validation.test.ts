import { describe, expect, it } from 'vitest';
import { defaultKeyPolicy } from '../../../../local/kms/policy.ts';
import { validateKeyPolicy } from '../../../../local/kms/policy-validation.ts';
import { AwsJsonError } from '../../../../local/protocol/json.ts';

function refusal(text: string): AwsJsonError {
  try {
    validateKeyPolicy(text);
  } catch (err) {
    if (err instanceof AwsJsonError) return err;
    throw err;
  }
  throw new Error('expected the policy to be refused');
}

const statement = (extra: Record<string, unknown>) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', ...extra }],
  });

describe('key policy validation', () => {
  it('accepts the default key policy', () => {
    // Act
    const document = validateKeyPolicy(defaultKeyPolicy('111122223333'));

    // Assert
    expect(document.Id).toBe('key-default-1');
  });

  it('accepts the condition operators the evaluator knows', () => {
    // Arrange
    const policy = statement({
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/*' },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/relay' },
      },
    });

    // Act / Assert
    expect(() => validateKeyPolicy(policy)).not.toThrow();
  });

  it.each([
    ['text that is not JSON', '{not json', 'The key policy is not valid JSON.'],
    ['a JSON array', '[]', 'The key policy must be a JSON object.'],
    ['no Statement', '{"Version":"2012-10-17"}', 'The key policy has no Statement.'],
    ['an empty Statement', '{"Version":"2012-10-17","Statement":[]}', 'The key policy has no Statement.'],
  ])('refuses %s with MalformedPolicyDocumentException', (_what, text, message) => {
    // Act
    const err = refusal(text);

    // Assert
    expect(err.code).toBe('MalformedPolicyDocumentException');
    expect(err.message).toBe(message);
  });

  it('refuses a statement without Principal, with the evaluator reason', () => {
    // Act
    const err = refusal(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }));

    // Assert
    expect(err.code).toBe('MalformedPolicyDocumentException');
    expect(err.message).toContain('a resource-based policy statement without Principal');
  });

  it('refuses NotPrincipal, which the evaluator does not model', () => {
    // Act
    const err = refusal(statement({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }));

    // Assert
    expect(err.code).toBe('MalformedPolicyDocumentException');
    expect(err.message).toContain('the policy element NotPrincipal');
  });

  it('refuses an unsupported condition operator even in a statement no request would match', () => {
    // Arrange: the statement names another principal, so evaluating a request never reads its Condition
    const policy = JSON.stringify({
      Statement: [
        {
          Effect: 'Deny',
          Principal: { AWS: 'arn:aws:iam::999999999999:role/other' },
          Action: 'kms:ScheduleKeyDeletion',
          Resource: '*',
          Condition: {
            StringEquals: { 'aws:PrincipalTag/team': 'ops' },
            DateGreaterThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
          },
        },
      ],
    });

    // Act
    const err = refusal(policy);

    // Assert
    expect(err.code).toBe('MalformedPolicyDocumentException');
    expect(err.message).toContain('DateGreaterThan');
  });
});
