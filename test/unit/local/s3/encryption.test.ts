import { describe, expect, it } from 'vitest';
import { defaultKmsKey, resolveKmsKey } from '../../../../local/s3/encryption.ts';
import { S3Error } from '../../../../local/s3/errors.ts';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-2';

function errorOf(fn: () => unknown): S3Error | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  return undefined;
}

describe('resolveKmsKey', () => {
  it.each([
    [
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    ],
    [`arn:aws:kms:${REGION}:999999999999:alias/shared`, `arn:aws:kms:${REGION}:999999999999:alias/shared`],
    [
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    ],
    [
      'mrk-1234abcd12ab34cd56ef1234567890ab',
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab`,
    ],
    ['alias/artifacts', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/artifacts`],
  ])('resolves %s to %s', (input, expected) => {
    // Arrange
    const keyId = input;

    // Act
    const arn = resolveKmsKey(keyId, REGION, ACCOUNT);

    // Assert
    expect(arn).toBe(expected);
  });

  it('rejects a key ARN of another region with KMS.NotFoundException naming that region', () => {
    // Arrange
    const foreign = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

    // Act
    const err = errorOf(() => resolveKmsKey(foreign, REGION, ACCOUNT));

    // Assert
    expect(err?.code).toBe('KMS.NotFoundException');
    expect(err?.status).toBe(400);
    expect(err?.message).toBe('Invalid arn eu-central-1');
  });

  it.each(['aws/s3', 'arn:aws:kms:broken', 'not a key'])('rejects the unknown key form %s', (keyId) => {
    // Arrange
    const input = keyId;

    // Act
    const err = errorOf(() => resolveKmsKey(input, REGION, ACCOUNT));

    // Assert
    expect(err?.code).toBe('KMS.NotFoundException');
  });

  it('names the aws/s3 alias of the region and account as the default key', () => {
    // Arrange
    const region = 'eu-west-1';

    // Act
    const key = defaultKmsKey(region, ACCOUNT);

    // Assert
    expect(key).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:alias/aws/s3`);
  });
});
