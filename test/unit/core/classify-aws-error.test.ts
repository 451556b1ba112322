import {
  ApplicationDoesNotExistException,
  DeploymentLimitExceededException,
} from '@aws-sdk/client-codedeploy';
import {
  InvalidObjectState,
  NoSuchBucket,
  NoSuchKey,
  NoSuchUpload,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../core/classify-aws-error.ts';
import { InvalidInput } from '../../../core/errors.ts';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

function s3Error(
  name: string,
  httpStatusCode: number,
  fault: 'client' | 'server' = 'client',
): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: fault,
    message: `message text that must not matter`,
    ...metadata(httpStatusCode),
  });
}

describe('classifyAwsError', () => {
  it.each([
    ['SlowDown', 503],
    ['InternalError', 500],
    ['ServiceUnavailable', 503],
    ['RequestTimeout', 400],
    ['ThrottlingException', 400],
    ['KMS.KMSInternalException', 500],
    ['ConditionalRequestConflict', 409],
  ])('classifies %s as a retryable TransientAwsError', (name, status) => {
    // Arrange
    const err = s3Error(name, status, status >= 500 ? 'server' : 'client');

    // Act
    const classified = classifyAwsError(err, { operation: 's3:CopyObject', side: 'target' });

    // Assert
    expect(classified.name).toBe('TransientAwsError');
    expect(classified.retryable).toBe(true);
    expect(classified.cause).toBe(err);
    expect(classified.awsCode).toBe(name);
  });

  it('classifies an unknown 5xx and an SDK-retryable error as transient', () => {
    // Arrange
    const unknown5xx = s3Error('SomethingNew', 502, 'server');
    const flagged = Object.assign(s3Error('SomethingElse', 400), { $retryable: { throttling: true } });

    // Act / Assert
    expect(classifyAwsError(unknown5xx, { operation: 's3:HeadObject' }).name).toBe('TransientAwsError');
    expect(classifyAwsError(flagged, { operation: 's3:HeadObject' }).name).toBe('TransientAwsError');
  });

  it('classifies a dropped connection (Node error code) as transient', () => {
    // Arrange
    const err = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

    // Act
    const classified = classifyAwsError(err, { operation: 's3:UploadPartCopy' });

    // Assert
    expect(classified.name).toBe('TransientAwsError');
  });

  it('classifies access errors as AccessDenied, also by 403 alone', () => {
    // Arrange
    const named = s3Error('AccessDenied', 403);
    const bare403 = s3Error('Forbidden', 403);

    // Act / Assert
    expect(classifyAwsError(named, { operation: 's3:CopyObject', side: 'target' }).name).toBe('AccessDenied');
    expect(classifyAwsError(bare403, { operation: 's3:HeadObject', side: 'source' }).name).toBe(
      'AccessDenied',
    );
  });

  it('names the likely missing grants for a 403 on HEAD, which carries no error body', () => {
    // Arrange: the SDK names a bodiless HEAD error after its status
    const bare = s3Error('403', 403);
    const context = { operation: 's3:HeadObject', side: 'source', bucket: 'src', key: 'a/b.zip' } as const;

    // Act
    const plain = classifyAwsError(bare, context);
    const versioned = classifyAwsError(s3Error('Forbidden', 403), { ...context, versionId: 'v1' });

    // Assert
    expect(plain.name).toBe('AccessDenied');
    expect(plain.message).toContain('s3:GetObject on s3://src/a/b.zip');
    expect(plain.message).toContain('s3:ListBucket on the bucket src');
    expect(versioned.name).toBe('AccessDenied');
    expect(versioned.message).toContain('s3:GetObjectVersion on s3://src/a/b.zip');
    expect(versioned.message).toContain('s3:ListBucket');
  });

  it('reads NoSuchBucket as a missing target bucket on the target side, as a gone source on the source side', () => {
    // Arrange
    const err = new NoSuchBucket({ message: 'The specified bucket does not exist', ...metadata(404) });

    // Act
    const target = classifyAwsError(err, {
      operation: 's3:CopyObject',
      side: 'target',
      bucket: 'artifacts-seoul',
    });
    const source = classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'source',
      bucket: 'build-artifacts-oregon',
    });

    // Assert
    expect(target.name).toBe('NoSuchTargetBucket');
    expect(target.message).toContain('s3://artifacts-seoul');
    expect(source.name).toBe('SourceGone');
  });

  it('reads NoSuchKey and a 404 NotFound of the source as SourceGone', () => {
    // Arrange
    const noSuchKey = new NoSuchKey({ message: 'gone', ...metadata(404) });
    const notFound = s3Error('NotFound', 404);

    // Act / Assert
    expect(classifyAwsError(noSuchKey, { operation: 's3:CopyObject', side: 'source' }).name).toBe(
      'SourceGone',
    );
    expect(classifyAwsError(notFound, { operation: 's3:HeadObject', side: 'source' }).name).toBe(
      'SourceGone',
    );
  });

  it('reads a failed CopySourceIfMatch as SourceChanged', () => {
    // Arrange
    const err = s3Error('PreconditionFailed', 412);

    // Act
    const classified = classifyAwsError(err, { operation: 's3:CopyObject', side: 'source' });

    // Assert
    expect(classified.name).toBe('SourceChanged');
    expect(classified.retryable).toBe(false);
  });

  it.each([
    ['KMS.DisabledException', 'KmsKeyUnusable'],
    ['KMS.KMSInvalidStateException', 'KmsKeyUnusable'],
    ['KMS.NotFoundException', 'KmsKeyUnusable'],
    ['PermanentRedirect', 'BucketRegionMismatch'],
    ['AuthorizationHeaderMalformed', 'BucketRegionMismatch'],
    ['AccessControlListNotSupported', 'UnsupportedTargetSetting'],
    ['InvalidStorageClass', 'UnsupportedTargetSetting'],
    ['EntityTooLarge', 'CopyTooLarge'],
  ])('classifies %s as %s', (code, expected) => {
    // Arrange
    const err = s3Error(code, 400);

    // Act
    const classified = classifyAwsError(err, {
      operation: 's3:CopyObject',
      side: 'target',
      target: 'artifacts-seoul@ap-northeast-2',
    });

    // Assert
    expect(classified.name).toBe(expected);
    expect(classified.retryable).toBe(false);
    expect(classified.message).toContain('target artifacts-seoul@ap-northeast-2');
  });

  it.each([
    ['KMS.DisabledException', 'is disabled', 'aws kms enable-key --key-id'],
    ['KMS.KMSInvalidStateException', 'pending deletion', 'aws kms cancel-key-deletion'],
    ['KMS.NotFoundException', 'does not exist in ap-northeast-2', "create the key in the target's region"],
  ])('says which key, which region and what to do for %s', (code, what, todo) => {
    // Arrange
    const key = 'arn:aws:kms:ap-northeast-2:111122223333:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18';
    const err = s3Error(code, 400);

    // Act
    const classified = classifyAwsError(err, {
      operation: 's3:CopyObject',
      side: 'target',
      target: 'artifacts-seoul@ap-northeast-2',
      kmsKeyArn: key,
    });

    // Assert
    expect(classified.name).toBe('KmsKeyUnusable');
    expect(classified.message).toContain(`the target's KMS key ${key} `);
    expect(classified.message).toContain(what);
    expect(classified.message).toContain(todo);
    expect(classified.message).toContain('--region ap-northeast-2');
  });

  it("names the source object's key, and keeps S3's message naming the key, when the context has no key", () => {
    // Arrange
    const err = new S3ServiceException({
      name: 'KMS.DisabledException',
      $fault: 'client',
      message: 'arn:aws:kms:us-west-2:111122223333:key/0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40 is disabled.',
      ...metadata(400),
    });

    // Act
    const classified = classifyAwsError(err, { operation: 's3:CopyObject', side: 'source' });

    // Assert
    expect(classified.name).toBe('KmsKeyUnusable');
    expect(classified.message).toContain("the source object's KMS key is disabled");
    expect(classified.message).toContain('key/0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40 is disabled.');
  });

  it('classifies archived sources and vanished multipart uploads', () => {
    // Arrange
    const archived = new InvalidObjectState({ message: 'archived', ...metadata(403) });
    const upload = new NoSuchUpload({ message: 'no upload', ...metadata(404) });

    // Act / Assert
    expect(classifyAwsError(archived, { operation: 's3:CopyObject', side: 'source' }).name).toBe(
      'SourceArchived',
    );
    expect(classifyAwsError(upload, { operation: 's3:UploadPartCopy', side: 'target' }).name).toBe(
      'MultipartUploadGone',
    );
  });

  it('makes a CodeDeploy deployment limit the retryable DeploymentGroupBusy', () => {
    // Arrange
    const err = new DeploymentLimitExceededException({ message: 'limit', ...metadata(400) });

    // Act
    const classified = classifyAwsError(err, { operation: 'codedeploy:CreateDeployment' });

    // Assert
    expect(classified.name).toBe('DeploymentGroupBusy');
    expect(classified.retryable).toBe(true);
  });

  it('makes a missing CodeDeploy application a permanent DeploymentRejected', () => {
    // Arrange
    const err = new ApplicationDoesNotExistException({
      message: 'No application found for name: web',
      ...metadata(400),
    });

    // Act
    const classified = classifyAwsError(err, { operation: 'codedeploy:CreateDeployment' });

    // Assert
    expect(classified.name).toBe('DeploymentRejected');
    expect(classified.retryable).toBe(false);
  });

  it('classifies by code, never by message text', () => {
    // Arrange
    const err = s3Error('InvalidArgument', 400);
    err.message = 'Access Denied: SlowDown throttling timeout';

    // Act
    const classified = classifyAwsError(err, { operation: 's3:CopyObject' });

    // Assert
    expect(classified.name).toBe('UnexpectedAwsError');
    expect(classified.retryable).toBe(false);
  });

  it('returns a relay error unchanged', () => {
    // Arrange
    const err = new InvalidInput('already classified');

    // Act / Assert
    expect(classifyAwsError(err, { operation: 'x' })).toBe(err);
  });

  it('treats something that is not an error at all as unexpected and permanent', () => {
    // Arrange / Act
    const classified = classifyAwsError('boom', { operation: 's3:HeadObject' });

    // Assert
    expect(classified.name).toBe('UnexpectedAwsError');
    expect(classified.cause).toBe('boom');
  });
});
