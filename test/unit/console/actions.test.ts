/**
 * The console's Stop, Relay again, Replicas and Deployments routes against mocked SDK clients
 * (aws-sdk-client-mock): what each sends, what it answers, and that the POSTs refuse a request without
 * the page's token.
 */
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import {
  GetBucketVersioningCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type ExecutionStatus,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { TOKEN_HEADER } from '../../../console/api-types.ts';
import type { ConsoleBackend } from '../../../console/server/api.ts';
import { BATCH_GET_LIMIT } from '../../../console/server/deployments.ts';
import { handleRequest, type RouteDeps } from '../../../console/server/routes.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import { executionName } from '../../../core/naming.ts';

const MACHINE_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const EXECUTION_ARN = 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:web-1';
const SOURCE = 'builds-src';
const KEY = 'builds/web-1.zip';
const CONFIG = parseConfig(
  {
    sources: [
      {
        bucket: SOURCE,
        region: 'us-west-2',
        rules: [
          {
            name: 'builds',
            prefix: 'builds/',
            targets: [
              {
                bucket: 'builds-seoul',
                region: 'ap-northeast-2',
                deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip' },
              },
              { bucket: 'builds-eu', region: 'eu-central-1', keyPrefix: 'releases/' },
            ],
          },
        ],
      },
    ],
  },
  'test config',
);

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const codeDeploy = mockClient(CodeDeployClient);
const backend: ConsoleBackend = {
  sfnFor: () => new SFNClient({ region: 'us-west-2' }),
  s3For: (region) => new S3Client({ region }),
  codeDeployFor: (region) => new CodeDeployClient({ region }),
  machine: async () => parseStateMachineArn(MACHINE_ARN)!,
  config: async () => CONFIG,
};
const TOKEN = 'the-token';
const deps: RouteDeps = { backend, token: TOKEN, ui: async () => ({ script: '', style: '' }) };
const HOST = { host: '127.0.0.1:4567' };
const WITH_TOKEN = { ...HOST, [TOKEN_HEADER]: TOKEN };

function described(status: ExecutionStatus) {
  return {
    executionArn: EXECUTION_ARN,
    stateMachineArn: MACHINE_ARN,
    name: 'web-1',
    status,
    startDate: new Date('2026-12-01T10:00:00Z'),
    input: JSON.stringify({ bucket: SOURCE, key: KEY }),
    redriveCount: 0,
  } as const;
}

function body(reply: { body: string }) {
  return JSON.parse(reply.body);
}

const stopUrl = `/api/executions/${encodeURIComponent(EXECUTION_ARN)}/stop`;
const againUrl = `/api/relay-again?bucket=${SOURCE}&key=${encodeURIComponent(KEY)}`;

afterEach(() => {
  sfn.reset();
  s3.reset();
  codeDeploy.reset();
});

describe('Stop', () => {
  it('stops a running execution with StopExecution, naming neither error nor cause', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves(described('RUNNING'));
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date('2026-12-01T10:00:09Z') });

    // Act
    const reply = await handleRequest({ method: 'POST', url: stopUrl, headers: WITH_TOKEN }, deps);

    // Assert
    expect(reply.status).toBe(200);
    expect(body(reply)).toEqual({
      executionArn: EXECUTION_ARN,
      action: 'stopped',
      reason: null,
      stopDate: '2026-12-01T10:00:09.000Z',
    });
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: EXECUTION_ARN });
  });

  it('stops nothing and says why when the execution is not running', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED'));

    // Act
    const reply = await handleRequest({ method: 'POST', url: stopUrl, headers: WITH_TOKEN }, deps);

    // Assert
    expect(body(reply)).toMatchObject({ action: 'skipped', reason: 'not running (it is SUCCEEDED)' });
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
  });

  it('answers 403 InvalidToken to a Stop without the token, and stops nothing', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves(described('RUNNING'));

    // Act
    const reply = await handleRequest({ method: 'POST', url: stopUrl, headers: HOST }, deps);

    // Assert
    expect(reply.status).toBe(403);
    expect(body(reply).error).toBe('InvalidToken');
    expect(sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('answers 405 to a GET of the stop route', async () => {
    // Act
    const reply = await handleRequest({ method: 'GET', url: stopUrl, headers: HOST }, deps);

    // Assert
    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe('POST');
  });
});

describe('Relay again', () => {
  function versionedSource(): void {
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: KEY, VersionId: 'v2', IsLatest: true, ETag: '"e2"', Size: 7, LastModified: new Date() },
        { Key: KEY, VersionId: 'v1', IsLatest: false, ETag: '"e1"', Size: 7, LastModified: new Date() },
        {
          Key: `${KEY}.sig`,
          VersionId: 's1',
          IsLatest: true,
          ETag: '"s"',
          Size: 1,
          LastModified: new Date(),
        },
      ],
    });
  }

  it("starts the replay of the object's current version with the plain request and replay's execution name", async () => {
    // Arrange
    versionedSource();
    const name = executionName(SOURCE, KEY, 'v2');
    const arn = `arn:aws:states:us-west-2:111122223333:execution:artifact-relay:${name}`;
    sfn.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date(Date.now() + 60_000) });

    // Act
    const reply = await handleRequest({ method: 'POST', url: againUrl, headers: WITH_TOKEN }, deps);

    // Assert
    expect(reply.status).toBe(200);
    expect(body(reply)).toEqual({
      bucket: SOURCE,
      key: KEY,
      versionId: 'v2',
      status: 'started',
      executionArn: arn,
      detail: null,
    });
    const calls = sfn.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      stateMachineArn: MACHINE_ARN,
      name,
      input: JSON.stringify({ bucket: SOURCE, key: KEY, versionId: 'v2' }),
    });
  });

  it('answers already-relayed when Step Functions says the execution already exists', async () => {
    // Arrange
    versionedSource();
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));

    // Act
    const reply = await handleRequest({ method: 'POST', url: againUrl, headers: WITH_TOKEN }, deps);

    // Assert
    expect(body(reply)).toMatchObject({ status: 'already-relayed', versionId: 'v2' });
    expect(body(reply).executionArn).toContain(executionName(SOURCE, KEY, 'v2'));
  });

  it('answers 404 NotFound when the key itself is not there, only keys it prefixes', async () => {
    // Arrange
    s3.on(GetBucketVersioningCommand).resolves({});
    s3.on(ListObjectVersionsCommand).resolves({});
    const url = `/api/relay-again?bucket=${SOURCE}&key=${encodeURIComponent('builds/web')}`;
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    s3.on(ListObjectsV2Command).resolves({
      Contents: [{ Key: 'builds/web-1.zip', ETag: '"e"', Size: 1, LastModified: new Date() }],
    });

    // Act
    const reply = await handleRequest({ method: 'POST', url, headers: WITH_TOKEN }, deps);

    // Assert
    expect(reply.status).toBe(404);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('answers 400 BadRequest for a bucket that is not a configured source', async () => {
    // Act
    const reply = await handleRequest(
      { method: 'POST', url: '/api/relay-again?bucket=elsewhere&key=a.zip', headers: WITH_TOKEN },
      deps,
    );

    // Assert
    expect(reply.status).toBe(400);
    expect(body(reply).message).toContain('not a source bucket');
  });

  it('answers 403 InvalidToken to a Relay again without the token, and starts nothing', async () => {
    // Arrange
    versionedSource();

    // Act
    const reply = await handleRequest({ method: 'POST', url: againUrl, headers: HOST }, deps);

    // Assert
    expect(reply.status).toBe(403);
    expect(body(reply).error).toBe('InvalidToken');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });

  it('answers 403 CrossOriginRequest to a Relay again from another origin, even with the token', async () => {
    // Act
    const reply = await handleRequest(
      { method: 'POST', url: againUrl, headers: { ...WITH_TOKEN, origin: 'http://evil.example' } },
      deps,
    );

    // Assert
    expect(reply.status).toBe(403);
    expect(body(reply).error).toBe('CrossOriginRequest');
  });
});

describe('Replicas', () => {
  const checksum = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
  const head = (versionId: string, encryption: 'AES256' | 'aws:kms') => ({
    ContentLength: 7,
    ETag: '"e2"',
    VersionId: versionId,
    ChecksumSHA256: checksum,
    ChecksumType: 'FULL_OBJECT' as const,
    ServerSideEncryption: encryption,
    ...(encryption === 'aws:kms' ? { SSEKMSKeyId: 'arn:aws:kms:ap-northeast-2:111122223333:key/k' } : {}),
    Metadata: {},
  });

  it("answers each target's replica with its version, encryption and relay status's verdict", async () => {
    // Arrange
    s3.on(HeadObjectCommand, { Bucket: SOURCE }).resolves(head('v2', 'AES256'));
    s3.on(HeadObjectCommand, { Bucket: 'builds-seoul' }).resolves(head('r-seoul', 'aws:kms'));
    s3.on(HeadObjectCommand, { Bucket: 'builds-eu' }).rejects(
      Object.assign(new Error('not found'), { name: 'NotFound' }),
    );

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: `/api/replicas?bucket=${SOURCE}&key=${encodeURIComponent(KEY)}`, headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    const view = body(reply);
    expect(view.source).toMatchObject({ bucket: SOURCE, key: KEY, versionId: 'v2', size: 7 });
    expect(view.source.encryption).toEqual({ type: 'SSE-S3', kmsKeyId: null });
    expect(view.inSync).toBe(false);
    expect(view.targets).toEqual([
      expect.objectContaining({
        region: 'ap-northeast-2',
        bucket: 'builds-seoul',
        key: KEY,
        status: 'in-sync',
        versionId: 'r-seoul',
        encryption: { type: 'aws:kms', kmsKeyId: 'arn:aws:kms:ap-northeast-2:111122223333:key/k' },
        deploy: {
          application: 'web',
          deploymentGroup: 'web-prod',
          bundleType: 'zip',
          deploymentConfigName: null,
        },
      }),
      expect.objectContaining({
        region: 'eu-central-1',
        bucket: 'builds-eu',
        key: 'releases/web-1.zip',
        status: 'missing',
        versionId: null,
        encryption: null,
        deploy: null,
      }),
    ]);
  });

  it('asks S3 for the version named in the query', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves(head('v1', 'AES256'));

    // Act
    await handleRequest(
      {
        method: 'GET',
        url: `/api/replicas?bucket=${SOURCE}&key=${encodeURIComponent(KEY)}&versionId=v1`,
        headers: HOST,
      },
      deps,
    );

    // Assert
    const sourceHead = s3.commandCalls(HeadObjectCommand, { Bucket: SOURCE })[0];
    expect(sourceHead?.args[0].input).toMatchObject({ Key: KEY, VersionId: 'v1' });
  });

  it('answers 404 NotFound when the source object does not exist', async () => {
    // Arrange
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('not found'), { name: 'NotFound' }));

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: `/api/replicas?bucket=${SOURCE}&key=${encodeURIComponent(KEY)}`, headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(404);
    expect(body(reply).message).toContain('does not exist');
  });

  it('answers 400 BadRequest without a key', async () => {
    // Act
    const reply = await handleRequest(
      { method: 'GET', url: `/api/replicas?bucket=${SOURCE}`, headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(400);
  });

  it('answers 409 NoConfiguration when the console has no relay configuration', async () => {
    // Arrange
    const bare: RouteDeps = {
      ...deps,
      backend: {
        ...backend,
        config: async () => {
          throw new Error('no relay configuration: pass --config FILE');
        },
      },
    };

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: `/api/replicas?bucket=${SOURCE}&key=${encodeURIComponent(KEY)}`, headers: HOST },
      bare,
    );

    // Assert
    expect(reply.status).toBe(409);
    expect(body(reply)).toEqual({
      error: 'NoConfiguration',
      message: 'no relay configuration: pass --config FILE',
    });
  });
});

describe('Deployments', () => {
  function deployment(id: string, created: string) {
    return {
      deploymentId: id,
      status: 'Succeeded' as const,
      createTime: new Date(created),
      completeTime: new Date(new Date(created).getTime() + 60_000),
      creator: 'user' as const,
      revision: {
        revisionType: 'S3' as const,
        s3Location: {
          bucket: 'builds-seoul',
          key: KEY,
          bundleType: 'zip' as const,
          version: 'r1',
          eTag: 'e2',
        },
      },
    };
  }

  it("lists the first page of each configured group's deployments with revision, status and times", async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-1', 'd-2'], nextToken: 'p2' });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [deployment('d-1', '2026-12-01T09:00:00Z'), deployment('d-2', '2026-12-01T10:00:00Z')],
    });

    // Act
    const reply = await handleRequest({ method: 'GET', url: '/api/deployments', headers: HOST }, deps);

    // Assert
    expect(reply.status).toBe(200);
    const view = body(reply);
    expect(view.groups).toHaveLength(1);
    expect(view.groups[0]).toMatchObject({
      region: 'ap-northeast-2',
      application: 'web',
      deploymentGroup: 'web-prod',
      nextToken: 'p2',
      error: null,
    });
    expect(view.groups[0].deployments.map((d: { deploymentId: string }) => d.deploymentId)).toEqual([
      'd-2',
      'd-1',
    ]);
    expect(view.groups[0].deployments[0]).toMatchObject({
      status: 'Succeeded',
      createTime: '2026-12-01T10:00:00.000Z',
      completeTime: '2026-12-01T10:01:00.000Z',
      revision: { bucket: 'builds-seoul', key: KEY, bundleType: 'zip', version: 'r1', eTag: 'e2' },
    });
    expect(codeDeploy.commandCalls(ListDeploymentsCommand)).toHaveLength(1);
    expect(codeDeploy.commandCalls(ListDeploymentsCommand)[0]?.args[0].input).toEqual({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
    });
  });

  it('reads the next page of one group with its token: one ListDeployments, BatchGetDeployments 25 ids at a time', async () => {
    // Arrange
    const ids = Array.from({ length: 30 }, (_, i) => `d-${i}`);
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ids });
    codeDeploy.on(BatchGetDeploymentsCommand).callsFake((input: { deploymentIds: string[] }) => ({
      deploymentsInfo: input.deploymentIds.map((id) => deployment(id, '2026-12-01T09:00:00Z')),
    }));

    // Act
    const reply = await handleRequest(
      {
        method: 'GET',
        url: '/api/deployments/group?region=ap-northeast-2&application=web&deploymentGroup=web-prod&next=p2',
        headers: HOST,
      },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    expect(body(reply).deployments).toHaveLength(30);
    expect(body(reply).nextToken).toBeNull();
    expect(codeDeploy.commandCalls(ListDeploymentsCommand)).toHaveLength(1);
    expect(codeDeploy.commandCalls(ListDeploymentsCommand)[0]?.args[0].input.nextToken).toBe('p2');
    const batches = codeDeploy
      .commandCalls(BatchGetDeploymentsCommand)
      .map((c) => c.args[0].input.deploymentIds);
    expect(batches.map((b) => b?.length)).toEqual([BATCH_GET_LIMIT, 5]);
  });

  it('says why a group cannot be read, in that group only', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).rejects(
      Object.assign(new Error('No application found for name: web'), {
        name: 'ApplicationDoesNotExistException',
      }),
    );

    // Act
    const reply = await handleRequest({ method: 'GET', url: '/api/deployments', headers: HOST }, deps);

    // Assert
    expect(reply.status).toBe(200);
    expect(body(reply).groups[0].error.error).toBe('ApplicationDoesNotExistException');
    expect(body(reply).groups[0].deployments).toEqual([]);
  });

  it('answers 404 NotFound for a group no configured target deploys to', async () => {
    // Act
    const reply = await handleRequest(
      {
        method: 'GET',
        url: '/api/deployments/group?region=us-east-1&application=other&deploymentGroup=g',
        headers: HOST,
      },
      deps,
    );

    // Assert
    expect(reply.status).toBe(404);
    expect(codeDeploy.calls()).toHaveLength(0);
  });
});
