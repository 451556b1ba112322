import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../core/classify-aws-error.ts';
import { AccessDenied, KmsKeyUnusable } from '../../../core/errors.ts';

const SOURCE_KEY = 'arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TARGET_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/abcd1234-12ab-34cd-56ef-1234567890ab';

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: 'client',
    message: 'message text that must not matter',
    $metadata: { httpStatusCode: status },
  });
}

describe('classifyAwsError on KMS-encrypted objects', () => {
  it("says a denied copy of an SSE-KMS source needs kms:Decrypt through S3 in the source key's policy for the copy and verify roles", () => {
    // Act
    const error = classifyAwsError(s3Error('AccessDenied', 403), {
      operation: 's3:CopyObject',
      side: 'target',
      bucket: 'dst',
      key: 'k',
      sourceKmsKeyArn: SOURCE_KEY,
    });

    // Assert
    expect(error).toBeInstanceOf(AccessDenied);
    expect(error.message).toContain(`encrypted with the KMS key ${SOURCE_KEY}`);
    expect(error.message).toContain('kms:ViaService s3.us-west-2.amazonaws.com');
    expect(error.message).toContain('key policy (account 444455556666)');
    expect(error.message).toContain('copy-object and verify-copy roles kms:Decrypt');
  });

  it('records which side and bucket a denial was on', () => {
    // Act
    const error = classifyAwsError(s3Error('AccessDenied', 403), {
      operation: 's3:PutObject',
      side: 'target',
      bucket: 'dst',
    });

    // Assert
    expect(error).toMatchObject({ name: 'AccessDenied', side: 'target', bucket: 'dst' });
  });

  it('names both keys a copy uses when one of them is disabled', () => {
    // Act
    const error = classifyAwsError(s3Error('KMS.DisabledException', 400), {
      operation: 's3:CopyObject',
      side: 'target',
      kmsKeyArn: TARGET_KEY,
      sourceKmsKeyArn: SOURCE_KEY,
    });

    // Assert
    expect(error).toBeInstanceOf(KmsKeyUnusable);
    expect(error.message).toContain(
      `the target's KMS key ${TARGET_KEY} (or the source object's key ${SOURCE_KEY})`,
    );
    expect(error.message).toContain('is disabled');
  });
});
