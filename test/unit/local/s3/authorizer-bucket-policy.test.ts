import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../../core/permissions/policy-document.ts';
import { type Principal, PrincipalRegistry } from '../../../../local/iam/principals.ts';
import { S3Authorizer } from '../../../../local/s3/authorizer.ts';
import type { S3Deps, S3Request } from '../../../../local/s3/context.ts';
import { S3Error } from '../../../../local/s3/errors.ts';
import type { S3Operation } from '../../../../local/s3/router.ts';
import type { BucketRecord } from '../../../../local/s3/store/records.ts';

// The hook with buckets of two accounts: `mine` (the principal's account, legacy record without an
// owner), `theirs` (owned by another account), each optionally with a bucket policy.

const LOCAL = '111122223333';
const OTHER = '444455556666';
const ROLE = `arn:aws:sts::${LOCAL}:assumed-role/relay-copy-object/session`;
const ROLE_ARN = `arn:aws:iam::${LOCAL}:role/relay-copy-object`;

const WRITE_ANY = { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::*' } as const;
const READ_ANY = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::*' } as const;

function principal(...statements: PolicyDocument['Statement'][]): Principal {
  return {
    account: LOCAL,
    arn: ROLE,
    identityPolicies: statements.map((Statement) => ({ Version: '2012-10-17', Statement })),
  };
}

function bucketPolicy(effect: 'Allow' | 'Deny', action: string, bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: effect, Principal: { AWS: ROLE_ARN }, Action: action, Resource: `arn:aws:s3:::${bucket}/*` },
    ],
  });
}

const present = { key: 'k', versionId: 'null', deleteMarker: false, tags: [] };

function depsWith(policies: { readonly mine?: string; readonly theirs?: string } = {}): S3Deps {
  const records: Record<string, BucketRecord> = {
    mine: {
      name: 'mine',
      region: 'us-west-2',
      createdAt: '',
      ...(policies.mine ? { policy: policies.mine } : {}),
    },
    theirs: {
      name: 'theirs',
      region: 'us-west-2',
      createdAt: '',
      owner: OTHER,
      ...(policies.theirs ? { policy: policies.theirs } : {}),
    },
  };
  return {
    accountId: LOCAL,
    store: {
      bucket: (name: string) => {
        const record = records[name];
        if (record === undefined) return undefined;
        return {
          record,
          index: { latest: async () => present, find: async () => present },
        };
      },
    },
  } as unknown as S3Deps;
}

function request(operation: S3Operation, bucket: string, headers: IncomingHttpHeaders = {}): S3Request {
  return {
    req: { headers },
    ctx: { requestId: 'REQ1', region: 'us-west-2', accountId: LOCAL },
    operation,
    method: 'PUT',
    address: { bucket, key: 'k' },
    query: new URLSearchParams(),
    signingRegion: 'us-west-2',
  } as unknown as S3Request;
}

async function outcome(deps: S3Deps, who: Principal, req: S3Request): Promise<S3Error | 'allowed'> {
  try {
    await new S3Authorizer(new PrincipalRegistry()).authorize(deps, req, who);
    return 'allowed';
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
}

describe('the S3 authorization hook with bucket owners and bucket policies', () => {
  it("allows a same-account request that only the bucket's policy grants", async () => {
    // Arrange
    const deps = depsWith({ mine: bucketPolicy('Allow', 's3:PutObject', 'mine') });

    // Act
    const result = await outcome(deps, principal(), request('PutObject', 'mine'));

    // Assert
    expect(result).toBe('allowed');
  });

  it("denies a write to another account's bucket without a bucket policy, naming the missing resource-based policy", async () => {
    // Arrange
    const deps = depsWith();

    // Act
    const result = await outcome(deps, principal(WRITE_ANY), request('PutObject', 'theirs'));

    // Assert
    expect(result).toBeInstanceOf(S3Error);
    expect((result as S3Error).code).toBe('AccessDenied');
    expect((result as S3Error).message).toBe(
      `User: ${ROLE} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::theirs/k" because no resource-based policy allows the s3:PutObject action`,
    );
  });

  it("allows a cross-account write only when both the identity policy and the bucket's policy allow it", async () => {
    // Arrange
    const deps = depsWith({ theirs: bucketPolicy('Allow', 's3:PutObject', 'theirs') });

    // Act
    const both = await outcome(deps, principal(WRITE_ANY), request('PutObject', 'theirs'));
    const policyOnly = await outcome(deps, principal(), request('PutObject', 'theirs'));

    // Assert
    expect(both).toBe('allowed');
    expect((policyOnly as S3Error).message).toContain('because no identity-based policy allows');
  });

  it('lets an explicit Deny in the bucket policy win over an identity Allow', async () => {
    // Arrange
    const deps = depsWith({ mine: bucketPolicy('Deny', 's3:PutObject', 'mine') });

    // Act
    const result = await outcome(deps, principal(WRITE_ANY), request('PutObject', 'mine'));

    // Assert
    expect((result as S3Error).message).toContain('with an explicit deny in a resource-based policy');
  });

  it("decides a copy's source actions with the source bucket's owner and policy", async () => {
    // Arrange
    const deps = depsWith({ theirs: bucketPolicy('Allow', 's3:GetObject', 'theirs') });
    const copy = request('CopyObject', 'mine', { 'x-amz-copy-source': 'theirs/k' });
    const hook = new S3Authorizer(new PrincipalRegistry());

    // Act
    await hook.authorize(deps, copy, principal(WRITE_ANY, READ_ANY));
    const withoutSourcePolicy = await outcome(depsWith(), principal(WRITE_ANY, READ_ANY), copy);

    // Assert
    expect(hook.log().map((r) => `${r.decision} ${r.action} ${r.resource}`)).toEqual([
      'Allow s3:PutObject arn:aws:s3:::mine/k',
      'Allow s3:GetObject arn:aws:s3:::theirs/k',
    ]);
    expect((withoutSourcePolicy as S3Error).message).toContain(
      's3:GetObject on resource: "arn:aws:s3:::theirs/k" because no resource-based policy allows',
    );
  });

  it("decides a CreateBucket in the principal's own account even when another account holds the name", async () => {
    // Arrange
    const create = { ...request('CreateBucket', 'theirs'), address: { bucket: 'theirs' } } as S3Request;
    const mayCreate = { Effect: 'Allow', Action: 's3:CreateBucket', Resource: 'arn:aws:s3:::*' } as const;

    // Act
    const result = await outcome(depsWith(), principal(mayCreate), create);

    // Assert
    expect(result).toBe('allowed');
  });
});
