import { describe, expect, it } from 'vitest';
import { PrincipalRegistry } from '../../../../local/iam/principals.ts';
import {
  bucketOwner,
  callerAccount,
  checkExpectedOwner,
  requireOwnerAccount,
} from '../../../../local/s3/bucket-owner.ts';
import type { S3Deps, S3Request } from '../../../../local/s3/context.ts';
import { S3Error } from '../../../../local/s3/errors.ts';
import type { BucketRecord } from '../../../../local/s3/store/records.ts';

const LOCAL = '000000000000';
const OTHER = '222222222222';
const ADMIN_KEY = 'AKIAADMINOFOTHER';
const ROLE_KEY = 'AKIAROLEOFOTHER';

const registry = new PrincipalRegistry(
  [
    {
      accessKeyId: ROLE_KEY,
      arn: `arn:aws:iam::${OTHER}:role/relay`,
      account: OTHER,
      policies: [],
    },
  ],
  [{ accessKeyId: ADMIN_KEY, account: OTHER }],
);
const deps = { accountId: LOCAL, principals: registry } as unknown as S3Deps;
const record: BucketRecord = { name: 'b', region: 'us-east-1', createdAt: '2025-01-01T00:00:00.000Z' };

function signedWith(accessKeyId: string | undefined, method = 'PUT'): S3Request {
  return {
    method,
    ctx: {
      requestId: 'REQ',
      region: 'us-east-1',
      accountId: LOCAL,
      ...(accessKeyId === undefined ? {} : { accessKeyId }),
    },
  } as unknown as S3Request;
}

function errorOf(run: () => void): S3Error {
  try {
    run();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}

describe('the account a request acts for', () => {
  it.each([
    ['an administrator of another account', ADMIN_KEY, OTHER],
    ['a principal of another account', ROLE_KEY, OTHER],
    ['an unregistered key', 'AKIAANYONE', LOCAL],
    ['no key at all', undefined, LOCAL],
  ])('is that of %s', (_name, key, account) => {
    // Arrange
    const request = signedWith(key);

    // Act
    const caller = callerAccount(deps, request);

    // Assert
    expect(caller).toBe(account);
  });

  it('is the local account when the service has no principal registry', () => {
    // Arrange
    const alone = { accountId: LOCAL } as unknown as S3Deps;

    // Act
    const caller = callerAccount(alone, signedWith(ADMIN_KEY));

    // Assert
    expect(caller).toBe(LOCAL);
  });
});

describe('the owner of a bucket', () => {
  it('is the account recorded at creation, else the local account (a bucket of an earlier version)', () => {
    // Arrange
    const owned: BucketRecord = { ...record, owner: OTHER };

    // Act
    const recorded = bucketOwner(deps, owned);
    const legacy = bucketOwner(deps, record);

    // Assert
    expect(recorded).toBe(OTHER);
    expect(legacy).toBe(LOCAL);
  });

  it('answers 403 AccessDenied when the expected owner names another account', () => {
    // Arrange
    const expected = LOCAL;

    // Act
    const err = errorOf(() => checkExpectedOwner(expected, OTHER));

    // Assert
    expect(err.code).toBe('AccessDenied');
    expect(err.status).toBe(403);
    expect(() => checkExpectedOwner(OTHER, OTHER)).not.toThrow();
    expect(() => checkExpectedOwner(undefined, OTHER)).not.toThrow();
  });

  it("answers 405 MethodNotAllowed to a bucket-policy operation from another account's identity", () => {
    // Arrange
    const owned: BucketRecord = { ...record, owner: OTHER };

    // Act
    const err = errorOf(() => requireOwnerAccount(deps, signedWith('AKIAANYONE'), owned));

    // Assert
    expect(err.code).toBe('MethodNotAllowed');
    expect(err.status).toBe(405);
    expect(() => requireOwnerAccount(deps, signedWith(ROLE_KEY), owned)).not.toThrow();
  });
});
