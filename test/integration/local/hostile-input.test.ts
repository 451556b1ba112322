/**
 * The local stack's guard against hostile input (issue 10, point 6): requests a web page could send
 * through DNS rebinding or from another origin, signing regions that would become path segments, XML with
 * declarations, and oversized bodies are refused — and nothing is written, inside the data directory or
 * outside it.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildEventPattern } from '../../../core/event-pattern.ts';
import { parseEventPattern } from '../../../local/eventbridge/pattern.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { TEST_AUTH, TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { loopbackAgent, requestWithContinue, streamLargeBody } from '../../helpers/raw-http.ts';
import { raw, rejection, statusOf } from './s3/support.ts';

const REGION = 'us-west-2';
const BUCKET = 'builds';
const MIB = 1024 * 1024;
const SFN_JSON = 'application/x-amz-json-1.0';

/** Every file under `root`, with its size: what a write anywhere would change. */
async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        out.push(`${relative(root, path)}/`);
        await walk(path);
      } else {
        out.push(`${relative(root, path)} ${(await stat(path)).size}`);
      }
    }
  };
  await walk(root);
  return out.sort();
}

/** The code and message of an S3 XML error document. */
function s3Error(body: string): { code: string; message: string } {
  const doc = new XMLParser({ parseTagValue: false }).parse(body) as {
    Error?: { Code?: string; Message?: string };
  };
  return { code: doc.Error?.Code ?? '', message: doc.Error?.Message ?? '' };
}

function signedFor(region: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`;
}

describe('the local stack refuses hostile input and writes nothing', () => {
  let root: string;
  let dataDir: string;
  let stack: LocalStack;
  let port: string;
  let s3: S3Client;
  let sfn: SFNClient;
  let stateMachineArn: string;
  let before: { tree: string[]; objects: number; executions: number };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'relay-hostile-'));
    dataDir = join(root, 'data');
    stack = await startLocalStack({ port: 0, dataDir, auth: TEST_AUTH });
    port = String(stack.port);
    s3 = new S3Client({
      endpoint: stack.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    sfn = new SFNClient({ endpoint: stack.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'relay',
        roleArn: 'arn:aws:iam::000000000000:role/relay',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
      }),
    );
    stateMachineArn = created.stateMachineArn!;
    // Like the deployed relay: every upload to the bucket starts an execution.
    const pattern = buildEventPattern({
      bucket: BUCKET,
      rules: [{ name: 'all', targets: [] }],
    } as unknown as Parameters<typeof buildEventPattern>[0]);
    stack.events.addRule({
      name: 'relay-builds',
      eventPattern: parseEventPattern(pattern),
      target: async (event) => {
        await stack.stepFunctions.startExecution({ stateMachineArn, input: JSON.stringify(event) });
      },
    });
  });

  afterAll(async () => {
    s3.destroy();
    sfn.destroy();
    await stack.stop();
    await rm(root, { recursive: true, force: true });
  });

  beforeEach(async () => {
    before = { tree: await tree(root), objects: await objects(), executions: await executions() };
  });

  async function executions(): Promise<number> {
    await stack.events.idle();
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    return listed.executions?.length ?? 0;
  }

  async function objects(): Promise<number> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    return listed.KeyCount ?? 0;
  }

  async function expectNothingWritten(): Promise<void> {
    expect(await objects()).toBe(before.objects);
    expect(await executions()).toBe(before.executions);
    expect(await tree(root)).toEqual(before.tree);
  }

  it('refuses an upload whose Host is not a loopback name (DNS rebinding) with 403 naming the Host', async () => {
    // Act — curl -X PUT -H 'Host: attacker.example' --data x http://127.0.0.1:PORT/builds/x.zip
    const res = await raw(stack.endpoint, {
      method: 'PUT',
      path: `/${BUCKET}/x.zip`,
      host: `attacker.example:${port}`,
      body: 'x',
    });

    // Assert
    expect(res.status).toBe(403);
    const error = s3Error(res.body);
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toContain("Host header names 'attacker.example'");
    expect(error.message).toContain('relay local --allow-host NAME');
    await expectNothingWritten();
  });

  it('refuses a virtual-host upload to a bucket under a foreign domain', async () => {
    // Act
    const res = await raw(stack.endpoint, {
      method: 'PUT',
      path: '/x.zip',
      host: `${BUCKET}.s3.attacker.example:${port}`,
      body: 'x',
    });

    // Assert
    expect(res.status).toBe(403);
    await expectNothingWritten();
  });

  it('refuses an upload sent by a web page on another origin, even to 127.0.0.1', async () => {
    // Act
    const res = await raw(stack.endpoint, {
      method: 'POST',
      path: `/${BUCKET}/x.zip?uploads`,
      host: `127.0.0.1:${port}`,
      headers: { origin: 'https://attacker.example' },
    });

    // Assert
    expect(res.status).toBe(403);
    expect(s3Error(res.body).message).toContain("Origin header names 'attacker.example'");
    await expectNothingWritten();
  });

  it('refuses a StartExecution with a foreign Host in the JSON protocol', async () => {
    // Act
    const res = await raw(stack.endpoint, {
      method: 'POST',
      path: '/',
      host: `attacker.example:${port}`,
      headers: { 'content-type': SFN_JSON, 'x-amz-target': 'AWSStepFunctions.StartExecution' },
      body: JSON.stringify({ stateMachineArn, input: '{}' }),
    });

    // Assert
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(JSON.parse(res.body)).toMatchObject({ __type: 'AccessDeniedException' });
    await expectNothingWritten();
  });

  it('refuses SDK clients whose endpoint is a rebound foreign name', async () => {
    // Arrange
    const endpoint = `http://attacker.example:${port}`;
    const requestHandler = { httpAgent: loopbackAgent() };
    const foreignSfn = new SFNClient({
      endpoint,
      region: REGION,
      credentials: TEST_CREDENTIALS,
      requestHandler,
    });
    const foreignS3 = new S3Client({
      endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
      requestHandler,
    });

    // Act
    const started = await rejection(foreignSfn.send(new StartExecutionCommand({ stateMachineArn })));
    const put = await rejection(
      foreignS3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x.zip', Body: 'x' })),
    );
    foreignSfn.destroy();
    foreignS3.destroy();

    // Assert
    expect(started.name).toBe('AccessDeniedException');
    expect(statusOf(started)).toBe(403);
    expect(put.name).toBe('AccessDenied');
    expect(put.message).toContain("Host header names 'attacker.example'");
    await expectNothingWritten();
  });

  it('refuses an Expect: 100-continue upload with a foreign Host before its body is sent', async () => {
    // Act
    const res = await requestWithContinue(stack.endpoint, {
      method: 'PUT',
      path: `/${BUCKET}/x.zip`,
      headers: { host: `attacker.example:${port}` },
      body: Buffer.alloc(2 * MIB),
    });

    // Assert
    expect(res.status).toBe(403);
    expect(res.invited).toBe(false);
    await expectNothingWritten();
  });

  it.each([
    ['PutObject', 'PUT', `/${BUCKET}/x.zip`, 'x'],
    ['CreateBucket', 'PUT', '/other-bucket', ''],
  ])(
    'refuses a %s signed for the region ".." with 400 AuthorizationHeaderMalformed',
    async (_op, method, path, body) => {
      // Act
      const res = await raw(stack.endpoint, {
        method,
        path,
        host: `127.0.0.1:${port}`,
        headers: { authorization: signedFor('..', 's3') },
        body,
        sign: false,
      });

      // Assert
      expect(res.status).toBe(400);
      const error = s3Error(res.body);
      expect(error.code).toBe('AuthorizationHeaderMalformed');
      expect(error.message).toContain("the region '..', which is not an AWS region name");
      await expectNothingWritten();
    },
  );

  it.each(['..', '..\\..\\x', 'us-west-2..'])(
    'refuses a CreateStateMachine signed for the region %j with 400 InvalidSignatureException',
    async (region) => {
      // Act
      const res = await raw(stack.endpoint, {
        method: 'POST',
        path: '/',
        host: `127.0.0.1:${port}`,
        headers: {
          'content-type': SFN_JSON,
          'x-amz-target': 'AWSStepFunctions.CreateStateMachine',
          authorization: signedFor(region, 'states'),
        },
        sign: false,
        body: JSON.stringify({
          name: 'escape',
          roleArn: 'arn:aws:iam::000000000000:role/relay',
          definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
        }),
      });

      // Assert
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ __type: 'InvalidSignatureException' });
      const listed = await sfn.send(new ListStateMachinesCommand({}));
      expect(listed.stateMachines?.map((m) => m.name)).not.toContain('escape');
      await expectNothingWritten();
    },
  );

  it('refuses a CreateBucket whose LocationConstraint is a path with InvalidLocationConstraint', async () => {
    // Act
    const error = await rejection(
      s3.send(
        new CreateBucketCommand({
          Bucket: 'escape-bucket',
          CreateBucketConfiguration: { LocationConstraint: '../x' as never },
        }),
      ),
    );

    // Assert
    expect(error.name).toBe('InvalidLocationConstraint');
    expect(statusOf(error)).toBe(400);
    await expectNothingWritten();
  });

  it('keeps resources named "." and ".." inside the data directory, in their service folder', async () => {
    // Arrange
    const outside = (await tree(root)).filter((entry) => !entry.startsWith('data/'));
    const topLevel = async () =>
      (await tree(root))
        .map((entry) => entry.split(' ')[0] ?? entry)
        .filter((path) => path.startsWith('data/') && path.split('/').length === 2);
    const topBefore = await topLevel();
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });

    // Act
    const machine = await sfn.send(
      new CreateStateMachineCommand({ name: '..', roleArn: 'arn:aws:iam::000000000000:role/x', definition }),
    );
    const runs = await Promise.all(
      ['..', '.'].map((name) =>
        sfn.send(new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name })),
      ),
    );
    await Promise.all(runs.map((run) => stack.stepFunctions.waitForExecution(run.executionArn!)));
    await stack.stepFunctions.flush();

    // Assert
    expect((await tree(root)).filter((entry) => !entry.startsWith('data/'))).toEqual(outside);
    expect(await topLevel()).toEqual(topBefore);
  });

  it.each([
    ['an internal entity', '<!DOCTYPE Tagging [<!ENTITY v "x">]>'],
    ['an external entity', '<!DOCTYPE Tagging [<!ENTITY v SYSTEM "file:///etc/passwd">]>'],
  ])('answers a PutBucketTagging body declaring %s with 400 MalformedXML', async (_what, doctype) => {
    // Arrange
    const body = `<?xml version="1.0"?>${doctype}<Tagging><TagSet><Tag><Key>k</Key><Value>&v;</Value></Tag></TagSet></Tagging>`;

    // Act
    const res = await raw(stack.endpoint, {
      method: 'PUT',
      path: `/${BUCKET}?tagging`,
      host: `127.0.0.1:${port}`,
      headers: { 'content-md5': createHash('md5').update(body).digest('base64') },
      body,
      region: REGION,
    });

    // Assert
    expect(res.status).toBe(400);
    expect(s3Error(res.body).code).toBe('MalformedXML');
    const error = await rejection(s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET })));
    expect(error.name).toBe('NoSuchTagSet');
    await expectNothingWritten();
  });

  it.each([
    ['declared by Content-Length', true],
    ['sent chunked', false],
  ])('refuses a 40 MB StartExecution body %s while it streams, with 413', async (_how, declareLength) => {
    // Act
    const res = await streamLargeBody(stack.endpoint, {
      method: 'POST',
      path: '/',
      headers: { 'content-type': SFN_JSON, 'x-amz-target': 'AWSStepFunctions.StartExecution' },
      totalBytes: 40 * MIB,
      declareLength,
    });

    // Assert
    expect(res.status).toBe(413);
    expect(res.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(JSON.parse(res.body).message).toContain('larger than the 1048576 bytes');
    expect(res.headers.connection).toBe('close');
    expect(res.sentBytes).toBeLessThan(40 * MIB);
    await expectNothingWritten();
  });

  it.each([
    ['a DeleteObjects body sent chunked', 'POST', `/${BUCKET}?delete`, false],
    ['a PutBucketTagging body declared by Content-Length', 'PUT', `/${BUCKET}?tagging`, true],
  ])(
    'refuses %s over its limit while it streams, with MaxMessageLengthExceeded',
    async (_what, method, path, declareLength) => {
      // Act
      const res = await streamLargeBody(stack.endpoint, {
        method,
        path,
        headers: { 'content-md5': '1B2M2Y8AsgTpgAmYo8hpCA==' },
        totalBytes: 40 * MIB,
        declareLength,
        region: REGION,
      });

      // Assert
      expect(res.status).toBe(400);
      expect(s3Error(res.body).code).toBe('MaxMessageLengthExceeded');
      expect(res.headers.connection).toBe('close');
      expect(res.sentBytes).toBeLessThan(40 * MIB);
      await expectNothingWritten();
    },
  );

  it('refuses a 40 MB CompleteMultipartUpload body while it streams, keeping the upload', async () => {
    // Arrange
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'big.zip' }));
    before = { ...before, tree: await tree(root) };

    // Act
    const res = await streamLargeBody(stack.endpoint, {
      method: 'POST',
      path: `/${BUCKET}/big.zip?uploadId=${UploadId}`,
      totalBytes: 40 * MIB,
      declareLength: false,
      region: REGION,
    });

    // Assert
    expect(res.status).toBe(400);
    expect(s3Error(res.body).code).toBe('MaxMessageLengthExceeded');
    expect(res.sentBytes).toBeLessThan(40 * MIB);
    await expectNothingWritten();
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'big.zip', UploadId }));
  });

  it('still serves SDK clients after refusing oversized bodies', async () => {
    // Act
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    const objectList = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));

    // Assert
    expect(listed.executions).toBeDefined();
    expect(objectList.Name).toBe(BUCKET);
  });

  it('serves the same upload with a loopback Host, so the checks above can see a write', async () => {
    // Act
    const res = await requestWithContinue(stack.endpoint, {
      method: 'PUT',
      path: `/${BUCKET}/control.zip`,
      headers: { host: `127.0.0.1:${port}` },
      body: Buffer.from('zip'),
      region: REGION,
    });

    // Assert
    expect(res).toMatchObject({ status: 200, invited: true });
    expect(await objects()).toBe(before.objects + 1);
    expect(await executions()).toBe(before.executions + 1);
    expect(await tree(root)).not.toEqual(before.tree);
  });
});
