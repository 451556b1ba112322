import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../../../../local/s3/errors.ts';
import { identifyOperation } from '../../../../local/s3/router.ts';

function route(method: string, path: string, headers: IncomingHttpHeaders = {}): string {
  const [p = '', q = ''] = path.split('?');
  const [bucket, ...rest] = p.replace(/^\//, '').split('/');
  const key = rest.join('/');
  return identifyOperation({
    method,
    query: new URLSearchParams(q),
    headers,
    ...(bucket ? { bucket } : {}),
    ...(key ? { key } : {}),
  });
}

function errorOf(fn: () => unknown): S3Error {
  try {
    fn();
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected an S3Error');
}

describe('identifyOperation', () => {
  it.each([
    ['GET', '/', 'ListBuckets'],
    ['PUT', '/b', 'CreateBucket'],
    ['HEAD', '/b', 'HeadBucket'],
    ['DELETE', '/b', 'DeleteBucket'],
    ['GET', '/b?location', 'GetBucketLocation'],
    ['GET', '/b?versioning', 'GetBucketVersioning'],
    ['PUT', '/b?versioning', 'PutBucketVersioning'],
    ['PUT', '/b?tagging', 'PutBucketTagging'],
    ['DELETE', '/b?encryption', 'DeleteBucketEncryption'],
    ['PUT', '/b?policy', 'PutBucketPolicy'],
    ['GET', '/b?policy', 'GetBucketPolicy'],
    ['DELETE', '/b?policy', 'DeleteBucketPolicy'],
    ['GET', '/b?versions', 'ListObjectVersions'],
    ['GET', '/b?uploads', 'ListMultipartUploads'],
    ['GET', '/b?list-type=2&prefix=a', 'ListObjectsV2'],
    ['GET', '/b?prefix=a', 'ListObjects'],
    ['POST', '/b?delete', 'DeleteObjects'],
    ['GET', '/b/k?x-id=GetObject', 'GetObject'],
    ['HEAD', '/b/k', 'HeadObject'],
    ['PUT', '/b/k', 'PutObject'],
    ['DELETE', '/b/k', 'DeleteObject'],
    ['GET', '/b/k?attributes', 'GetObjectAttributes'],
    ['PUT', '/b/k?tagging', 'PutObjectTagging'],
    ['POST', '/b/k?uploads', 'CreateMultipartUpload'],
    ['PUT', '/b/k?partNumber=1&uploadId=u', 'UploadPart'],
    ['POST', '/b/k?uploadId=u', 'CompleteMultipartUpload'],
    ['DELETE', '/b/k?uploadId=u', 'AbortMultipartUpload'],
    ['GET', '/b/k?uploadId=u', 'ListParts'],
  ])('routes %s %s to %s', (method, path, expected) => {
    // Arrange
    const request = [method, path] as const;

    // Act
    const operation = route(...request);

    // Assert
    expect(operation).toBe(expected);
  });

  it('routes a PUT with x-amz-copy-source to CopyObject, or UploadPartCopy with a part number', () => {
    // Arrange
    const headers = { 'x-amz-copy-source': 'src/key' };

    // Act
    const copy = route('PUT', '/b/k', headers);
    const partCopy = route('PUT', '/b/k?partNumber=2&uploadId=u', headers);

    // Assert
    expect(copy).toBe('CopyObject');
    expect(partCopy).toBe('UploadPartCopy');
  });

  it.each([
    ['GET', '/b?policyStatus', 'GetBucketPolicyStatus'],
    ['PUT', '/b?lifecycle', 'PutBucketLifecycleConfiguration'],
    ['DELETE', '/b?cors', 'DeleteBucketCors'],
    ['GET', '/b/k?acl', 'GetObjectAcl'],
    ['POST', '/b/k?restore', 'RestoreObject'],
  ])('answers %s %s with NotImplemented naming %s', (method, path, name) => {
    // Arrange
    const request = [method, path] as const;

    // Act
    const err = errorOf(() => route(...request));

    // Assert
    expect(err.code).toBe('NotImplemented');
    expect(err.status).toBe(501);
    expect(err.message).toContain(name);
  });

  it('answers an unknown method with MethodNotAllowed', () => {
    // Arrange
    const request = ['PATCH', '/b/k'] as const;

    // Act
    const err = errorOf(() => route(...request));

    // Assert
    expect(err.code).toBe('MethodNotAllowed');
    expect(err.status).toBe(405);
  });
});
