/**
 * The AWS CLI v2 against the local stack: what a person does after `npx relay local`.
 * Debian's awscli is 2.9.19 (Dec 2022); it sends no flexible checksums and predates RedriveExecution.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsCliV2, runAwsCli } from '../../helpers/aws-cli.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { startTestStack, TEST_AUTH, type TestStack } from '../../helpers/local-stack.ts';

const awsCli = findAwsCliV2();
if (!awsCli && process.env.RELAY_REQUIRE_AWS_CLI === '1') {
  throw new Error('RELAY_REQUIRE_AWS_CLI=1 but no AWS CLI v2 was found: apt-get install awscli');
}

// Skipped only where no AWS CLI v2 is installed (a developer machine); .ci/run installs it and requires it.
describe.skipIf(!awsCli)('the AWS CLI v2 against the local stack', () => {
  const cli = awsCli ?? 'aws';
  let stack: TestStack;
  let workDir: string;

  beforeAll(async () => {
    stack = await startTestStack({ auth: TEST_AUTH });
    workDir = await mkdtemp(join(tmpdir(), 'relay-awscli-files-'));
  });

  afterAll(async () => {
    await stack?.dispose();
    await rm(workDir, { recursive: true, force: true });
  });

  it('uploads a 20 MiB file with aws s3 cp as three parts and reports a -3 ETag', async () => {
    // Arrange
    const file = join(workDir, 'build.bin');
    const bytes = randomBytes(20 * 1024 * 1024);
    await writeFile(file, bytes);
    const mb = await runAwsCli(cli, stack.endpoint, ['s3', 'mb', 's3://cli-bucket'], 'eu-central-1');
    expect(mb.exitCode, mb.stderr).toBe(0);
    const partMd5s = [0, 1, 2].map((i) =>
      createHash('md5')
        .update(bytes.subarray(i * 8 * 1024 * 1024, Math.min(bytes.length, (i + 1) * 8 * 1024 * 1024)))
        .digest(),
    );
    const expectedEtag = `"${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-3"`;

    // Act
    const cp = await runAwsCli(
      cli,
      stack.endpoint,
      ['s3', 'cp', file, 's3://cli-bucket/dir/build.bin'],
      'eu-central-1',
    );
    const head = await runAwsCli(
      cli,
      stack.endpoint,
      ['s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'dir/build.bin'],
      'eu-central-1',
    );

    // Assert
    expect(cp.exitCode, cp.stderr).toBe(0);
    expect(head.exitCode, head.stderr).toBe(0);
    const info = JSON.parse(head.stdout) as { ETag: string; ContentLength: number };
    expect(info.ContentLength).toBe(bytes.length);
    expect(info.ETag).toBe(expectedEtag);
  });

  // botocore URL-encodes a string --copy-source itself, so the raw key is what a person types.
  it('copies an object whose key has a space and a plus with aws s3api copy-object', async () => {
    // Arrange
    const s3 = stack.s3Client('eu-central-1');
    const body = Buffer.from('hello from the local stack\n');
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'cli-copy',
        CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'cli-copy', Key: 'a b+c.txt', Body: body }));
    const out = join(workDir, 'copied.txt');

    // Act
    const copy = await runAwsCli(
      cli,
      stack.endpoint,
      [
        's3api',
        'copy-object',
        '--bucket',
        'cli-copy',
        '--key',
        'copied.txt',
        '--copy-source',
        'cli-copy/a b+c.txt',
      ],
      'eu-central-1',
    );
    const get = await runAwsCli(
      cli,
      stack.endpoint,
      ['s3api', 'get-object', '--bucket', 'cli-copy', '--key', 'copied.txt', out],
      'eu-central-1',
    );

    // Assert
    expect(copy.exitCode, copy.stderr).toBe(0);
    const result = JSON.parse(copy.stdout) as { CopyObjectResult: { ETag: string } };
    expect(result.CopyObjectResult.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    expect(get.exitCode, get.stderr).toBe(0);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(out)).toEqual(body);
  });

  it('lists executions with aws stepfunctions list-executions', async () => {
    // Arrange
    const sfn = stack.sfnClient('us-east-1');
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'cli-sm',
        definition,
        roleArn: 'arn:aws:iam::000000000000:role/x',
      }),
    );
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'first-run', input: '{}' }));
    await stack.stepFunctions.waitForExecution(
      `${stateMachineArn!.replace(':stateMachine:', ':execution:')}:first-run`,
    );

    // Act
    const list = await runAwsCli(cli, stack.endpoint, [
      'stepfunctions',
      'list-executions',
      '--state-machine-arn',
      stateMachineArn!,
    ]);

    // Assert
    expect(list.exitCode, list.stderr).toBe(0);
    const parsed = JSON.parse(list.stdout) as { executions: Array<{ name: string; status: string }> };
    expect(parsed.executions).toEqual([expect.objectContaining({ name: 'first-run', status: 'SUCCEEDED' })]);
  });

  it('reads a deployment with aws deploy get-deployment', async () => {
    // Arrange
    const s3 = stack.s3Client('ap-northeast-2');
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'cli-deploy',
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
      }),
    );
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'cli-deploy', Key: 'web.zip', Body: await zipWithAppspec() }),
    );
    const cd = stack.codeDeployClient('ap-northeast-2');
    await cd.send(new CreateApplicationCommand({ applicationName: 'web' }));
    await cd.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'web',
        deploymentGroupName: 'web-prod',
        serviceRoleArn: 'arn:aws:iam::000000000000:role/codedeploy',
      }),
    );
    const { deploymentId } = await cd.send(
      new CreateDeploymentCommand({
        applicationName: 'web',
        deploymentGroupName: 'web-prod',
        revision: {
          revisionType: 'S3',
          s3Location: {
            bucket: 'cli-deploy',
            key: 'web.zip',
            bundleType: 'zip',
            eTag: put.ETag!.replaceAll('"', ''),
          },
        },
      }),
    );

    // Act
    const got = await runAwsCli(
      cli,
      stack.endpoint,
      ['deploy', 'get-deployment', '--deployment-id', deploymentId!],
      'ap-northeast-2',
    );

    // Assert
    expect(got.exitCode, got.stderr).toBe(0);
    const info = JSON.parse(got.stdout) as {
      deploymentInfo: { deploymentId: string; applicationName: string; status: string };
    };
    expect(info.deploymentInfo).toMatchObject({ deploymentId, applicationName: 'web' });
    expect(['Created', 'Queued', 'InProgress', 'Succeeded']).toContain(info.deploymentInfo.status);
  });
});
