/**
 * What IAM authorizes for an S3 request: the action(s), the resource ARN of each and the condition
 * keys of the request — from the operation the router named (router.ts), the bucket, key, query and
 * headers. Pure: the hook that evaluates them against the caller's policies is authorizer.ts.
 *
 * Written from the Service Authorization Reference, "Actions, resources, and condition keys for
 * Amazon S3" (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html),
 * the User Guide's "Required permissions for Amazon S3 API operations"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html) and
 * each operation's "Permissions" section in the S3 API Reference:
 *
 * - GetObject / HeadObject: `s3:GetObject`, or `s3:GetObjectVersion` with `versionId` ("You need
 *   the relevant read object (or version) permission"). A missing object answers 404 only with
 *   `s3:ListBucket` on the bucket, else 403 — authorizer.ts applies that rule.
 * - PutObject: `s3:PutObject`; `x-amz-tagging` also needs `s3:PutObjectTagging`, a canned or
 *   granted ACL (`x-amz-acl`, `x-amz-grant-*`) `s3:PutObjectAcl`.
 * - CopyObject: `s3:PutObject` on the destination, `s3:GetObject` (`s3:GetObjectVersion` for a
 *   source `?versionId=`) on the source; copying the source's tags (tagging directive COPY, the
 *   default, of a source that has tags) also needs `s3:GetObjectTagging`
 *   (`s3:GetObjectVersionTagging`) on the source and `s3:PutObjectTagging` on the destination, as
 *   does REPLACE with `x-amz-tagging` on the destination; an ACL header `s3:PutObjectAcl`.
 * - UploadPartCopy: `s3:PutObject` on the destination, `s3:GetObject(Version)` on the source.
 * - CreateMultipartUpload, UploadPart, CompleteMultipartUpload: `s3:PutObject` (Create with
 *   `x-amz-tagging` / ACL headers as PutObject); AbortMultipartUpload: `s3:AbortMultipartUpload`;
 *   ListParts: `s3:ListMultipartUploadParts`; ListMultipartUploads:
 *   `s3:ListBucketMultipartUploads` on the bucket.
 * - ListObjects(V2), HeadBucket: `s3:ListBucket`; ListObjectVersions: `s3:ListBucketVersions`.
 * - GetObjectAttributes: `s3:GetObject` and `s3:GetObjectAttributes`, with `versionId`
 *   `s3:GetObjectVersion` and `s3:GetObjectVersionAttributes` (its API reference asks for both).
 * - Get/Put/DeleteObjectTagging: `s3:GetObjectTagging` / `s3:PutObjectTagging` /
 *   `s3:DeleteObjectTagging`, the `…Version…` action with `versionId`.
 * - DeleteObject: `s3:DeleteObject`, `s3:DeleteObjectVersion` with `versionId`. DeleteObjects is
 *   authorized per key in its body ({@link deleteObjectPermission}), each denial a per-key
 *   `<Error>` as S3 answers.
 * - Bucket configuration: Get/PutBucketTagging → `s3:Get/PutBucketTagging`, DeleteBucketTagging →
 *   `s3:PutBucketTagging`; Get/PutBucketEncryption and DeleteBucketEncryption →
 *   `s3:Get/PutEncryptionConfiguration`; Get/PutBucketVersioning → `s3:Get/PutBucketVersioning`;
 *   GetBucketLocation → `s3:GetBucketLocation`; Put/Get/DeleteBucketPolicy →
 *   `s3:Put/Get/DeleteBucketPolicy`; CreateBucket / DeleteBucket → `s3:CreateBucket` /
 *   `s3:DeleteBucket`; ListBuckets → `s3:ListAllMyBuckets` on `*`.
 *
 * Condition keys set: `s3:x-amz-server-side-encryption`, `s3:x-amz-server-side-encryption-aws-kms-key-id`,
 * `s3:x-amz-acl`, `s3:x-amz-storage-class`, `s3:x-amz-metadata-directive`, `s3:x-amz-copy-source`,
 * `s3:versionid`, and for listings `s3:prefix`, `s3:delimiter`, `s3:max-keys` — when the request
 * carries them. The relay's own plan (core/permissions/plan.ts) puts conditions on KMS grants
 * only; these are for bucket and identity policies users write. Not set: `s3:ExistingObjectTag/…`,
 * `s3:RequestObjectTag/…`, `s3:TlsVersion`, `s3:signatureversion`, `aws:SourceIp`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { partitionOf } from '../../core/regions.ts';
import { type CopySourceRef, parseCopySource } from './copy-source.ts';
import type { S3Operation } from './router.ts';

/** One action on one resource that IAM must allow. */
export interface S3Permission {
  readonly action: string;
  readonly resource: string;
}

/** What the mapping reads of a request. */
export interface S3AuthorizationInput {
  readonly operation: S3Operation;
  readonly bucket?: string;
  readonly key?: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The partition of the request's bucket (`aws`, `aws-cn` …). @default 'aws' */
  readonly partition?: string;
  /**
   * Whether a copy source (the version it names, else the current one) has tags — a copy with the
   * COPY tagging directive reads them only then. @default () => false
   */
  readonly sourceHasTags?: (source: CopySourceRef) => boolean;
}

/** The actions, resources and condition keys of a request. */
export interface S3Authorization {
  readonly permissions: readonly S3Permission[];
  readonly context: Readonly<Record<string, string>>;
}

/** The partition of a bucket's region, for its ARNs. */
export function bucketPartition(region: string | undefined): string {
  return region === undefined ? 'aws' : partitionOf(region);
}

/** `arn:<partition>:s3:::<bucket>`. */
export function bucketArn(bucket: string, partition = 'aws'): string {
  return `arn:${partition}:s3:::${bucket}`;
}

/** The bucket an S3 resource ARN names (`arn:…:s3:::<bucket>[/<key>]`); `undefined` for `*`. */
export function bucketOfArn(resource: string): string | undefined {
  const at = resource.indexOf(':::');
  if (!resource.startsWith('arn:') || at < 0) return undefined;
  const path = resource.slice(at + 3);
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(0, slash);
}

/** `arn:<partition>:s3:::<bucket>/<key>`, the key as it is (a request names one literal key). */
export function objectArn(bucket: string, key: string, partition = 'aws'): string {
  return `${bucketArn(bucket, partition)}/${key}`;
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(',') : value;
}

const ACL_HEADERS = [
  'x-amz-acl',
  'x-amz-grant-full-control',
  'x-amz-grant-read',
  'x-amz-grant-read-acp',
  'x-amz-grant-write-acp',
];

function setsAcl(headers: IncomingHttpHeaders): boolean {
  return ACL_HEADERS.some((name) => headers[name] !== undefined);
}

/** `versioned` when the request names a version, else `plain`. */
function byVersion(query: URLSearchParams, plain: string, versioned: string): string {
  return query.has('versionId') ? versioned : plain;
}

/** The write permissions of PutObject and CreateMultipartUpload: the object, its tags, its ACL. */
function writeWithExtras(object: string, headers: IncomingHttpHeaders): S3Permission[] {
  return [
    { action: 's3:PutObject', resource: object },
    ...(headers['x-amz-tagging'] !== undefined ? [{ action: 's3:PutObjectTagging', resource: object }] : []),
    ...(setsAcl(headers) ? [{ action: 's3:PutObjectAcl', resource: object }] : []),
  ];
}

function copySourcePermissions(ref: CopySourceRef, partition: string, copiesTags: boolean): S3Permission[] {
  const source = objectArn(ref.bucket, ref.key, partition);
  const versioned = ref.versionId !== undefined;
  return [
    { action: versioned ? 's3:GetObjectVersion' : 's3:GetObject', resource: source },
    ...(copiesTags
      ? [{ action: versioned ? 's3:GetObjectVersionTagging' : 's3:GetObjectTagging', resource: source }]
      : []),
  ];
}

/** Whether a CopyObject copies its source's tags: the tagging directive is COPY (the default). */
export function copiesSourceTags(headers: IncomingHttpHeaders): boolean {
  return (headerOf(headers, 'x-amz-tagging-directive') ?? 'COPY') === 'COPY';
}

function copyObjectPermissions(
  input: S3AuthorizationInput,
  object: string,
  partition: string,
): S3Permission[] {
  const ref = parseCopySource(headerOf(input.headers, 'x-amz-copy-source') ?? '');
  const directive = headerOf(input.headers, 'x-amz-tagging-directive') ?? 'COPY';
  const copiesTags = copiesSourceTags(input.headers) && (input.sourceHasTags?.(ref) ?? false);
  const writesTags = copiesTags || (directive === 'REPLACE' && input.headers['x-amz-tagging'] !== undefined);
  return [
    { action: 's3:PutObject', resource: object },
    ...(writesTags ? [{ action: 's3:PutObjectTagging', resource: object }] : []),
    ...(setsAcl(input.headers) ? [{ action: 's3:PutObjectAcl', resource: object }] : []),
    ...copySourcePermissions(ref, partition, copiesTags),
  ];
}

/** The actions of an object-level operation. */
function objectPermissions(input: S3AuthorizationInput, object: string, partition: string): S3Permission[] {
  const { query, headers } = input;
  const on = (action: string): S3Permission[] => [{ action, resource: object }];
  switch (input.operation) {
    case 'GetObject':
    case 'HeadObject':
      return on(byVersion(query, 's3:GetObject', 's3:GetObjectVersion'));
    case 'PutObject':
    case 'CreateMultipartUpload':
      return writeWithExtras(object, headers);
    case 'CopyObject':
      return copyObjectPermissions(input, object, partition);
    case 'UploadPartCopy': {
      const ref = parseCopySource(headerOf(headers, 'x-amz-copy-source') ?? '');
      return [...on('s3:PutObject'), ...copySourcePermissions(ref, partition, false)];
    }
    case 'UploadPart':
    case 'CompleteMultipartUpload':
      return on('s3:PutObject');
    case 'AbortMultipartUpload':
      return on('s3:AbortMultipartUpload');
    case 'ListParts':
      return on('s3:ListMultipartUploadParts');
    case 'GetObjectAttributes':
      return query.has('versionId')
        ? [...on('s3:GetObjectVersion'), ...on('s3:GetObjectVersionAttributes')]
        : [...on('s3:GetObject'), ...on('s3:GetObjectAttributes')];
    case 'GetObjectTagging':
      return on(byVersion(query, 's3:GetObjectTagging', 's3:GetObjectVersionTagging'));
    case 'PutObjectTagging':
      return on(byVersion(query, 's3:PutObjectTagging', 's3:PutObjectVersionTagging'));
    case 'DeleteObjectTagging':
      return on(byVersion(query, 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'));
    case 'DeleteObject':
      return on(byVersion(query, 's3:DeleteObject', 's3:DeleteObjectVersion'));
    default:
      // The router names only the operations above for an object; anything new is refused until
      // it is mapped (an action no policy grants).
      return on(`s3:${input.operation}`);
  }
}

/** Bucket-level operations → their action on the bucket (DeleteObjects: per key, none here). */
const BUCKET_ACTIONS: Partial<Readonly<Record<S3Operation, string | null>>> = {
  CreateBucket: 's3:CreateBucket',
  DeleteBucket: 's3:DeleteBucket',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketPolicy: 's3:DeleteBucketPolicy',
  DeleteBucketTagging: 's3:PutBucketTagging',
  DeleteObjects: null,
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  GetBucketLocation: 's3:GetBucketLocation',
  GetBucketPolicy: 's3:GetBucketPolicy',
  GetBucketTagging: 's3:GetBucketTagging',
  GetBucketVersioning: 's3:GetBucketVersioning',
  HeadBucket: 's3:ListBucket',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  ListObjectVersions: 's3:ListBucketVersions',
  ListObjects: 's3:ListBucket',
  ListObjectsV2: 's3:ListBucket',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  PutBucketPolicy: 's3:PutBucketPolicy',
  PutBucketTagging: 's3:PutBucketTagging',
  PutBucketVersioning: 's3:PutBucketVersioning',
};

const CONTEXT_HEADERS = [
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-acl',
  'x-amz-storage-class',
  'x-amz-metadata-directive',
  'x-amz-copy-source',
];

const LISTING_PARAMS = ['prefix', 'delimiter', 'max-keys'];

function contextOf(input: S3AuthorizationInput): Record<string, string> {
  const context: Record<string, string> = {};
  for (const name of CONTEXT_HEADERS) {
    const value = headerOf(input.headers, name);
    if (value !== undefined) context[`s3:${name}`] = value;
  }
  const versionId = input.query.get('versionId');
  if (versionId !== null && input.key !== undefined) context['s3:versionid'] = versionId;
  if (input.key === undefined) {
    for (const param of LISTING_PARAMS) {
      const value = input.query.get(param);
      if (value !== null) context[`s3:${param}`] = value;
    }
  }
  return context;
}

/**
 * The permissions and condition keys of an S3 request.
 * @throws S3Error InvalidArgument for a malformed `x-amz-copy-source` (as the copy itself would).
 */
export function s3Authorization(input: S3AuthorizationInput): S3Authorization {
  const partition = input.partition ?? 'aws';
  const context = contextOf(input);
  if (input.bucket === undefined) {
    return { permissions: [{ action: 's3:ListAllMyBuckets', resource: '*' }], context };
  }
  if (input.key !== undefined) {
    const object = objectArn(input.bucket, input.key, partition);
    return { permissions: objectPermissions(input, object, partition), context };
  }
  const action = BUCKET_ACTIONS[input.operation];
  if (action === null) return { permissions: [], context };
  return {
    permissions: [
      { action: action ?? `s3:${input.operation}`, resource: bucketArn(input.bucket, partition) },
    ],
    context,
  };
}

/** The permission one key of a DeleteObjects request needs. */
export function deleteObjectPermission(
  bucket: string,
  key: string,
  versionId: string | undefined,
  partition = 'aws',
): S3Permission {
  return {
    action: versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion',
    resource: objectArn(bucket, key, partition),
  };
}
