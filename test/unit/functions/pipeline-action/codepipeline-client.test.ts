import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CodePipelineCallError,
  createCodePipelineJobReporter,
  lambdaEnvironmentCredentials,
} from '../../../../functions/pipeline-action/codepipeline-client.ts';

interface Seen {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

let server: Server | undefined;

/** A server answering every request with `status` and `answer`, recording what it received. */
async function serve(status: number, answer: object): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, seen };
}

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const CREDENTIALS = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token',
});

describe('the CodePipeline job reporter', () => {
  it('sends PutJobSuccessResult as a signed JSON 1.1 request with the input as its body', async () => {
    // Arrange
    const { endpoint, seen } = await serve(200, {});
    const reporter = createCodePipelineJobReporter({
      region: 'us-west-2',
      endpoint,
      credentials: CREDENTIALS,
    });
    const input = { jobId: '11111111-abcd-1111-abcd-111111abcdef', continuationToken: 'arn:x' };

    // Act
    await reporter.putJobSuccessResult(input);

    // Assert
    const request = seen[0]!;
    expect(request.headers['x-amz-target']).toBe('CodePipeline_20150709.PutJobSuccessResult');
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/codepipeline\/aws4_request/,
    );
    expect(request.headers['x-amz-security-token']).toBe('token');
    expect(request.body).toEqual(input);
  });

  it("raises CodePipeline's error name and message", async () => {
    // Arrange
    const { endpoint } = await serve(400, { __type: 'JobNotFoundException', message: 'no such job' });
    const reporter = createCodePipelineJobReporter({
      region: 'us-west-2',
      endpoint,
      credentials: CREDENTIALS,
    });

    // Act
    const call = reporter.putJobFailureResult({
      jobId: '11111111-abcd-1111-abcd-111111abcdef',
      failureDetails: { type: 'JobFailed', message: 'm' },
    });

    // Assert
    await expect(call).rejects.toBeInstanceOf(CodePipelineCallError);
    await expect(call).rejects.toMatchObject({ code: 'JobNotFoundException', statusCode: 400 });
  });
});

describe('lambdaEnvironmentCredentials', () => {
  it('reads the credentials Lambda sets', async () => {
    // Arrange
    const env = { AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' };

    // Act
    const credentials = await lambdaEnvironmentCredentials(env)();

    // Assert
    expect(credentials).toEqual({ accessKeyId: 'a', secretAccessKey: 's', sessionToken: 't' });
  });

  it('says what is missing outside Lambda', async () => {
    // Arrange / Act
    const read = lambdaEnvironmentCredentials({})();

    // Assert
    await expect(read).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
  });
});
