/**
 * Authentication on the local stack's endpoint (issue 11, point 2): unsigned and Signature Version 2
 * requests are refused in the protocol the client speaks, and with verification on, the SDK v3 clients
 * and the AWS CLI v2 — with their Content-MD5, Expect: 100-continue, aws-chunked and multipart
 * uploads — pass, while a wrong secret, an unknown key or a changed request is refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeDeployClient, ListApplicationsCommand } from '@aws-sdk/client-codedeploy';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsCliV2, runAwsCli } from '../../helpers/aws-cli.ts';
import { startTestStack, TEST_AUTH, TEST_CREDENTIALS, type TestStack } from '../../helpers/local-stack.ts';
import { presignPath, signHeaders } from '../../helpers/sigv4-sign.ts';
import { raw, rejection, statusOf } from './s3/support.ts';

const REGION = 'eu-central-1';
const BUCKET = 'auth-bucket';
const WRONG_SECRET = { accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' };
const UNKNOWN_KEY = { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' };
const JSON_TARGETS = [
  ['Step Functions', 'AWSStepFunctions.ListStateMachines', 'application/x-amz-json-1.0'],
  ['CodeDeploy', 'CodeDeploy_20141006.ListApplications', 'application/x-amz-json-1.1'],
  ['KMS', 'TrentService.ListKeys', 'application/x-amz-json-1.1'],
] as const;

const awsCli = findAwsCliV2();

type Credentials = { readonly accessKeyId: string; readonly secretAccessKey: string };

function clients(stack: TestStack, credentials: Credentials) {
  const common = { endpoint: stack.endpoint, region: REGION, credentials, maxAttempts: 1 };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sfn: new SFNClient(common),
    codeDeploy: new CodeDeployClient(common),
    kms: new KMSClient(common),
  };
}

/** A request sent with exactly the headers given (presigned URLs, requests signed by the test). */
function send(
  endpoint: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: options.path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('a local stack that verifies signatures', () => {
  let stack: TestStack;
  let good: ReturnType<typeof clients>;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'relay-auth-'));
    stack = await startTestStack({ auth: TEST_AUTH });
    good = clients(stack, TEST_CREDENTIALS);
    await good.s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
  });

  afterAll(async () => {
    for (const client of Object.values(good ?? {})) client.destroy();
    await stack?.dispose();
    await rm(workDir, { recursive: true, force: true });
  });

  it('serves SDK v3 clients of every service signing with a known key pair', async () => {
    // Arrange
    const body = randomBytes(6 * 1024 * 1024 + 17);

    // Act
    await good.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small.txt', Body: 'hello' }));
    await new Upload({
      client: good.s3,
      params: { Bucket: BUCKET, Key: 'multipart.bin', Body: body, ChecksumAlgorithm: 'CRC32' },
      partSize: 5 * 1024 * 1024,
    }).done();
    const got = await good.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'multipart.bin' }));
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    const machines = await good.sfn.send(new ListStateMachinesCommand({}));
    const applications = await good.codeDeploy.send(new ListApplicationsCommand({}));
    const keys = await good.kms.send(new ListKeysCommand({}));

    // Assert
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
    expect(machines.stateMachines).toEqual([]);
    expect(applications.applications).toEqual([]);
    expect(keys.Keys).toBeDefined();
  });

  it('refuses SDK clients with a wrong secret: S3 403 SignatureDoesNotMatch, JSON services 400 InvalidSignatureException', async () => {
    // Arrange
    const wrong = clients(stack, WRONG_SECRET);

    // Act
    const put = await rejection(wrong.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x', Body: 'x' })));
    const sfn = await rejection(wrong.sfn.send(new ListStateMachinesCommand({})));
    const codeDeploy = await rejection(wrong.codeDeploy.send(new ListApplicationsCommand({})));
    const kms = await rejection(wrong.kms.send(new ListKeysCommand({})));
    for (const client of Object.values(wrong)) client.destroy();

    // Assert
    expect(put.name).toBe('SignatureDoesNotMatch');
    expect(statusOf(put)).toBe(403);
    for (const err of [sfn, codeDeploy, kms]) {
      expect(err.name).toBe('InvalidSignatureException');
      expect(statusOf(err)).toBe(400);
    }
  });

  it('refuses SDK clients with an unknown key: S3 403 InvalidAccessKeyId, JSON services 400 UnrecognizedClientException', async () => {
    // Arrange
    const unknown = clients(stack, UNKNOWN_KEY);

    // Act
    const get = await rejection(unknown.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small.txt' })));
    const sfn = await rejection(unknown.sfn.send(new ListStateMachinesCommand({})));
    const kms = await rejection(unknown.kms.send(new ListKeysCommand({})));
    for (const client of Object.values(unknown)) client.destroy();

    // Assert
    expect(get.name).toBe('InvalidAccessKeyId');
    expect(statusOf(get)).toBe(403);
    expect(sfn.name).toBe('UnrecognizedClientException');
    expect(kms.name).toBe('UnrecognizedClientException');
  });

  it('refuses a CreateStateMachine whose body was changed after signing, and creates nothing', async () => {
    // Arrange
    const url = new URL(stack.endpoint);
    const headers = await signHeaders({
      method: 'POST',
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.CreateStateMachine',
      },
      body: '{}',
    });
    const forged = JSON.stringify({
      name: 'forged',
      roleArn: 'arn:aws:iam::000000000000:role/r',
      definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
    });

    // Act
    const res = await send(stack.endpoint, { method: 'POST', path: '/', headers, body: forged });

    // Assert
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ __type: 'InvalidSignatureException' });
    const machines = await good.sfn.send(new ListStateMachinesCommand({}));
    expect(machines.stateMachines?.map((m) => m.name)).not.toContain('forged');
  });

  it('serves a presigned GET URL and refuses it once its path is changed', async () => {
    // Arrange
    const url = new URL(stack.endpoint);
    const path = await presignPath({
      method: 'GET',
      path: `/${BUCKET}/small.txt`,
      headers: { host: url.host },
      region: REGION,
      expiresIn: 60,
      credentials: TEST_CREDENTIALS,
    });

    // Act
    const served = await send(stack.endpoint, { path });
    const changed = await send(stack.endpoint, { path: path.replace('small.txt', 'other.txt') });

    // Assert
    expect(served).toEqual({ status: 200, body: 'hello' });
    expect(changed.status).toBe(403);
    expect(changed.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  describe.skipIf(!awsCli)('the AWS CLI v2', () => {
    const cli = awsCli ?? 'aws';

    it('uploads with s3 cp (multipart, Content-MD5, Expect: 100-continue) and s3api, and downloads', async () => {
      // Arrange
      const file = join(workDir, 'build.bin');
      const bytes = randomBytes(9 * 1024 * 1024);
      await writeFile(file, bytes);
      const small = join(workDir, 'small.txt');
      await writeFile(small, 'small body');
      const md5 = createHash('md5').update('small body').digest('base64');

      // Act
      const cp = await runAwsCli(
        cli,
        stack.endpoint,
        ['s3', 'cp', file, `s3://${BUCKET}/cli/build.bin`],
        REGION,
      );
      const put = await runAwsCli(
        cli,
        stack.endpoint,
        [
          's3api',
          'put-object',
          '--bucket',
          BUCKET,
          '--key',
          'cli/small.txt',
          '--body',
          small,
          '--content-md5',
          md5,
        ],
        REGION,
      );
      const back = join(workDir, 'back.bin');
      const download = await runAwsCli(
        cli,
        stack.endpoint,
        ['s3', 'cp', `s3://${BUCKET}/cli/build.bin`, back],
        REGION,
      );
      const listed = await runAwsCli(cli, stack.endpoint, ['s3', 'ls', `s3://${BUCKET}/cli/`], REGION);

      // Assert
      expect(cp.exitCode, cp.stderr).toBe(0);
      expect(put.exitCode, put.stderr).toBe(0);
      expect(download.exitCode, download.stderr).toBe(0);
      expect(listed.stdout).toContain('build.bin');
      expect(listed.stdout).toContain('small.txt');
    });

    it('serves a URL from aws s3 presign', async () => {
      // Arrange
      const presigned = await runAwsCli(
        cli,
        stack.endpoint,
        ['s3', 'presign', `s3://${BUCKET}/small.txt`, '--expires-in', '60'],
        REGION,
      );
      expect(presigned.exitCode, presigned.stderr).toBe(0);
      const url = new URL(presigned.stdout.trim());

      // Act
      const served = await send(stack.endpoint, { path: `${url.pathname}${url.search}` });

      // Assert
      expect(served).toEqual({ status: 200, body: 'hello' });
    });

    it('lists executions, keys and applications through the JSON protocols', async () => {
      // Arrange
      const created = await good.sfn.send(
        new CreateStateMachineCommand({
          name: 'auth-cli',
          roleArn: 'arn:aws:iam::000000000000:role/relay',
          definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
        }),
      );

      // Act
      const executions = await runAwsCli(
        cli,
        stack.endpoint,
        ['stepfunctions', 'list-executions', '--state-machine-arn', created.stateMachineArn!],
        REGION,
      );
      const keys = await runAwsCli(cli, stack.endpoint, ['kms', 'list-keys'], REGION);
      const applications = await runAwsCli(cli, stack.endpoint, ['deploy', 'list-applications'], REGION);

      // Assert
      expect(executions.exitCode, executions.stderr).toBe(0);
      expect(JSON.parse(executions.stdout)).toEqual({ executions: [] });
      expect(keys.exitCode, keys.stderr).toBe(0);
      expect(applications.exitCode, applications.stderr).toBe(0);
    });

    it('fails with SignatureDoesNotMatch and InvalidSignatureException when the secret is wrong', async () => {
      // Act
      const ls = await runAwsCli(cli, stack.endpoint, ['s3', 'ls', `s3://${BUCKET}/`], REGION, WRONG_SECRET);
      const keys = await runAwsCli(cli, stack.endpoint, ['kms', 'list-keys'], REGION, WRONG_SECRET);

      // Assert
      expect(ls.exitCode).not.toBe(0);
      expect(ls.stderr).toContain('SignatureDoesNotMatch');
      expect(keys.exitCode).not.toBe(0);
      expect(keys.stderr).toContain('InvalidSignatureException');
    });
  });
});

describe('a local stack without signature verification', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    const s3 = stack.s3Client(REGION);
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small.txt', Body: 'hello' }));
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('serves any Signature Version 4 credentials', async () => {
    // Arrange
    const anyone = clients(stack, UNKNOWN_KEY);

    // Act
    const got = await anyone.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small.txt' }));
    const keys = await anyone.kms.send(new ListKeysCommand({}));
    const text = await got.Body!.transformToString();
    for (const client of Object.values(anyone)) client.destroy();

    // Assert
    expect(text).toBe('hello');
    expect(keys.Keys).toBeDefined();
  });

  it.each([
    ['GET', 'an unsigned S3 GET'],
    ['PUT', 'an unsigned S3 PUT'],
  ])('answers %s … (%s) with 403 AccessDenied and writes nothing', async (method) => {
    // Act
    const res = await raw(stack.endpoint, {
      method,
      path: `/${BUCKET}/small.txt`,
      ...(method === 'PUT' ? { body: 'overwritten' } : {}),
      sign: false,
    });

    // Assert
    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>AccessDenied</Code>');
    expect(res.body).toContain('not signed');
    const got = await stack.s3Client(REGION).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello');
  });

  it('answers an unsigned HEAD with 403 and no body', async () => {
    // Act
    const res = await raw(stack.endpoint, { method: 'HEAD', path: `/${BUCKET}/small.txt`, sign: false });

    // Assert
    expect(res.status).toBe(403);
    expect(res.body).toBe('');
  });

  it.each(JSON_TARGETS)(
    'answers an unsigned %s request with 403 MissingAuthenticationTokenException',
    async (_service, target, contentType) => {
      // Act
      const res = await raw(stack.endpoint, {
        method: 'POST',
        path: '/',
        headers: { 'x-amz-target': target, 'content-type': contentType },
        body: '{}',
        sign: false,
      });

      // Assert
      expect(res.status).toBe(403);
      expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
      expect(JSON.parse(res.body)).toEqual({
        __type: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token',
      });
    },
  );

  it('answers a Signature Version 2 request with 400 InvalidRequest asking for AWS4-HMAC-SHA256', async () => {
    // Act
    const res = await raw(stack.endpoint, {
      path: `/${BUCKET}/small.txt`,
      headers: { authorization: 'AWS test:frJIUN8DYpKDtOLCwo//yllqDzg=', date: new Date().toUTCString() },
      sign: false,
    });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body).toContain('<Code>InvalidRequest</Code>');
    expect(res.body).toContain('Please use AWS4-HMAC-SHA256.');
  });
});
