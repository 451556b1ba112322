import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../../core/permissions/policy-document.ts';
import { type Principal, PrincipalRegistry } from '../../../../local/iam/principals.ts';
import { S3Authorizer } from '../../../../local/s3/authorizer.ts';
import type { S3Deps, S3Request } from '../../../../local/s3/context.ts';
import { S3Error } from '../../../../local/s3/errors.ts';
import type { S3Operation } from '../../../../local/s3/router.ts';

// The hook alone, over a fake store holding one bucket `b` with one object `present.zip`.

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/relay-copy-object/session`;

function principal(...statements: PolicyDocument['Statement'][]): Principal {
  return {
    account: ACCOUNT,
    arn: ROLE,
    identityPolicies: statements.map((Statement) => ({ Version: '2012-10-17', Statement })),
  };
}

const READ_OBJECTS = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } as const;
const LIST_BUCKET = { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' } as const;

const present = { key: 'present.zip', versionId: 'null', deleteMarker: false, tags: [] };
const deps = {
  accountId: ACCOUNT,
  store: {
    bucket: (name: string) =>
      name === 'b'
        ? {
            record: { name: 'b', region: 'us-west-2' },
            index: {
              latest: async (key: string) => (key === present.key ? present : undefined),
              find: async (key: string, versionId: string) =>
                key === present.key && versionId === 'null' ? present : undefined,
            },
          }
        : undefined,
  },
} as unknown as S3Deps;

function request(
  operation: S3Operation,
  key: string | undefined,
  headers: IncomingHttpHeaders = {},
): S3Request {
  return {
    req: { headers },
    ctx: { requestId: 'REQ1', region: 'us-west-2', accountId: ACCOUNT },
    operation,
    method: operation === 'HeadObject' ? 'HEAD' : 'GET',
    address: { bucket: 'b', ...(key !== undefined ? { key } : {}) },
    query: new URLSearchParams(),
    signingRegion: 'us-west-2',
  } as unknown as S3Request;
}

async function outcome(
  authorizer: S3Authorizer,
  who: Principal,
  req: S3Request,
): Promise<S3Error | 'allowed'> {
  try {
    await authorizer.authorize(deps, req, who);
    return 'allowed';
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
}

function authorizer(): S3Authorizer {
  return new S3Authorizer(new PrincipalRegistry());
}

describe('the S3 authorization hook', () => {
  it('allows a request the identity policy allows, and records the decision', async () => {
    // Arrange
    const hook = authorizer();
    // Act
    const result = await outcome(hook, principal(READ_OBJECTS), request('GetObject', 'present.zip'));
    // Assert
    expect(result).toBe('allowed');
    expect(hook.log()).toEqual([
      expect.objectContaining({
        requestId: 'REQ1',
        operation: 'GetObject',
        principal: ROLE,
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::b/present.zip',
        decision: 'Allow',
        purpose: 'request',
      }),
    ]);
  });

  it('refuses an action no statement allows with AWS AccessDenied naming action, resource and principal', async () => {
    const hook = authorizer();
    const result = await outcome(hook, principal(READ_OBJECTS), request('PutObject', 'present.zip'));
    expect(result).toBeInstanceOf(S3Error);
    const err = result as S3Error;
    expect(err.code).toBe('AccessDenied');
    expect(err.status).toBe(403);
    expect(err.message).toBe(
      `User: ${ROLE} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::b/present.zip" because no identity-based policy allows the s3:PutObject action`,
    );
    expect(hook.log().at(-1)).toMatchObject({ action: 's3:PutObject', decision: 'ImplicitDeny' });
  });

  it('refuses an explicitly denied action even when another statement allows it', async () => {
    const hook = authorizer();
    const who = principal([
      READ_OBJECTS,
      { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/present.zip' },
    ]);
    const err = (await outcome(hook, who, request('GetObject', 'present.zip'))) as S3Error;
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain('with an explicit deny in an identity-based policy');
    expect(hook.log().at(-1)).toMatchObject({ decision: 'ExplicitDeny' });
  });

  it('answers a missing object as missing (the operation 404s) when the caller may list the bucket', async () => {
    const hook = authorizer();
    const result = await outcome(
      hook,
      principal([READ_OBJECTS, LIST_BUCKET]),
      request('HeadObject', 'absent.zip'),
    );
    expect(result).toBe('allowed');
    expect(hook.log().at(-1)).toMatchObject({
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::b',
      decision: 'Allow',
      purpose: 'missing-object',
    });
  });

  it('answers a missing object with 403 when the caller may not list the bucket', async () => {
    const hook = authorizer();
    const err = (await outcome(
      hook,
      principal(READ_OBJECTS),
      request('HeadObject', 'absent.zip'),
    )) as S3Error;
    expect(err.status).toBe(403);
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toContain('s3:ListBucket on resource: "arn:aws:s3:::b"');
    expect(hook.log().at(-1)).toMatchObject({
      action: 's3:ListBucket',
      decision: 'ImplicitDeny',
      purpose: 'missing-object',
    });
  });

  it('needs no s3:ListBucket for an object that is there', async () => {
    const hook = authorizer();
    expect(await outcome(hook, principal(READ_OBJECTS), request('HeadObject', 'present.zip'))).toBe(
      'allowed',
    );
    expect(hook.log().map((r) => r.action)).toEqual(['s3:GetObject']);
  });

  it('leaves a request on a bucket that does not exist to the operation (NoSuchBucket)', async () => {
    const hook = authorizer();
    const req = {
      ...request('GetObject', 'k'),
      address: { bucket: 'nope', key: 'k' },
    } as unknown as S3Request;
    expect(await outcome(hook, principal(READ_OBJECTS), req)).toBe('allowed');
    expect(hook.log()).toEqual([]);
  });

  it('keeps a bounded record, oldest first out', async () => {
    const hook = new S3Authorizer(new PrincipalRegistry(), { logSize: 2 });
    for (const key of ['present.zip', 'present.zip', 'present.zip']) {
      await outcome(hook, principal(READ_OBJECTS), request('GetObject', key));
    }
    expect(hook.log()).toHaveLength(2);
  });
});

describe('the principal registry', () => {
  it('finds a registered access key and nobody else', async () => {
    const registry = new PrincipalRegistry([
      { accessKeyId: 'AKIACOPY', arn: ROLE, account: ACCOUNT, policies: [] },
    ]);
    expect(registry.isEmpty).toBe(false);
    expect(registry.principalFor('AKIACOPY')).toMatchObject({ arn: ROLE, account: ACCOUNT });
    expect(registry.principalFor('test')).toBeUndefined();
    expect(registry.principalFor(undefined)).toBeUndefined();
  });

  it('refuses a key registered twice and an ARN of another account', async () => {
    const one = { accessKeyId: 'AKIA1', arn: ROLE, account: ACCOUNT, policies: [] };
    expect(() => new PrincipalRegistry([one, one])).toThrow(/registered twice/);
    expect(() => new PrincipalRegistry([{ ...one, account: '444455556666' }])).toThrow(/not of account/);
  });
});
