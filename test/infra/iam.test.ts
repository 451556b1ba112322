import { beforeAll, describe, expect, it } from 'vitest';
import { TASK_PLACEHOLDERS, type TaskRole } from '../../state-machine/placeholders.ts';
import { type SynthResult, synthRelayApp } from './helpers/synth.ts';
import {
  actionsByResource,
  asList,
  functionLogicalId,
  logicalIdOf,
  resourcesOfType,
  resourceText,
  type Statement,
  statementsOfRole,
} from './helpers/template.ts';

const ACCOUNT = '111122223333';
const SOURCE_OBJECTS = 'arn:aws:s3:::build-artifacts-oregon/build_artifacts/*.zip';
const SEOUL_OBJECTS = 'arn:aws:s3:::artifacts-seoul/build_artifacts/*.zip';
const FRANKFURT_OBJECTS = 'arn:aws:s3:::artifacts-frankfurt/releases/*.zip';
const SOURCE_BUCKET = 'arn:aws:s3:::build-artifacts-oregon';
const SEOUL_BUCKET = 'arn:aws:s3:::artifacts-seoul';
const FRANKFURT_BUCKET = 'arn:aws:s3:::artifacts-frankfurt';
const SEOUL_KEY = 'arn:aws:kms:ap-northeast-2:000000000000:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18';
const SOURCE_KEYS = 'arn:aws:kms:us-west-2:*:key/*';
const GROUP = `arn:aws:codedeploy:ap-northeast-2:${ACCOUNT}:deploymentgroup:web/web-prod`;
const APPLICATION = `arn:aws:codedeploy:ap-northeast-2:${ACCOUNT}:application:web`;
const SEOUL_LEDGER = `${SEOUL_BUCKET}/.artifact-relay/deployments/web/web-prod.json`;
const GROUP_CONFIGS = `arn:aws:codedeploy:ap-northeast-2:${ACCOUNT}:deploymentconfig:*`;
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const WRITE_LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

const COPY_TARGET = [
  's3:AbortMultipartUpload',
  's3:GetObject',
  's3:GetObjectAttributes',
  's3:ListMultipartUploadParts',
  's3:PutObject',
  's3:PutObjectTagging',
];

/** The exact grants of each function for the example configuration (besides its log group). */
const EXPECTED: Record<TaskRole, Record<string, string[]>> = {
  'resolve-targets': {
    [SOURCE_OBJECTS]: ['s3:GetObject', 's3:GetObjectVersion'],
    [SOURCE_BUCKET]: ['s3:ListBucket'],
    '*': XRAY,
  },
  'copy-object': {
    [SOURCE_OBJECTS]: [
      's3:GetObject',
      's3:GetObjectAttributes',
      's3:GetObjectTagging',
      's3:GetObjectVersion',
      's3:GetObjectVersionTagging',
    ],
    [SEOUL_OBJECTS]: COPY_TARGET,
    [FRANKFURT_OBJECTS]: COPY_TARGET,
    [SOURCE_BUCKET]: ['s3:ListBucket'],
    [SEOUL_BUCKET]: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
    [FRANKFURT_BUCKET]: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
    [SOURCE_KEYS]: ['kms:Decrypt'],
    [SEOUL_KEY]: ['kms:Decrypt', 'kms:GenerateDataKey'],
    '*': XRAY,
  },
  'verify-copy': {
    [SOURCE_OBJECTS]: ['s3:GetObject', 's3:GetObjectVersion'],
    [SEOUL_OBJECTS]: ['s3:GetObject', 's3:GetObjectVersion'],
    [FRANKFURT_OBJECTS]: ['s3:GetObject', 's3:GetObjectVersion'],
    [SOURCE_BUCKET]: ['s3:ListBucket'],
    [SEOUL_BUCKET]: ['s3:ListBucket'],
    [FRANKFURT_BUCKET]: ['s3:ListBucket'],
    [SOURCE_KEYS]: ['kms:Decrypt'],
    [SEOUL_KEY]: ['kms:Decrypt'],
    '*': XRAY,
  },
  'start-deployment': {
    [GROUP]: [
      'codedeploy:BatchGetDeployments',
      'codedeploy:CreateDeployment',
      'codedeploy:GetDeployment',
      'codedeploy:ListDeployments',
    ],
    [APPLICATION]: ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
    [GROUP_CONFIGS]: ['codedeploy:GetDeploymentConfig'],
    [SEOUL_OBJECTS]: ['s3:GetObject', 's3:GetObjectVersion'],
    [SEOUL_LEDGER]: ['s3:GetObject', 's3:PutObject'],
    [SEOUL_BUCKET]: ['s3:ListBucket'],
    [SEOUL_KEY]: ['kms:Decrypt', 'kms:GenerateDataKey'],
    '*': XRAY,
  },
  'check-deployment': {
    [GROUP]: ['codedeploy:GetDeployment'],
    '*': XRAY,
  },
};

let result: SynthResult;

function functionStatements(role: TaskRole): Statement[] {
  const fn = result.stack.relay.functions[role];
  return statementsOfRole(result, logicalIdOf(result.stack, fn.role!));
}

function allPolicyStatements(): Statement[] {
  const inline = resourcesOfType(result, 'AWS::IAM::Policy').flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  const resourcePolicies = resourcesOfType(result, 'AWS::SQS::QueuePolicy').flatMap(
    ([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
  return [...inline, ...resourcePolicies];
}

beforeAll(() => {
  result = synthRelayApp();
});

describe('the task functions’ IAM', () => {
  it.each(Object.values(TASK_PLACEHOLDERS))(
    '%s gets exactly its actions on exactly its resources',
    (role) => {
      // Arrange
      const logGroup = logicalIdOf(result.stack, result.stack.relay.functions[role].logGroup);

      // Act
      const granted = actionsByResource(functionStatements(role));

      // Assert
      expect(granted).toEqual(
        actionsByResource(
          Object.entries({
            ...EXPECTED[role],
            [JSON.stringify({ 'Fn::GetAtt': [logGroup, 'Arn'] })]: WRITE_LOGS,
          }).map(([resource, actions]) => ({
            Effect: 'Allow',
            Action: actions,
            Resource: resource.startsWith('{') ? JSON.parse(resource) : resource,
          })),
        ),
      );
    },
  );

  it('lets the source key be used only by S3 in the source region for the source bucket', () => {
    // Act
    const statement = functionStatements('copy-object').find((s) => resourceText(s.Resource) === SOURCE_KEYS);

    // Assert
    expect(statement?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [SOURCE_BUCKET, SOURCE_OBJECTS] },
    });
  });

  it("lets a target's key be used only by S3 in the target's region for the target's keys", () => {
    // Act
    const statement = functionStatements('copy-object').find((s) => resourceText(s.Resource) === SEOUL_KEY);

    // Assert
    expect(statement?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.ap-northeast-2.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [SEOUL_BUCKET, SEOUL_OBJECTS] },
    });
  });
});

describe('the other roles', () => {
  it('let the state machine invoke exactly the five task functions', () => {
    // Arrange
    const machine = result.stack.relay.stateMachine;
    const statements = statementsOfRole(result, logicalIdOf(result.stack, machine.role));

    // Act
    const invoke = statements.filter((s) => asList(s.Action).includes('lambda:InvokeFunction'));

    // Assert
    expect(invoke).toHaveLength(1);
    expect(asList(invoke[0]!.Action)).toEqual(['lambda:InvokeFunction']);
    expect(asList(invoke[0]!.Resource).map(resourceText).sort()).toEqual(
      Object.values(TASK_PLACEHOLDERS)
        .map((role) => JSON.stringify({ 'Fn::GetAtt': [functionLogicalId(result, role), 'Arn'] }))
        .sort(),
    );
  });

  it('let the notifications handler read and write only the source bucket’s notification configuration', () => {
    // Act
    const statements = allPolicyStatements().filter((s) =>
      asList(s.Action).some((a) => a.endsWith('BucketNotification')),
    );

    // Assert
    expect(actionsByResource(statements)).toEqual({
      [SOURCE_BUCKET]: ['s3:GetBucketNotification', 's3:PutBucketNotification'],
    });
  });
});

describe('wildcards', () => {
  it('no statement allows the action "*" or a service wildcard such as "s3:*"', () => {
    // Act
    const wildcards = allPolicyStatements()
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => asList(s.Action))
      .filter((action) => action.includes('*'));

    // Assert
    expect(wildcards).toEqual([]);
  });

  it('Resource "*" appears only for X-Ray and CloudWatch Logs delivery, which offer nothing narrower', () => {
    // Arrange
    const allowed =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;

    // Act
    const actionsOnStar = allPolicyStatements()
      .filter((s) => s.Effect === 'Allow' && asList(s.Resource).includes('*'))
      .flatMap((s) => asList(s.Action));

    // Assert
    expect(actionsOnStar.length).toBeGreaterThan(0);
    expect(actionsOnStar.filter((action) => !allowed.test(action))).toEqual([]);
  });
});
