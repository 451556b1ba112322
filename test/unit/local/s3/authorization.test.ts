import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  deleteObjectPermission,
  type S3Permission,
  s3Authorization,
} from '../../../../local/s3/authorization.ts';
import { S3Error } from '../../../../local/s3/errors.ts';
import type { S3Operation } from '../../../../local/s3/router.ts';

// Each row follows the S3 "Required permissions for Amazon S3 API operations" page and the
// operation's "Permissions" section in the API reference (see local/s3/authorization.ts).

const OBJECT = 'arn:aws:s3:::b/dir/k.zip';
const BUCKET = 'arn:aws:s3:::b';
const SOURCE = 'arn:aws:s3:::src/in/a.zip';

function permissionsOf(
  operation: S3Operation,
  path: string,
  headers: IncomingHttpHeaders = {},
  sourceHasTags = false,
): S3Permission[] {
  const [p = '', q = ''] = path.split('?');
  const [bucket, ...rest] = p.replace(/^\//, '').split('/');
  const key = rest.join('/');
  return [
    ...s3Authorization({
      operation,
      query: new URLSearchParams(q),
      headers,
      ...(bucket ? { bucket } : {}),
      ...(key ? { key } : {}),
      sourceHasTags: () => sourceHasTags,
    }).permissions,
  ];
}

const on = (resource: string, ...actions: string[]): S3Permission[] =>
  actions.map((action) => ({ action, resource }));

describe('the IAM actions of each S3 operation', () => {
  it.each<[S3Operation, string, S3Permission[]]>([
    ['GetObject', '/b/dir/k.zip', on(OBJECT, 's3:GetObject')],
    ['GetObject', '/b/dir/k.zip?versionId=v1', on(OBJECT, 's3:GetObjectVersion')],
    ['HeadObject', '/b/dir/k.zip', on(OBJECT, 's3:GetObject')],
    ['HeadObject', '/b/dir/k.zip?versionId=v1', on(OBJECT, 's3:GetObjectVersion')],
    ['PutObject', '/b/dir/k.zip', on(OBJECT, 's3:PutObject')],
    ['CreateMultipartUpload', '/b/dir/k.zip?uploads', on(OBJECT, 's3:PutObject')],
    ['UploadPart', '/b/dir/k.zip?uploadId=u&partNumber=1', on(OBJECT, 's3:PutObject')],
    ['CompleteMultipartUpload', '/b/dir/k.zip?uploadId=u', on(OBJECT, 's3:PutObject')],
    ['AbortMultipartUpload', '/b/dir/k.zip?uploadId=u', on(OBJECT, 's3:AbortMultipartUpload')],
    ['ListParts', '/b/dir/k.zip?uploadId=u', on(OBJECT, 's3:ListMultipartUploadParts')],
    ['ListMultipartUploads', '/b?uploads', on(BUCKET, 's3:ListBucketMultipartUploads')],
    ['ListObjectsV2', '/b?list-type=2', on(BUCKET, 's3:ListBucket')],
    ['ListObjects', '/b', on(BUCKET, 's3:ListBucket')],
    ['ListObjectVersions', '/b?versions', on(BUCKET, 's3:ListBucketVersions')],
    ['HeadBucket', '/b', on(BUCKET, 's3:ListBucket')],
    ['GetBucketTagging', '/b?tagging', on(BUCKET, 's3:GetBucketTagging')],
    ['PutBucketTagging', '/b?tagging', on(BUCKET, 's3:PutBucketTagging')],
    ['DeleteBucketTagging', '/b?tagging', on(BUCKET, 's3:PutBucketTagging')],
    ['GetBucketEncryption', '/b?encryption', on(BUCKET, 's3:GetEncryptionConfiguration')],
    ['PutBucketEncryption', '/b?encryption', on(BUCKET, 's3:PutEncryptionConfiguration')],
    ['DeleteBucketEncryption', '/b?encryption', on(BUCKET, 's3:PutEncryptionConfiguration')],
    ['GetBucketVersioning', '/b?versioning', on(BUCKET, 's3:GetBucketVersioning')],
    ['PutBucketVersioning', '/b?versioning', on(BUCKET, 's3:PutBucketVersioning')],
    ['GetBucketLocation', '/b?location', on(BUCKET, 's3:GetBucketLocation')],
    ['CreateBucket', '/b', on(BUCKET, 's3:CreateBucket')],
    ['DeleteBucket', '/b', on(BUCKET, 's3:DeleteBucket')],
    ['ListBuckets', '/', on('*', 's3:ListAllMyBuckets')],
    ['GetObjectAttributes', '/b/dir/k.zip?attributes', on(OBJECT, 's3:GetObject', 's3:GetObjectAttributes')],
    [
      'GetObjectAttributes',
      '/b/dir/k.zip?attributes&versionId=v1',
      on(OBJECT, 's3:GetObjectVersion', 's3:GetObjectVersionAttributes'),
    ],
    ['GetObjectTagging', '/b/dir/k.zip?tagging', on(OBJECT, 's3:GetObjectTagging')],
    ['GetObjectTagging', '/b/dir/k.zip?tagging&versionId=v1', on(OBJECT, 's3:GetObjectVersionTagging')],
    ['PutObjectTagging', '/b/dir/k.zip?tagging', on(OBJECT, 's3:PutObjectTagging')],
    ['PutObjectTagging', '/b/dir/k.zip?tagging&versionId=v1', on(OBJECT, 's3:PutObjectVersionTagging')],
    ['DeleteObjectTagging', '/b/dir/k.zip?tagging', on(OBJECT, 's3:DeleteObjectTagging')],
    ['DeleteObject', '/b/dir/k.zip', on(OBJECT, 's3:DeleteObject')],
    ['DeleteObject', '/b/dir/k.zip?versionId=v1', on(OBJECT, 's3:DeleteObjectVersion')],
    ['DeleteObjects', '/b?delete', []],
  ])('%s %s', (operation, path, expected) => {
    expect(permissionsOf(operation, path)).toEqual(expected);
  });

  it('adds s3:PutObjectTagging for x-amz-tagging and s3:PutObjectAcl for an ACL header on PutObject', () => {
    expect(
      permissionsOf('PutObject', '/b/dir/k.zip', {
        'x-amz-tagging': 'a=b',
        'x-amz-acl': 'bucket-owner-full-control',
      }),
    ).toEqual(on(OBJECT, 's3:PutObject', 's3:PutObjectTagging', 's3:PutObjectAcl'));
    expect(
      permissionsOf('CreateMultipartUpload', '/b/dir/k.zip?uploads', { 'x-amz-tagging': 'a=b' }),
    ).toEqual(on(OBJECT, 's3:PutObject', 's3:PutObjectTagging'));
  });

  it('asks a copy for s3:PutObject on the destination and s3:GetObject(Version) on the source', () => {
    expect(permissionsOf('CopyObject', '/b/dir/k.zip', { 'x-amz-copy-source': '/src/in/a.zip' })).toEqual([
      ...on(OBJECT, 's3:PutObject'),
      ...on(SOURCE, 's3:GetObject'),
    ]);
    expect(
      permissionsOf('CopyObject', '/b/dir/k.zip', { 'x-amz-copy-source': 'src/in%2Fa.zip?versionId=v7' }),
    ).toEqual([...on(OBJECT, 's3:PutObject'), ...on(SOURCE, 's3:GetObjectVersion')]);
    expect(
      permissionsOf('UploadPartCopy', '/b/dir/k.zip?uploadId=u&partNumber=2', {
        'x-amz-copy-source': 'src/in/a.zip?versionId=v7',
      }),
    ).toEqual([...on(OBJECT, 's3:PutObject'), ...on(SOURCE, 's3:GetObjectVersion')]);
  });

  it('asks a copy that copies the source tags for the tagging actions on both sides', () => {
    const tagged = permissionsOf(
      'CopyObject',
      '/b/dir/k.zip',
      { 'x-amz-copy-source': 'src/in/a.zip?versionId=v7', 'x-amz-acl': 'bucket-owner-full-control' },
      true,
    );
    expect(tagged).toEqual([
      ...on(OBJECT, 's3:PutObject', 's3:PutObjectTagging', 's3:PutObjectAcl'),
      ...on(SOURCE, 's3:GetObjectVersion', 's3:GetObjectVersionTagging'),
    ]);
    const replaced = permissionsOf(
      'CopyObject',
      '/b/dir/k.zip',
      { 'x-amz-copy-source': 'src/in/a.zip', 'x-amz-tagging-directive': 'REPLACE', 'x-amz-tagging': 'x=y' },
      true,
    );
    expect(replaced).toEqual([
      ...on(OBJECT, 's3:PutObject', 's3:PutObjectTagging'),
      ...on(SOURCE, 's3:GetObject'),
    ]);
  });

  it('refuses a malformed copy source as the copy would', () => {
    expect(() => permissionsOf('CopyObject', '/b/k', { 'x-amz-copy-source': 'nokey' })).toThrow(S3Error);
  });

  it('names the partition of the bucket in the ARN', () => {
    const { permissions } = s3Authorization({
      operation: 'GetObject',
      bucket: 'b',
      key: 'k',
      query: new URLSearchParams(),
      headers: {},
      partition: 'aws-cn',
    });
    expect(permissions).toEqual(on('arn:aws-cn:s3:::b/k', 's3:GetObject'));
  });

  it('gives DeleteObjects one permission per key', () => {
    expect(deleteObjectPermission('b', 'dir/k.zip', undefined)).toEqual(on(OBJECT, 's3:DeleteObject')[0]);
    expect(deleteObjectPermission('b', 'dir/k.zip', 'v1')).toEqual(on(OBJECT, 's3:DeleteObjectVersion')[0]);
  });
});

describe('the condition keys of an S3 request', () => {
  it('carries the encryption, ACL and version headers a policy may test', () => {
    const { context } = s3Authorization({
      operation: 'PutObject',
      bucket: 'b',
      key: 'k',
      query: new URLSearchParams('versionId=v1'),
      headers: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/k',
        'x-amz-acl': 'bucket-owner-full-control',
      },
    });
    expect(context).toEqual({
      's3:x-amz-server-side-encryption': 'aws:kms',
      's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/k',
      's3:x-amz-acl': 'bucket-owner-full-control',
      's3:versionid': 'v1',
    });
  });

  it('carries the listing parameters of a bucket request', () => {
    const { context } = s3Authorization({
      operation: 'ListObjectsV2',
      bucket: 'b',
      query: new URLSearchParams('list-type=2&prefix=build_artifacts/&delimiter=/'),
      headers: {},
    });
    expect(context).toEqual({ 's3:prefix': 'build_artifacts/', 's3:delimiter': '/' });
  });
});
