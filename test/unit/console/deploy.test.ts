/**
 * The console's Deploy… routes against mocked SDK clients (aws-sdk-client-mock): POST /api/deploy runs
 * `relay deploy`'s logic (the replica's stamp, the group's ledger, newest wins, `rollback`), refuses a
 * request without the page's token, and GET /api/deploy/status reports one GetDeployment.
 */
import {
  CodeDeployClient,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { TOKEN_HEADER } from '../../../console/api-types.ts';
import type { ConsoleBackend } from '../../../console/server/api.ts';
import { handleRequest, type RouteDeps } from '../../../console/server/routes.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import { type LedgerRecord, ledgerKey } from '../../../core/deployment-ledger.ts';
import { buildReplicaMetadata } from '../../../core/replica-metadata.ts';

const MACHINE_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const SOURCE = { bucket: 'builds-src', key: 'builds/web-1.zip' };
const REPLICA = { bucket: 'builds-seoul', key: 'builds/web-1.zip', region: 'ap-northeast-2' };
const LEDGER_KEY = ledgerKey('web', 'web-prod');
const SEQUENCER = '0062E99A88DC407460';

const s3 = mockClient(S3Client);
const codeDeploy = mockClient(CodeDeployClient);
const backend: ConsoleBackend = {
  sfnFor: () => new SFNClient({ region: 'us-west-2' }),
  s3For: (region) => new S3Client({ region }),
  codeDeployFor: (region) => new CodeDeployClient({ region }),
  machine: async () => parseStateMachineArn(MACHINE_ARN)!,
  config: async () => parseConfig({ sources: [] }, 'test config'),
};
const TOKEN = 'the-token';
const deps: RouteDeps = { backend, token: TOKEN, ui: async () => ({ script: '', style: '' }), isLocal: true };
const HOST = { host: '127.0.0.1:4567' };
const WITH_TOKEN = { ...HOST, [TOKEN_HEADER]: TOKEN };

function awsError(name: string, httpStatusCode: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode }, $fault: 'client' });
}

function deployUrl(extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    bucket: REPLICA.bucket,
    key: REPLICA.key,
    region: REPLICA.region,
    application: 'web',
    deploymentGroup: 'web-prod',
    ...extra,
  });
  return `/api/deploy?${query}`;
}

/** A ledger record saying the group has a newer build of the same source key. */
function newerBuild(): LedgerRecord {
  return {
    format: 1,
    application: 'web',
    deploymentGroup: 'web-prod',
    build: {
      source: { ...SOURCE, etag: 'newer', versionId: 'v-src-2', sequencer: '0062E99A88DC407461' },
      revision: { bucket: REPLICA.bucket, key: REPLICA.key, etag: 'newer', versionId: 'v-rep-2' },
    },
    claimedBy: { execution: 'arn:other#x', redriveCount: 0 },
    claimedAt: new Date().toISOString(),
    deploymentId: 'd-NEWER',
  };
}

let ledger: { text: string; etag: string } | undefined;

beforeEach(() => {
  ledger = undefined;
  s3.on(HeadObjectCommand).resolves({
    VersionId: 'v-rep-1',
    ETag: '"abc"',
    ContentLength: 10,
    ServerSideEncryption: 'AES256',
    Metadata: buildReplicaMetadata({ ...SOURCE, versionId: 'v-src-1', etag: 'abc', sequencer: SEQUENCER }),
  });
  s3.on(GetObjectCommand, { Key: LEDGER_KEY }).callsFake(() => {
    if (ledger === undefined) throw awsError('NoSuchKey', 404);
    const text = ledger.text;
    return {
      ETag: `"${ledger.etag}"`,
      Body: { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'],
    };
  });
  s3.on(PutObjectCommand, { Key: LEDGER_KEY }).callsFake((input: { Body: string }) => {
    ledger = { text: input.Body, etag: `e${Date.now()}` };
    return { ETag: `"${ledger.etag}"` };
  });
  codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
  codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW' });
  codeDeploy
    .on(GetDeploymentCommand)
    .resolves({ deploymentInfo: { deploymentId: 'd-NEW', status: 'Created' } });
});

afterEach(() => {
  s3.reset();
  codeDeploy.reset();
});

describe('POST /api/deploy', () => {
  it('deploys an in-sync replica as relay deploy does and answers the deployment id', async () => {
    // Arrange / Act
    const answer = await handleRequest({ method: 'POST', url: deployUrl(), headers: WITH_TOKEN }, deps);

    // Assert
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      action: 'started',
      deploymentId: 'd-NEW',
      rollback: false,
      versionId: 'v-rep-1',
      application: 'web',
      deploymentGroup: 'web-prod',
    });
    const created = codeDeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input;
    expect(created).toMatchObject({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      revision: {
        s3Location: { bucket: REPLICA.bucket, key: REPLICA.key, bundleType: 'zip', version: 'v-rep-1' },
      },
    });
  });

  it('answers 403 InvalidToken to a deploy without the token, and deploys nothing', async () => {
    // Arrange / Act
    const answer = await handleRequest({ method: 'POST', url: deployUrl(), headers: HOST }, deps);

    // Assert
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'InvalidToken' });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('answers 403 CrossOriginRequest to a deploy from another origin, even with the token', async () => {
    // Arrange / Act
    const answer = await handleRequest(
      { method: 'POST', url: deployUrl(), headers: { ...WITH_TOKEN, origin: 'https://evil.example' } },
      deps,
    );

    // Assert
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'CrossOriginRequest' });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('refuses an older build than the group has unless rollback is asked, saying what it rolls back from', async () => {
    // Arrange
    ledger = { text: JSON.stringify(newerBuild()), etag: 'e0' };

    // Act
    const answer = await handleRequest({ method: 'POST', url: deployUrl(), headers: WITH_TOKEN }, deps);

    // Assert
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      action: 'skipped',
      deploymentId: null,
      newerDeploymentId: 'd-NEWER',
      detail: expect.stringContaining('0062E99A88DC407461'),
    });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('deploys the older build as a rollback, recorded in the ledger, when rollback=true', async () => {
    // Arrange
    ledger = { text: JSON.stringify(newerBuild()), etag: 'e0' };

    // Act
    const answer = await handleRequest(
      { method: 'POST', url: deployUrl({ rollback: 'true' }), headers: WITH_TOKEN },
      deps,
    );

    // Assert
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      action: 'started',
      rollback: true,
      deploymentId: 'd-NEW',
    });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    expect(JSON.parse(ledger?.text ?? '{}')).toMatchObject({
      rolledBackFrom: { sequencer: '0062E99A88DC407461' },
    });
  });

  it('answers 400 BadRequest for an object the relay did not write', async () => {
    // Arrange
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v-1', ETag: '"abc"', ContentLength: 10, Metadata: {} });

    // Act
    const answer = await handleRequest({ method: 'POST', url: deployUrl(), headers: WITH_TOKEN }, deps);

    // Assert
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).message).toContain('is not a replica the relay wrote');
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('answers 405 MethodNotAllowed to a GET of the deploy route', async () => {
    // Arrange / Act
    const answer = await handleRequest({ method: 'GET', url: deployUrl(), headers: HOST }, deps);

    // Assert
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
  });
});

describe('GET /api/deploy/status', () => {
  it('reports a deployment still running as not ended', async () => {
    // Arrange
    codeDeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-NEW', status: 'InProgress' } });

    // Act
    const answer = await handleRequest(
      { method: 'GET', url: `/api/deploy/status?region=${REPLICA.region}&deploymentId=d-NEW`, headers: HOST },
      deps,
    );

    // Assert
    expect(JSON.parse(answer.body)).toEqual({
      deploymentId: 'd-NEW',
      status: 'InProgress',
      ended: false,
      failed: false,
      message: null,
    });
  });

  it("reports a failed deployment as ended with CodeDeploy's error", async () => {
    // Arrange
    codeDeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        deploymentId: 'd-NEW',
        status: 'Failed',
        errorInformation: { code: 'HEALTH_CONSTRAINTS', message: 'too few healthy instances' },
      },
    });

    // Act
    const answer = await handleRequest(
      { method: 'GET', url: `/api/deploy/status?region=${REPLICA.region}&deploymentId=d-NEW`, headers: HOST },
      deps,
    );

    // Assert
    const body = JSON.parse(answer.body);
    expect(body).toMatchObject({ status: 'Failed', ended: true, failed: true });
    expect(body.message).toContain('HEALTH_CONSTRAINTS');
    expect(body.message).toContain('too few healthy instances');
  });

  it('answers 400 BadRequest without a deployment id', async () => {
    // Arrange / Act
    const answer = await handleRequest(
      { method: 'GET', url: `/api/deploy/status?region=${REPLICA.region}`, headers: HOST },
      deps,
    );

    // Assert
    expect(answer.status).toBe(400);
  });
});
