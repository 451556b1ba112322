import { Agent, type AgentOptions } from 'node:http';
import {
  CreateBucketCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, type S3Harness, startS3 } from './harness.ts';
import { raw, rejection, statusOf } from './support.ts';

const BUCKET = 'artifacts-ireland';

/** An agent that sends every host name (`bucket.s3.eu-west-1.localhost` …) to 127.0.0.1. */
function loopbackAgent(): Agent {
  const lookup: AgentOptions['lookup'] = (_host, options, callback) => {
    const cb = callback as (err: Error | null, address: unknown, family?: number) => void;
    if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
    else cb(null, '127.0.0.1', 4);
  };
  return new Agent({ lookup });
}

describe('local S3 addressing and regions', () => {
  let s3: S3Harness;
  let port: string;

  beforeAll(async () => {
    s3 = await startS3();
    port = new URL(s3.endpoint).port;
    const ireland = s3.client('eu-west-1');
    await ireland.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await ireland.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/file.txt', Body: 'hello' }));
  });

  afterAll(async () => {
    await s3.dispose();
  });

  function virtualHostClient(region: string, endpointHost: string): S3Client {
    return new S3Client({
      endpoint: `http://${endpointHost}:${port}`,
      region,
      forcePathStyle: false,
      credentials: CREDENTIALS,
      requestHandler: { httpAgent: loopbackAgent() },
    });
  }

  it('answers a request signed for another region with 301 PermanentRedirect and x-amz-bucket-region', async () => {
    // Arrange
    const virginia = s3.client('us-east-1');

    // Act
    const err = await rejection(virginia.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/file.txt' })));
    const headErr = await rejection(virginia.send(new HeadBucketCommand({ Bucket: BUCKET })));

    // Assert
    expect(err.name).toBe('PermanentRedirect');
    expect(statusOf(err)).toBe(301);
    expect((err.$response as { headers: Record<string, string> }).headers['x-amz-bucket-region']).toBe(
      'eu-west-1',
    );
    expect(err.Endpoint).toBe(`${BUCKET}.s3.eu-west-1.localhost:${port}`);
    expect(statusOf(headErr)).toBe(301);
  });

  it('lets an SDK client with followRegionRedirects reach the bucket from another region', async () => {
    // Arrange
    const following = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-west-2',
      forcePathStyle: true,
      credentials: CREDENTIALS,
      followRegionRedirects: true,
    });

    // Act
    const got = await following.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/file.txt' }));
    const body = await got.Body!.transformToString();
    following.destroy();

    // Assert
    expect(body).toBe('hello');
  });

  it('answers GetBucketLocation from any region', async () => {
    // Arrange
    const virginia = s3.client('us-east-1');

    // Act
    const location = await virginia.send(new GetBucketLocationCommand({ Bucket: BUCKET }));

    // Assert
    expect(location.LocationConstraint).toBe('eu-west-1');
  });

  it('serves virtual-host style requests signed for the bucket region', async () => {
    // Arrange
    const client = virtualHostClient('eu-west-1', 'localhost');

    // Act
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/file.txt' }));
    const body = await got.Body!.transformToString();
    client.destroy();

    // Assert
    expect(body).toBe('hello');
  });

  it('answers a regional host naming the bucket region but signed for another with AuthorizationHeaderMalformed', async () => {
    // Arrange
    const client = new S3Client({
      endpoint: `http://s3.eu-west-1.localhost:${port}`,
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: CREDENTIALS,
      requestHandler: { httpAgent: loopbackAgent() },
    });

    // Act
    const err = await rejection(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dir/file.txt' })));
    const getErr = await rejection(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/file.txt' })),
    );
    client.destroy();

    // Assert
    expect(statusOf(err)).toBe(400);
    expect(getErr.name).toBe('AuthorizationHeaderMalformed');
    expect(getErr.message).toBe(
      "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
    );
    expect(getErr.Region).toBe('eu-west-1');
  });

  it.each([
    [`${BUCKET}.localhost:PORT`, '/dir/file.txt'],
    [`${BUCKET}.s3.localhost:PORT`, '/dir/file.txt'],
    [`${BUCKET}.s3.eu-west-1.localhost:PORT`, '/dir/file.txt'],
    [`127.0.0.1:PORT`, `/${BUCKET}/dir/file.txt`],
    [`s3.eu-west-1.localhost:PORT`, `/${BUCKET}/dir/file.txt`],
  ])('finds the bucket of a request to host %s, path %s', async (host, path) => {
    // Arrange
    const hostHeader = host.replace('PORT', port);

    // Act
    const res = await raw(s3.endpoint, { path, host: hostHeader, region: 'eu-west-1' });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toBe('hello');
  });

  it('redirects a request sent to (and signed for) another region’s host', async () => {
    // Arrange
    const host = `${BUCKET}.s3.us-west-2.localhost:${port}`;

    // Act
    const res = await raw(s3.endpoint, { path: '/dir/file.txt', host, region: 'us-west-2' });

    // Assert
    expect(res.status).toBe(301);
    expect(res.headers['x-amz-bucket-region']).toBe('eu-west-1');
    expect(res.body).toContain('<Code>PermanentRedirect</Code>');
  });
});
