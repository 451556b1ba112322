/**
 * S3's modelled errors: a code, an HTTP status, a message and the extra elements S3 puts in the XML error
 * body (`<BucketName>`, `<Key>`, `<Region>` …). Codes, statuses and messages follow the Amazon S3 API
 * reference ("Error responses") so that SDKs and the AWS CLI map them to the same exceptions.
 */

/** An error S3 answers with: `<Error><Code/><Message/>…</Error>` and the HTTP status. */
export class S3Error extends Error {
  override readonly name = 'S3Error';
  constructor(
    /** The `<Code>` clients match on (`NoSuchKey`, `BadDigest` …). */
    readonly code: string,
    message: string,
    readonly status: number,
    /** Extra child elements of `<Error>`, in order. */
    readonly details: Readonly<Record<string, string>> = {},
    /** Extra response headers (`x-amz-bucket-region`, `x-amz-delete-marker` …). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const GIB = 1024 ** 3;

/** Factories for the errors the local S3 returns, one per S3 error code. */
export const S3Errors = {
  accessDenied: (message = 'Access Denied'): S3Error => new S3Error('AccessDenied', message, 403),
  authorizationHeaderMalformed: (signed: string, expected: string): S3Error =>
    new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${signed}' is wrong; expecting '${expected}'`,
      400,
      { Region: expected },
      { 'x-amz-bucket-region': expected },
    ),
  badDigest: (message: string): S3Error => new S3Error('BadDigest', message, 400),
  bucketAlreadyExists: (bucket: string): S3Error =>
    new S3Error(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      409,
      { BucketName: bucket },
    ),
  bucketAlreadyOwnedByYou: (bucket: string): S3Error =>
    new S3Error(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string): S3Error =>
    new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: bucket }),
  entityTooLarge: (size: number, max: number): S3Error =>
    new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
      ProposedSize: String(size),
      MaxSizeAllowed: String(max),
    }),
  entityTooSmall: (size: number, min: number, partNumber: number, etag: string): S3Error =>
    new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
      ProposedSize: String(size),
      MinSizeAllowed: String(min),
      PartNumber: String(partNumber),
      ETag: etag,
    }),
  illegalLocationConstraint: (constraint: string | undefined): S3Error =>
    new S3Error(
      'IllegalLocationConstraintException',
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    ),
  incompleteBody: (): S3Error =>
    new S3Error(
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
      400,
    ),
  internalError: (): S3Error =>
    new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500),
  invalidArgument: (message: string, name?: string, value?: string): S3Error =>
    new S3Error('InvalidArgument', message, 400, {
      ...(name !== undefined ? { ArgumentName: name } : {}),
      ...(value !== undefined ? { ArgumentValue: value } : {}),
    }),
  invalidUri: (): S3Error => new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400),
  invalidBucketName: (bucket: string): S3Error =>
    new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: bucket }),
  invalidDigest: (): S3Error =>
    new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400),
  invalidLocationConstraint: (constraint: string): S3Error =>
    new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, {
      LocationConstraint: constraint,
    }),
  invalidObjectState: (storageClass: string): S3Error =>
    new S3Error('InvalidObjectState', "The operation is not valid for the object's storage class", 403, {
      StorageClass: storageClass,
    }),
  invalidPart: (partNumber: number, etag: string): S3Error =>
    new S3Error(
      'InvalidPart',
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      400,
      { PartNumber: String(partNumber), ETag: etag },
    ),
  invalidPartNumber: (): S3Error =>
    new S3Error('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416),
  invalidPartOrder: (): S3Error =>
    new S3Error(
      'InvalidPartOrder',
      'The list of parts was not in ascending order. Parts must be ordered by part number.',
      400,
    ),
  invalidRange: (range: string, size: number): S3Error =>
    new S3Error('InvalidRange', 'The requested range is not satisfiable', 416, {
      RangeRequested: range,
      ActualObjectSize: String(size),
    }),
  invalidRequest: (message: string): S3Error => new S3Error('InvalidRequest', message, 400),
  invalidStorageClass: (value: string): S3Error =>
    new S3Error('InvalidStorageClass', 'The storage class you specified is not valid', 400, {
      StorageClassRequested: value,
    }),
  invalidTag: (message: string): S3Error => new S3Error('InvalidTag', message, 400),
  keyTooLong: (size: number): S3Error =>
    new S3Error('KeyTooLongError', 'Your key is too long', 400, {
      Size: String(size),
      MaxSizeAllowed: '1024',
    }),
  kmsNotFound: (message: string): S3Error => new S3Error('KMS.NotFoundException', message, 400),
  malformedXml: (): S3Error =>
    new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
      400,
    ),
  malformedPolicy: (message: string): S3Error => new S3Error('MalformedPolicy', message, 400),
  maxMessageLengthExceeded: (): S3Error =>
    new S3Error('MaxMessageLengthExceeded', 'Your request was too big.', 400),
  metadataTooLarge: (size: number): S3Error =>
    new S3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', 400, {
      Size: String(size),
      MaxSizeAllowed: '2048',
    }),
  methodNotAllowed: (method: string, resourceType: string, headers: Record<string, string> = {}): S3Error =>
    new S3Error(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      405,
      { Method: method, ResourceType: resourceType },
      headers,
    ),
  missingContentLength: (): S3Error =>
    new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411),
  noSuchBucket: (bucket: string): S3Error =>
    new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket }),
  noSuchBucketPolicy: (bucket: string): S3Error =>
    new S3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404, { BucketName: bucket }),
  noSuchKey: (key: string, headers: Record<string, string> = {}): S3Error =>
    new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key }, headers),
  noSuchTagSet: (bucket: string): S3Error =>
    new S3Error('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: bucket }),
  noSuchUpload: (uploadId: string): S3Error =>
    new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      404,
      { UploadId: uploadId },
    ),
  noSuchVersion: (key: string, versionId: string): S3Error =>
    new S3Error('NoSuchVersion', 'The specified version does not exist.', 404, {
      Key: key,
      VersionId: versionId,
    }),
  notImplemented: (operation: string): S3Error =>
    new S3Error(
      'NotImplemented',
      `A header or query you provided requested a function that is not implemented: the local S3 does not implement ${operation}.`,
      501,
    ),
  notModified: (headers: Record<string, string>): S3Error =>
    new S3Error('NotModified', 'Not Modified', 304, {}, headers),
  permanentRedirect: (bucket: string, region: string, endpoint: string): S3Error =>
    new S3Error(
      'PermanentRedirect',
      'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
      301,
      { Endpoint: endpoint, Bucket: bucket },
      { 'x-amz-bucket-region': region },
    ),
  preconditionFailed: (condition: string): S3Error =>
    new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
      Condition: condition,
    }),
  slowDown: (): S3Error => new S3Error('SlowDown', 'Please reduce your request rate.', 503),
  xAmzContentSha256Mismatch: (client: string, computed: string): S3Error =>
    new S3Error(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      400,
      { ClientComputedContentSHA256: client, S3ComputedContentSHA256: computed },
    ),
} as const;

/** The largest single PUT (PutObject, UploadPart) S3 accepts: 5 GiB. */
export const MAX_PUT_BYTES = 5 * GIB;
