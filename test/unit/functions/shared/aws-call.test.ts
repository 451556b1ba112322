import { describe, expect, it } from 'vitest';
import { AccessDenied, TransientAwsError } from '../../../../core/errors.ts';
import {
  awsCall,
  isMissingObject,
  isPreconditionFailed,
  sendOptions,
} from '../../../../functions/shared/aws-call.ts';
import { awsError } from '../fixtures.ts';

describe('aws-call helpers', () => {
  it('recognises a missing object by status (HEAD) or code, but not a missing bucket or upload', () => {
    // Arrange / Act / Assert
    expect(isMissingObject(awsError('NotFound', 404))).toBe(true);
    expect(isMissingObject(awsError('NoSuchVersion', 404))).toBe(true);
    expect(isMissingObject(awsError('MethodNotAllowed', 405))).toBe(true);
    expect(isMissingObject(awsError('NoSuchBucket', 404))).toBe(false);
    expect(isMissingObject(awsError('NoSuchUpload', 404))).toBe(false);
  });

  it('recognises a failed precondition by status even without a code (HEAD has no body)', () => {
    // Arrange / Act / Assert
    expect(isPreconditionFailed(awsError('Unknown', 412))).toBe(true);
    expect(isPreconditionFailed(awsError('AccessDenied', 403))).toBe(false);
  });

  it('turns SDK failures into the relay errors that say what they mean', async () => {
    // Arrange
    const throttled = () => Promise.reject(awsError('SlowDown', 503));
    const denied = () => Promise.reject(awsError('AccessDenied', 403));
    const context = { operation: 's3:CopyObject', side: 'target' as const };

    // Act / Assert
    await expect(awsCall(throttled, context)).rejects.toBeInstanceOf(TransientAwsError);
    await expect(awsCall(denied, context)).rejects.toBeInstanceOf(AccessDenied);
  });

  it('hands the signal to the SDK only when there is one', () => {
    // Arrange
    const signal = new AbortController().signal;

    // Act / Assert
    expect(sendOptions(signal)).toEqual({ abortSignal: signal });
    expect(sendOptions(undefined)).toEqual({});
  });
});
