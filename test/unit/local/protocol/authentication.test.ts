import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  type Admission,
  type AuthenticationFailure,
  Authenticator,
} from '../../../../local/protocol/authentication.ts';
import { presignPath, type RequestToSign, signHeaders } from '../../../helpers/sigv4-sign.ts';

const SIGNED_AT = new Date('2026-03-01T12:00:00Z');
const KEYS: Record<string, string> = { AKIDEXAMPLE: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: KEYS.AKIDEXAMPLE! };
const HOST = '127.0.0.1:4566';

/** A received request as the endpoint sees it (what the authenticator reads of node's IncomingMessage). */
function incoming(method: string, url: string, headers: Record<string, string>): IncomingMessage {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const distinct = Object.fromEntries(Object.entries(lower).map(([k, v]) => [k, [v]]));
  return { method, url, headers: lower, headersDistinct: distinct } as unknown as IncomingMessage;
}

function strict(at: Date = SIGNED_AT): Authenticator {
  return new Authenticator({
    verifySignatures: true,
    secretOf: (id) => KEYS[id],
    now: () => at.getTime(),
  });
}

function s3Get(overrides: Partial<RequestToSign> = {}): RequestToSign {
  return {
    method: 'GET',
    path: '/builds/web%201.zip?versionId=3%2B4&x-id=GetObject',
    headers: { host: HOST },
    credentials: CREDENTIALS,
    region: 'eu-west-1',
    date: SIGNED_AT,
    ...overrides,
  };
}

async function signedS3(request: RequestToSign): Promise<IncomingMessage> {
  return incoming(request.method, request.path, await signHeaders(request));
}

function refusal(admission: Admission): AuthenticationFailure {
  if (admission.refused === undefined) throw new Error('expected the request to be refused');
  return admission.refused;
}

describe('Authenticator with signature verification', () => {
  it('admits an S3 request signed with a known key pair', async () => {
    // Arrange
    const req = await signedS3(s3Get());

    // Act
    const admission = await strict().admit(req, 's3');

    // Assert
    expect(admission.refused).toBeUndefined();
  });

  it.each([
    ['UNSIGNED-PAYLOAD'],
    ['STREAMING-UNSIGNED-PAYLOAD-TRAILER'],
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD'],
    ['44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072'],
  ])('admits an S3 upload whose x-amz-content-sha256 is %s, signed as sent', async (payloadHash) => {
    // Arrange
    const req = await signedS3(
      s3Get({
        method: 'PUT',
        path: '/builds/a.zip',
        headers: { host: HOST, 'x-amz-content-sha256': payloadHash },
      }),
    );

    // Act
    const admission = await strict().admit(req, 's3');

    // Assert
    expect(admission.refused).toBeUndefined();
  });

  it('admits a request carrying headers it did not sign (Expect, Content-MD5 added later)', async () => {
    // Arrange
    const headers = await signHeaders(s3Get({ method: 'PUT', path: '/builds/a.zip' }));
    const req = incoming('PUT', '/builds/a.zip', {
      ...headers,
      expect: '100-continue',
      'content-md5': '1B2M2Y8AsgTpgAmYo8hpCA==',
    });

    // Act
    const admission = await strict().admit(req, 's3');

    // Assert
    expect(admission.refused).toBeUndefined();
  });

  it('answers 403 SignatureDoesNotMatch, with the canonical request, when a signed header was changed', async () => {
    // Arrange
    const request = s3Get({ headers: { host: HOST, 'x-amz-meta-build': '1' } });
    const headers = await signHeaders(request);
    const req = incoming('GET', request.path, { ...headers, 'x-amz-meta-build': '2' });

    // Act
    const failure = refusal(await strict().admit(req, 's3'));

    // Assert
    expect(failure.s3).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(failure.s3.message).toBe(
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
    expect(failure.s3.details?.CanonicalRequest).toContain('x-amz-meta-build:2');
    expect(failure.s3.details?.AWSAccessKeyId).toBe('AKIDEXAMPLE');
    expect(failure.json).toMatchObject({ code: 'InvalidSignatureException', status: 400 });
  });

  it('answers SignatureDoesNotMatch when the query was changed after signing', async () => {
    // Arrange
    const request = s3Get();
    const headers = await signHeaders(request);
    const req = incoming('GET', request.path.replace('versionId=3%2B4', 'versionId=5'), headers);

    // Act
    const failure = refusal(await strict().admit(req, 's3'));

    // Assert
    expect(failure.s3.code).toBe('SignatureDoesNotMatch');
  });

  it('answers SignatureDoesNotMatch for a request signed with another secret', async () => {
    // Arrange
    const req = await signedS3(
      s3Get({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'guess' } }),
    );

    // Act
    const failure = refusal(await strict().admit(req, 's3'));

    // Assert
    expect(failure.s3.code).toBe('SignatureDoesNotMatch');
  });

  it('answers 403 InvalidAccessKeyId (JSON: UnrecognizedClientException) for an access key it does not know', async () => {
    // Arrange
    const req = await signedS3(s3Get({ credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' } }));

    // Act
    const failure = refusal(await strict().admit(req, 's3'));

    // Assert
    expect(failure.s3).toMatchObject({
      code: 'InvalidAccessKeyId',
      status: 403,
      message: 'The AWS Access Key Id you provided does not exist in our records.',
      details: { AWSAccessKeyId: 'AKIDOTHER' },
    });
    expect(failure.json).toMatchObject({
      code: 'UnrecognizedClientException',
      status: 400,
      message: 'The security token included in the request is invalid.',
    });
  });

  it('answers 403 RequestTimeTooSkewed for a request signed 16 minutes before the clock', async () => {
    // Arrange
    const req = await signedS3(s3Get());
    const later = new Date(SIGNED_AT.getTime() + 16 * 60 * 1000);

    // Act
    const failure = refusal(await strict(later).admit(req, 's3'));

    // Assert
    expect(failure.s3).toMatchObject({
      code: 'RequestTimeTooSkewed',
      status: 403,
      message: 'The difference between the request time and the current time is too large.',
      details: {
        RequestTime: '20260301T120000Z',
        ServerTime: '2026-03-01T12:16:00Z',
        MaxAllowedSkewMilliseconds: '900000',
      },
    });
  });

  it('answers a JSON request signed 16 minutes ago with 400 InvalidSignatureException "Signature expired"', async () => {
    // Arrange
    const body = '{"maxResults":1}';
    const headers = await signHeaders({
      method: 'POST',
      path: '/',
      headers: { host: HOST, 'x-amz-target': 'AWSStepFunctions.ListStateMachines' },
      body,
      service: 'states',
      credentials: CREDENTIALS,
      date: SIGNED_AT,
    });
    const later = new Date(SIGNED_AT.getTime() + 16 * 60 * 1000);

    // Act
    const failure = refusal(await strict(later).admit(incoming('POST', '/', headers), 'json'));

    // Assert
    expect(failure.json).toEqual({
      code: 'InvalidSignatureException',
      status: 400,
      message:
        'Signature expired: 20260301T120000Z is now earlier than 20260301T120100Z (20260301T121600Z - 15 min.)',
    });
  });

  it('admits a signed request 14 minutes off the clock', async () => {
    // Arrange
    const req = await signedS3(s3Get());
    const earlier = new Date(SIGNED_AT.getTime() - 14 * 60 * 1000);

    // Act
    const admission = await strict(earlier).admit(req, 's3');

    // Assert
    expect(admission.refused).toBeUndefined();
  });

  it('verifies a JSON-protocol signature over the body once it is read', async () => {
    // Arrange
    const body = '{"maxResults":1}';
    const headers = await signHeaders({
      method: 'POST',
      path: '/',
      headers: {
        host: HOST,
        'x-amz-target': 'TrentService.ListKeys',
        'content-type': 'application/x-amz-json-1.1',
      },
      body,
      service: 'kms',
      region: 'us-west-2',
      credentials: CREDENTIALS,
      date: SIGNED_AT,
    });
    const admission = await strict().admit(incoming('POST', '/', headers), 'json');

    // Act
    const same = await admission.verifyBody?.(Buffer.from(body));
    const changed = await admission.verifyBody?.(Buffer.from('{"maxResults":2}'));

    // Assert
    expect(admission.refused).toBeUndefined();
    expect(same).toBeUndefined();
    expect(changed?.json.code).toBe('InvalidSignatureException');
    expect(changed?.json.message).toContain('The Canonical String for this request should have been');
  });

  it('admits a presigned GET URL until it expires, then answers 403 AccessDenied "Request has expired"', async () => {
    // Arrange
    const path = await presignPath({ ...s3Get(), expiresIn: 300 });
    const req = incoming('GET', path, { host: HOST });
    const afterExpiry = new Date(SIGNED_AT.getTime() + 301 * 1000);

    // Act
    const inTime = await strict(new Date(SIGNED_AT.getTime() + 299 * 1000)).admit(req, 's3');
    const late = refusal(await strict(afterExpiry).admit(req, 's3'));

    // Assert
    expect(inTime.refused).toBeUndefined();
    expect(late.s3).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message: 'Request has expired',
      details: {
        'X-Amz-Expires': '300',
        Expires: '2026-03-01T12:05:00Z',
        ServerTime: '2026-03-01T12:05:01Z',
      },
    });
  });

  it('answers SignatureDoesNotMatch for a presigned URL whose path was changed', async () => {
    // Arrange
    const path = await presignPath({ ...s3Get(), expiresIn: 300 });
    const req = incoming('GET', path.replace('web%201.zip', 'web%202.zip'), { host: HOST });

    // Act
    const failure = refusal(await strict().admit(req, 's3'));

    // Assert
    expect(failure.s3.code).toBe('SignatureDoesNotMatch');
  });

  it('answers 400 AuthorizationQueryParametersError for a presigned URL valid longer than a week', async () => {
    // Arrange
    const path = await presignPath({ ...s3Get(), expiresIn: 300 });
    const req = incoming('GET', path.replace('X-Amz-Expires=300', 'X-Amz-Expires=604801'), { host: HOST });

    // Act
    const failure = refusal(await strict().admit(req, 's3'));

    // Assert
    expect(failure.s3).toMatchObject({
      code: 'AuthorizationQueryParametersError',
      status: 400,
      message: 'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    });
  });

  it('answers 400 InvalidRequest when a header-signed S3 request has no x-amz-content-sha256', async () => {
    // Arrange
    const headers = await signHeaders(s3Get());
    delete headers['x-amz-content-sha256'];

    // Act
    const failure = refusal(await strict().admit(incoming('GET', s3Get().path, headers), 's3'));

    // Assert
    expect(failure.s3).toMatchObject({ code: 'InvalidRequest', status: 400 });
  });
});

describe('Authenticator, always', () => {
  const lenient = new Authenticator();

  it('answers an unsigned S3 request with 403 AccessDenied and a JSON one with 403 MissingAuthenticationTokenException', async () => {
    // Arrange
    const req = incoming('GET', '/builds/a.zip', { host: HOST });

    // Act
    const failure = refusal(await lenient.admit(req, 's3'));

    // Assert
    expect(failure.s3).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(failure.json).toEqual({
      code: 'MissingAuthenticationTokenException',
      status: 403,
      message: 'Missing Authentication Token',
    });
  });

  it.each([
    [
      'an Authorization header',
      '/builds/a.zip',
      { authorization: 'AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' },
    ],
    ['a query', '/builds/a.zip?AWSAccessKeyId=AKIDEXAMPLE&Expires=1&Signature=abc', {}],
  ])('refuses Signature Version 2 in %s, saying SigV4 is required', async (_where, url, headers) => {
    // Arrange
    const req = incoming('GET', url, { host: HOST, ...headers });

    // Act
    const failure = refusal(await lenient.admit(req, 's3'));

    // Assert
    expect(failure.s3).toEqual({
      code: 'InvalidRequest',
      status: 400,
      message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    });
    expect(failure.json.code).toBe('IncompleteSignatureException');
    expect(failure.json.message).toContain('Signature Version 4 (AWS4-HMAC-SHA256)');
  });

  it('answers 400 AuthorizationHeaderMalformed for a SigV4 header without a Signature', async () => {
    // Arrange
    const req = incoming('GET', '/builds/a.zip', {
      host: HOST,
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/s3/aws4_request, SignedHeaders=host',
    });

    // Act
    const failure = refusal(await lenient.admit(req, 's3'));

    // Assert
    expect(failure.s3.code).toBe('AuthorizationHeaderMalformed');
    expect(failure.s3.message).toContain("'Signature'");
  });

  it('admits any SigV4 signature when verification is off', async () => {
    // Arrange
    const req = await signedS3(
      s3Get({ credentials: { accessKeyId: 'anyone', secretAccessKey: 'anything' } }),
    );

    // Act
    const admission = await lenient.admit(req, 's3');

    // Assert
    expect(admission).toEqual({});
  });
});
