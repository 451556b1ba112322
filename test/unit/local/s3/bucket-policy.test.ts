import { describe, expect, it } from 'vitest';
import { bucketPolicyOf, parseBucketPolicy } from '../../../../local/s3/bucket-policy.ts';
import { S3Error } from '../../../../local/s3/errors.ts';
import type { BucketRecord } from '../../../../local/s3/store/records.ts';

const BUCKET = 'artifacts-seoul';
const ROLE = 'arn:aws:iam::111122223333:role/relay-copy-object';

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Effect: 'Allow',
    Principal: { AWS: ROLE },
    Action: ['s3:PutObject', 's3:PutObjectTagging'],
    Resource: `arn:aws:s3:::${BUCKET}/releases/*`,
    ...overrides,
  };
}

function policy(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function failure(text: string, bucket = BUCKET): S3Error {
  try {
    parseBucketPolicy(text, bucket);
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected MalformedPolicy');
}

describe('bucket policy validation', () => {
  it("accepts the README's cross-account grant and returns the document", () => {
    // Arrange
    const text = policy(
      statement(),
      statement({ Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}` }),
    );

    // Act
    const document = parseBucketPolicy(text, BUCKET);

    // Assert
    expect(document).toEqual(JSON.parse(text));
  });

  it.each([
    ['an account id', '111122223333'],
    ['an account root', 'arn:aws:iam::111122223333:root'],
    ['an assumed-role session', 'arn:aws:sts::111122223333:assumed-role/relay/session'],
    ['a list with a user', ['arn:aws:iam::111122223333:user/ops', '*']],
  ])('accepts %s as an AWS principal', (_name, principal) => {
    // Arrange
    const text = policy(statement({ Principal: { AWS: principal } }));

    // Act
    const parse = () => parseBucketPolicy(text, BUCKET);

    // Assert
    expect(parse).not.toThrow();
  });

  it('accepts a wildcard bucket name that matches the bucket and a document without Version', () => {
    // Arrange
    const text = JSON.stringify({ Statement: statement({ Resource: 'arn:aws:s3:::artifacts-*/*' }) });

    // Act
    const parse = () => parseBucketPolicy(text, BUCKET);

    // Assert
    expect(parse).not.toThrow();
  });

  it.each([
    ['an empty body', '', "Policies must be valid JSON and the first byte must be '{'"],
    ['a JSON array', '[]', "Policies must be valid JSON and the first byte must be '{'"],
    ['broken JSON', '{"Statement": [', 'This policy contains invalid Json'],
    ['an empty object', '{}', 'Missing required field Statement'],
    ['an empty statement list', '{"Statement": []}', 'Could not parse the policy: Statement is empty!'],
    [
      'an unknown version',
      JSON.stringify({ Version: '2024-01-01', Statement: statement() }),
      'The policy must contain a valid version string',
    ],
    [
      'an unknown top-level field',
      JSON.stringify({ Statement: statement(), Extra: 1 }),
      'Unknown field Extra',
    ],
  ])('answers MalformedPolicy for %s', (_name, text, message) => {
    // Arrange
    const body = text;

    // Act
    const err = failure(body);

    // Assert
    expect(err.code).toBe('MalformedPolicy');
    expect(err.status).toBe(400);
    expect(err.message).toBe(message);
  });

  it.each([
    ['a statement without Principal', { Principal: undefined }, 'Missing required field Principal'],
    ['a statement without Effect', { Effect: undefined }, 'Missing required field Effect'],
    ['an unknown Effect', { Effect: 'Maybe' }, 'Invalid effect: Maybe'],
    [
      'a principal that is a bare name',
      { Principal: { AWS: 'relay-copy-object' } },
      'Invalid principal in policy',
    ],
    ['a principal given as a string ARN', { Principal: ROLE }, 'Invalid principal in policy'],
    ['an unknown principal type', { Principal: { Role: ROLE } }, 'Invalid principal in policy'],
    ['an action of another service', { Action: 'kms:Decrypt' }, 'Policy has invalid action'],
    ['a statement without Action', { Action: undefined }, 'Missing required field Action'],
    [
      'a resource in another bucket',
      { Resource: 'arn:aws:s3:::other-bucket/*' },
      'Policy has invalid resource',
    ],
    ['the resource "*"', { Resource: '*' }, 'Policy has invalid resource'],
    [
      'a resource of another service',
      { Resource: 'arn:aws:kms:us-east-1:111122223333:key/k' },
      'Policy has invalid resource',
    ],
    ['a statement without Resource', { Resource: undefined }, 'Missing required field Resource'],
    ['an unknown statement field', { Principals: '*' }, 'Unknown field Principals'],
  ])('answers MalformedPolicy for %s', (_name, overrides, message) => {
    // Arrange
    const text = policy(statement(overrides));

    // Act
    const err = failure(text);

    // Assert
    expect(err.code).toBe('MalformedPolicy');
    expect(err.message).toBe(message);
  });

  it('answers MalformedPolicy for a document over 20 KB', () => {
    // Arrange
    const text = policy(statement({ Sid: 'x'.repeat(21 * 1024) }));

    // Act
    const err = failure(text);

    // Assert
    expect(err.code).toBe('MalformedPolicy');
    expect(err.message).toContain('20480 bytes');
  });
});

describe('a stored bucket policy', () => {
  it('is undefined for a bucket without one and the parsed document otherwise', () => {
    // Arrange
    const bare: BucketRecord = {
      name: BUCKET,
      region: 'ap-northeast-2',
      createdAt: '2025-01-01T00:00:00.000Z',
    };
    const withPolicy: BucketRecord = { ...bare, policy: policy(statement()) };

    // Act
    const none = bucketPolicyOf(bare);
    const document = bucketPolicyOf(withPolicy);

    // Assert
    expect(none).toBeUndefined();
    expect(document).toEqual(JSON.parse(policy(statement())));
  });
});
