import { describe, expect, it } from 'vitest';
import type { ConditionBlock, PolicyDocument } from '../../../../core/permissions/policy-document.ts';
import { type ContextInput, evaluate } from '../../../../local/iam/evaluate.ts';

// Each test names the behaviour of the IAM User Guide's "IAM JSON policy elements: Condition
// operators" and "Conditions with multiple context keys or values" it checks.

const ACCOUNT = '111122223333';

function decide(condition: ConditionBlock, context: ContextInput): string {
  const policy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: condition }],
  };
  return evaluate({
    principal: { account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/R` },
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::bucket/key',
    resourceAccount: ACCOUNT,
    context,
    identityPolicies: [policy],
  }).decision;
}

describe('condition operators', () => {
  it('StringEquals matches exactly and case-sensitively; StringEqualsIgnoreCase ignores case', () => {
    expect(
      decide(
        { StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } },
        { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
      ),
    ).toBe('Allow');
    expect(
      decide(
        { StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' } },
        { 'kms:ViaService': 'S3.us-west-2.amazonaws.com' },
      ),
    ).toBe('ImplicitDeny');
    expect(
      decide({ StringEqualsIgnoreCase: { 'aws:username': 'Carlos' } }, { 'aws:username': 'carlos' }),
    ).toBe('Allow');
  });

  it('reads condition key names case-insensitively', () => {
    expect(decide({ StringEquals: { 'KMS:viaservice': 'x' } }, { 'kms:ViaService': 'x' })).toBe('Allow');
  });

  it('StringLike takes * and ? anywhere in the value; StringEquals takes them literally', () => {
    expect(
      decide(
        { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/p/*.zip' } },
        { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/p/x/y.zip' },
      ),
    ).toBe('Allow');
    expect(decide({ StringEquals: { 's3:prefix': 'p/*' } }, { 's3:prefix': 'p/x' })).toBe('ImplicitDeny');
  });

  it('evaluates several operators and several keys with AND, several values of one key with OR', () => {
    const condition: ConditionBlock = {
      StringEquals: { 'kms:ViaService': 's3.r.amazonaws.com', 'aws:PrincipalAccount': ACCOUNT },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::b', 'arn:aws:s3:::b/p/*'] },
    };
    expect(
      decide(condition, {
        'kms:ViaService': 's3.r.amazonaws.com',
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b',
      }),
    ).toBe('Allow');
    expect(
      decide(condition, {
        'kms:ViaService': 's3.r.amazonaws.com',
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::c',
      }),
    ).toBe('ImplicitDeny');
    expect(
      decide(condition, {
        'kms:ViaService': 's3.other.amazonaws.com',
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b',
      }),
    ).toBe('ImplicitDeny');
  });

  it('evaluates the values of a negated operator with NOR', () => {
    expect(
      decide(
        { StringNotEquals: { 's3:x-amz-acl': ['public-read', 'public-read-write'] } },
        { 's3:x-amz-acl': 'private' },
      ),
    ).toBe('Allow');
    expect(
      decide(
        { StringNotEquals: { 's3:x-amz-acl': ['public-read', 'public-read-write'] } },
        { 's3:x-amz-acl': 'public-read-write' },
      ),
    ).toBe('ImplicitDeny');
  });

  it('makes a condition on a key missing from the context false — true for a negated operator', () => {
    expect(decide({ StringEquals: { 'aws:SourceVpc': 'vpc-1' } }, {})).toBe('ImplicitDeny');
    expect(decide({ StringNotLike: { 'aws:SourceVpc': 'vpc-*' } }, {})).toBe('Allow');
    expect(decide({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*' } }, {})).toBe('Allow');
  });

  it('…IfExists: true when the key is missing, else the operator decides', () => {
    expect(decide({ StringEqualsIfExists: { 'aws:SourceVpc': 'vpc-1' } }, {})).toBe('Allow');
    expect(decide({ StringEqualsIfExists: { 'aws:SourceVpc': 'vpc-1' } }, { 'aws:SourceVpc': 'vpc-2' })).toBe(
      'ImplicitDeny',
    );
  });

  it('Null: "true" holds when the key is absent, "false" when it is present', () => {
    expect(decide({ Null: { 'aws:TokenIssueTime': 'true' } }, {})).toBe('Allow');
    expect(
      decide({ Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }),
    ).toBe('ImplicitDeny');
    expect(
      decide({ Null: { 'aws:TokenIssueTime': false } }, { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }),
    ).toBe('Allow');
  });

  it('Bool compares true/false; the numeric operators compare numbers written as strings', () => {
    expect(decide({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': 'true' })).toBe(
      'Allow',
    );
    expect(decide({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'false' })).toBe(
      'ImplicitDeny',
    );
    expect(decide({ NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': '5' })).toBe('Allow');
    expect(decide({ NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' })).toBe(
      'ImplicitDeny',
    );
    expect(decide({ NumericLessThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': '10' })).toBe('Allow');
  });

  it('ArnLike checks each colon-delimited segment on its own, each with wildcards', () => {
    expect(
      decide({ ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::b-*' } }, { 'aws:SourceArn': 'arn:aws:s3:::b-1' }),
    ).toBe('Allow');
    expect(
      decide(
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Relay*' } },
        { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/RelayCopy` },
      ),
    ).toBe('Allow');
    expect(
      decide(
        { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Relay*' } },
        { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/RelayCopy` },
      ),
    ).toBe('ImplicitDeny');
  });
});

describe('set operators on multivalued context keys', () => {
  it('ForAnyValue: true when at least one value of the key matches; false when the key is missing', () => {
    const condition: ConditionBlock = {
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/artifacts' },
    };
    expect(decide(condition, { 'kms:ResourceAliases': ['alias/other', 'alias/artifacts'] })).toBe('Allow');
    expect(decide(condition, { 'kms:ResourceAliases': ['alias/other'] })).toBe('ImplicitDeny');
    expect(decide(condition, {})).toBe('ImplicitDeny');
  });

  it('ForAllValues: true when every value of the key matches — and when the key is missing', () => {
    const condition: ConditionBlock = { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team', 'cost-*'] } };
    expect(decide(condition, { 'aws:TagKeys': ['team', 'cost-center'] })).toBe('Allow');
    expect(decide(condition, { 'aws:TagKeys': ['team', 'owner'] })).toBe('ImplicitDeny');
    expect(decide(condition, {})).toBe('Allow');
  });
});
