/**
 * The KMS errors the local service answers with: each builds an {@link AwsJsonError} whose code is the
 * exception shape name of the AWS KMS API (so the SDK raises `NotFoundException`, `DisabledException` …),
 * with messages worded as KMS words them. KMS answers every one of these with HTTP 400.
 */
import { AwsJsonError } from '../protocol/json.ts';

/** The codes S3 passes on (prefixed `KMS.`) when a key cannot be used. */
export type KeyUnusableCode = 'NotFoundException' | 'DisabledException' | 'KMSInvalidStateException';

function error(code: string, message: string): AwsJsonError {
  return new AwsJsonError(code, message, 400);
}

export const KmsErrors = {
  keyNotFound: (arn: string): AwsJsonError => error('NotFoundException', `Key '${arn}' does not exist`),
  aliasNotFound: (arn: string): AwsJsonError => error('NotFoundException', `Alias ${arn} is not found.`),
  invalidKeyId: (keyId: string): AwsJsonError => error('NotFoundException', `Invalid keyId ${keyId}`),
  /** A key or alias ARN of another region than the one the request is signed for. */
  otherRegion: (region: string): AwsJsonError => error('NotFoundException', `Invalid arn ${region}`),
  invalidArn: (value: string): AwsJsonError => error('InvalidArnException', `Invalid arn ${value}`),
  disabled: (arn: string): AwsJsonError => error('DisabledException', `${arn} is disabled.`),
  pendingDeletion: (arn: string): AwsJsonError =>
    error('KMSInvalidStateException', `${arn} is pending deletion.`),
  notPendingDeletion: (arn: string): AwsJsonError =>
    error('KMSInvalidStateException', `${arn} is not pending deletion.`),
  validation: (member: string, constraint: string): AwsJsonError =>
    error(
      'ValidationException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
    ),
  malformedPolicy: (detail: string): AwsJsonError => error('MalformedPolicyDocumentException', detail),
  invalidAliasName: (name: string, why: string): AwsJsonError =>
    error('InvalidAliasNameException', `Alias ${name} ${why}`),
  aliasExists: (arn: string): AwsJsonError =>
    error('AlreadyExistsException', `An alias with the name ${arn} already exists`),
  keyExists: (arn: string): AwsJsonError =>
    error('AlreadyExistsException', `A key with the id ${arn} already exists`),
  unsupported: (what: string): AwsJsonError =>
    error('UnsupportedOperationException', `The local KMS supports only ${what}`),
  invalidMarker: (): AwsJsonError => error('InvalidMarkerException', 'The marker is not valid'),
};
