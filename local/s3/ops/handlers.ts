/** The handler of every operation the local S3 serves. */
import type { S3Handler } from '../context.ts';
import type { S3Operation } from '../router.ts';
import {
  deleteBucketEncryption,
  deleteBucketTagging,
  getBucketEncryption,
  getBucketTagging,
  getBucketVersioning,
  putBucketEncryption,
  putBucketTagging,
  putBucketVersioning,
} from './bucket-config.ts';
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from './bucket-policy.ts';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './buckets.ts';
import { completeMultipartUpload } from './complete-upload.ts';
import { copyObject } from './copy-object.ts';
import { deleteObject, deleteObjects } from './delete-objects.ts';
import { listObjects, listObjectsV2 } from './list-objects.ts';
import { listObjectVersions } from './list-versions.ts';
import {
  abortMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
} from './multipart.ts';
import { getObjectAttributes } from './object-attributes.ts';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './object-tagging.ts';
import { putObject } from './put-object.ts';
import { getObject, headObject } from './read-object.ts';
import { uploadPartCopy } from './upload-part-copy.ts';

export const HANDLERS: Readonly<Record<S3Operation, S3Handler>> = {
  AbortMultipartUpload: abortMultipartUpload,
  CompleteMultipartUpload: completeMultipartUpload,
  CopyObject: copyObject,
  CreateBucket: createBucket,
  CreateMultipartUpload: createMultipartUpload,
  DeleteBucket: deleteBucket,
  DeleteBucketEncryption: deleteBucketEncryption,
  DeleteBucketPolicy: deleteBucketPolicy,
  DeleteBucketTagging: deleteBucketTagging,
  DeleteObject: deleteObject,
  DeleteObjectTagging: deleteObjectTagging,
  DeleteObjects: deleteObjects,
  GetBucketEncryption: getBucketEncryption,
  GetBucketLocation: getBucketLocation,
  GetBucketPolicy: getBucketPolicy,
  GetBucketTagging: getBucketTagging,
  GetBucketVersioning: getBucketVersioning,
  GetObject: getObject,
  GetObjectAttributes: getObjectAttributes,
  GetObjectTagging: getObjectTagging,
  HeadBucket: headBucket,
  HeadObject: headObject,
  ListBuckets: listBuckets,
  ListMultipartUploads: listMultipartUploads,
  ListObjectVersions: listObjectVersions,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListParts: listParts,
  PutBucketEncryption: putBucketEncryption,
  PutBucketPolicy: putBucketPolicy,
  PutBucketTagging: putBucketTagging,
  PutBucketVersioning: putBucketVersioning,
  PutObject: putObject,
  PutObjectTagging: putObjectTagging,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
};
