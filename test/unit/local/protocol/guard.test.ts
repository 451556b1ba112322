import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { refuseRequest } from '../../../../local/protocol/guard.ts';
import { HostAllowList } from '../../../../local/protocol/hosts.ts';

function request(headers: Record<string, string>, url = '/bucket/key.zip'): IncomingMessage {
  return { url, method: 'PUT', headers } as unknown as IncomingMessage;
}

function signedFor(region: string): string {
  return `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/s3/aws4_request, SignedHeaders=host, Signature=00`;
}

describe('refuseRequest', () => {
  const hosts = new HostAllowList(['host.docker.internal']);

  it.each([
    ['127.0.0.1:4566'],
    ['localhost:4566'],
    ['[::1]:4566'],
    ['bucket.s3.us-west-2.localhost:4566'],
    ['bucket.s3.us-west-2.amazonaws.com'],
    ['host.docker.internal:4566'],
  ])('lets a request for Host %s through', (host) => {
    // Arrange
    const req = request({ host, authorization: signedFor('us-west-2') });

    // Act
    const refusal = refuseRequest(req, hosts);

    // Assert
    expect(refusal).toBeUndefined();
  });

  it('refuses a foreign Host with 403, naming it and how to allow it', () => {
    // Arrange
    const req = request({ host: 'attacker.example:4566' });

    // Act
    const refusal = refuseRequest(req, hosts);

    // Assert
    expect(refusal).toMatchObject({ status: 403, s3Code: 'AccessDenied', jsonCode: 'AccessDeniedException' });
    expect(refusal?.message).toContain("Host header names 'attacker.example'");
    expect(refusal?.message).toContain('relay local --allow-host NAME');
  });

  it('refuses a request without a Host', () => {
    // Arrange
    const req = request({});

    // Act
    const refusal = refuseRequest(req, hosts);

    // Assert
    expect(refusal?.status).toBe(403);
    expect(refusal?.message).toContain('names no host name');
  });

  it('refuses an absolute-form target naming a foreign host even with a loopback Host', () => {
    // Arrange
    const req = request({ host: '127.0.0.1:4566' }, 'http://attacker.example/bucket/key.zip');

    // Act
    const refusal = refuseRequest(req, hosts);

    // Assert
    expect(refusal?.status).toBe(403);
    expect(refusal?.message).toContain("request target names 'attacker.example'");
  });

  it.each(['https://attacker.example', 'null', 'not a url'])(
    'refuses a browser request from Origin %s',
    (origin) => {
      // Arrange
      const req = request({ host: '127.0.0.1:4566', origin });

      // Act
      const refusal = refuseRequest(req, hosts);

      // Assert
      expect(refusal?.status).toBe(403);
      expect(refusal?.message).toContain('Origin header');
    },
  );

  it('lets a page served from a loopback origin through', () => {
    // Arrange
    const req = request({ host: '127.0.0.1:4566', origin: 'http://localhost:3000' });

    // Act
    const refusal = refuseRequest(req, hosts);

    // Assert
    expect(refusal).toBeUndefined();
  });

  it.each(['..', '.', 'us-east-1..', 'US-EAST-1', 'x%2F..', 'eu-west-1\\..'])(
    'refuses a request signed for the region %j with 400 AuthorizationHeaderMalformed',
    (region) => {
      // Arrange
      const req = request({ host: '127.0.0.1:4566', authorization: signedFor(region) });

      // Act
      const refusal = refuseRequest(req, hosts);

      // Assert
      expect(refusal).toMatchObject({
        status: 400,
        s3Code: 'AuthorizationHeaderMalformed',
        jsonCode: 'InvalidSignatureException',
      });
      expect(refusal?.message).toContain(`the region '${region}', which is not an AWS region name`);
    },
  );

  it('refuses a presigned URL scoped to a bad region with AuthorizationQueryParametersError', () => {
    // Arrange
    const credential = encodeURIComponent('test/20260101/../s3/aws4_request');
    const req = request({ host: '127.0.0.1:4566' }, `/bucket/key.zip?X-Amz-Credential=${credential}`);

    // Act
    const refusal = refuseRequest(req, hosts);

    // Assert
    expect(refusal).toMatchObject({ status: 400, s3Code: 'AuthorizationQueryParametersError' });
  });

  it.each(['us-gov-west-1', 'cn-north-1', 'us-isob-east-1', 'ap-southeast-5'])(
    'accepts a request signed for %s',
    (region) => {
      // Arrange
      const req = request({ host: '127.0.0.1:4566', authorization: signedFor(region) });

      // Act
      const refusal = refuseRequest(req, hosts);

      // Assert
      expect(refusal).toBeUndefined();
    },
  );
});
