/**
 * Names the S3 operation a request asks for, from its method, whether it addresses the service, a bucket
 * or an object, its sub-resource query parameters (`?tagging`, `?uploads` …) and a few headers
 * (`x-amz-copy-source`). Requests for S3 features the local stack does not have are answered with
 * NotImplemented naming the operation, so nobody mistakes a missing feature for a bug in their code.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Errors } from './errors.ts';

/** Every operation the local S3 serves. */
export type S3Operation =
  | 'AbortMultipartUpload'
  | 'CompleteMultipartUpload'
  | 'CopyObject'
  | 'CreateBucket'
  | 'CreateMultipartUpload'
  | 'DeleteBucket'
  | 'DeleteBucketEncryption'
  | 'DeleteBucketPolicy'
  | 'DeleteBucketTagging'
  | 'DeleteObject'
  | 'DeleteObjectTagging'
  | 'DeleteObjects'
  | 'GetBucketEncryption'
  | 'GetBucketLocation'
  | 'GetBucketPolicy'
  | 'GetBucketTagging'
  | 'GetBucketVersioning'
  | 'GetObject'
  | 'GetObjectAttributes'
  | 'GetObjectTagging'
  | 'HeadBucket'
  | 'HeadObject'
  | 'ListBuckets'
  | 'ListMultipartUploads'
  | 'ListObjectVersions'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListParts'
  | 'PutBucketEncryption'
  | 'PutBucketPolicy'
  | 'PutBucketTagging'
  | 'PutBucketVersioning'
  | 'PutObject'
  | 'PutObjectTagging'
  | 'UploadPart'
  | 'UploadPartCopy';

/** What a request addresses. */
export interface RouteTarget {
  readonly method: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

/** Bucket sub-resources S3 has and the local S3 does not implement, by the operation's noun. */
const UNSUPPORTED_BUCKET: Readonly<Record<string, string>> = {
  accelerate: 'BucketAccelerateConfiguration',
  acl: 'BucketAcl',
  analytics: 'BucketAnalyticsConfiguration',
  cors: 'BucketCors',
  'intelligent-tiering': 'BucketIntelligentTieringConfiguration',
  inventory: 'BucketInventoryConfiguration',
  lifecycle: 'BucketLifecycleConfiguration',
  logging: 'BucketLogging',
  metadataTable: 'BucketMetadataTableConfiguration',
  metrics: 'BucketMetricsConfiguration',
  notification: 'BucketNotificationConfiguration',
  'object-lock': 'ObjectLockConfiguration',
  ownershipControls: 'BucketOwnershipControls',
  policyStatus: 'BucketPolicyStatus',
  publicAccessBlock: 'PublicAccessBlock',
  replication: 'BucketReplication',
  requestPayment: 'BucketRequestPayment',
  website: 'BucketWebsite',
};

/** Object sub-resources the local S3 does not implement. */
const UNSUPPORTED_OBJECT: Readonly<Record<string, string>> = {
  acl: 'ObjectAcl',
  'legal-hold': 'ObjectLegalHold',
  retention: 'ObjectRetention',
  torrent: 'ObjectTorrent',
};

const VERBS: Readonly<Record<string, string>> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head' };

function unsupported(method: string, table: Readonly<Record<string, string>>, query: URLSearchParams): void {
  for (const [param, noun] of Object.entries(table)) {
    if (query.has(param)) throw S3Errors.notImplemented(`${VERBS[method] ?? method}${noun} (?${param})`);
  }
}

function notAllowed(method: string, resourceType: string): never {
  throw S3Errors.methodNotAllowed(method, resourceType);
}

function serviceOperation(method: string): S3Operation {
  if (method === 'GET') return 'ListBuckets';
  return notAllowed(method, 'SERVICE');
}

function bucketOperation(method: string, query: URLSearchParams): S3Operation {
  switch (method) {
    case 'HEAD':
      return 'HeadBucket';
    case 'GET':
      if (query.has('location')) return 'GetBucketLocation';
      if (query.has('tagging')) return 'GetBucketTagging';
      if (query.has('versioning')) return 'GetBucketVersioning';
      if (query.has('encryption')) return 'GetBucketEncryption';
      if (query.has('policy')) return 'GetBucketPolicy';
      if (query.has('versions')) return 'ListObjectVersions';
      if (query.has('uploads')) return 'ListMultipartUploads';
      unsupported(method, UNSUPPORTED_BUCKET, query);
      return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    case 'PUT':
      if (query.has('tagging')) return 'PutBucketTagging';
      if (query.has('versioning')) return 'PutBucketVersioning';
      if (query.has('encryption')) return 'PutBucketEncryption';
      if (query.has('policy')) return 'PutBucketPolicy';
      unsupported(method, UNSUPPORTED_BUCKET, query);
      return 'CreateBucket';
    case 'DELETE':
      if (query.has('tagging')) return 'DeleteBucketTagging';
      if (query.has('encryption')) return 'DeleteBucketEncryption';
      if (query.has('policy')) return 'DeleteBucketPolicy';
      unsupported(method, UNSUPPORTED_BUCKET, query);
      return 'DeleteBucket';
    case 'POST':
      if (query.has('delete')) return 'DeleteObjects';
      throw S3Errors.notImplemented('PostObject (browser-based uploads)');
    default:
      return notAllowed(method, 'BUCKET');
  }
}

function objectOperation(method: string, query: URLSearchParams, headers: IncomingHttpHeaders): S3Operation {
  switch (method) {
    case 'HEAD':
      return 'HeadObject';
    case 'GET':
      if (query.has('tagging')) return 'GetObjectTagging';
      if (query.has('attributes')) return 'GetObjectAttributes';
      if (query.has('uploadId')) return 'ListParts';
      unsupported(method, UNSUPPORTED_OBJECT, query);
      return 'GetObject';
    case 'PUT':
      if (query.has('tagging')) return 'PutObjectTagging';
      if (query.has('uploadId') || query.has('partNumber')) {
        return headers['x-amz-copy-source'] !== undefined ? 'UploadPartCopy' : 'UploadPart';
      }
      unsupported(method, UNSUPPORTED_OBJECT, query);
      if (query.has('renameObject')) throw S3Errors.notImplemented('RenameObject (?renameObject)');
      return headers['x-amz-copy-source'] !== undefined ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      if (query.has('tagging')) return 'DeleteObjectTagging';
      if (query.has('uploadId')) return 'AbortMultipartUpload';
      unsupported(method, UNSUPPORTED_OBJECT, query);
      return 'DeleteObject';
    case 'POST':
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      if (query.has('restore')) throw S3Errors.notImplemented('RestoreObject (POST ?restore)');
      if (query.has('select')) throw S3Errors.notImplemented('SelectObjectContent (POST ?select)');
      return notAllowed(method, 'OBJECT');
    default:
      return notAllowed(method, 'OBJECT');
  }
}

/**
 * The operation a request asks for.
 * @throws S3Error NotImplemented (naming the operation) or MethodNotAllowed.
 */
export function identifyOperation(target: RouteTarget): S3Operation {
  const method = target.method.toUpperCase();
  if (target.bucket === undefined) return serviceOperation(method);
  if (target.key === undefined) return bucketOperation(method, target.query);
  return objectOperation(method, target.query, target.headers);
}
