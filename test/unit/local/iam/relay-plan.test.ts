import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import { type PlannedRole, planPermissions } from '../../../../core/permissions/plan.ts';
import { type PolicyDocument, policyDocumentOf } from '../../../../core/permissions/policy-document.ts';
import { type ContextInput, evaluate, evaluateKeyPolicy } from '../../../../local/iam/evaluate.ts';

// The relay's own plan (core/permissions), as the local stack will enforce it, for the example
// configuration: the calls the task code makes are allowed, their neighbours are not.

const ACCOUNT = '111122223333';
const KEY_ACCOUNT = '000000000000';
const SEOUL_KEY = `arn:aws:kms:ap-northeast-2:${KEY_ACCOUNT}:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18`;
const config = parseConfig(
  JSON.parse(readFileSync(new URL('../../../../examples/relay.config.json', import.meta.url), 'utf8')),
  'examples/relay.config.json',
);
const plan = planPermissions(config, ACCOUNT);

function roleArn(role: PlannedRole): string {
  return `arn:aws:sts::${ACCOUNT}:assumed-role/relay-${role}/session`;
}

function decide(role: PlannedRole, action: string, resource: string, context: ContextInput = {}): string {
  return evaluate({
    principal: { account: ACCOUNT, arn: roleArn(role) },
    action,
    resource,
    resourceAccount: ACCOUNT,
    context,
    identityPolicies: [policyDocumentOf(plan[role])],
  }).decision;
}

const SEOUL_OBJECT = 'arn:aws:s3:::artifacts-seoul/build_artifacts/x.zip';
const SEOUL_S3 = { 'kms:ViaService': 's3.ap-northeast-2.amazonaws.com' };

describe('the example plan, evaluated', () => {
  it('lets copy-object write the replica and nothing outside the target key pattern', () => {
    expect(decide('copy-object', 's3:PutObject', SEOUL_OBJECT)).toBe('Allow');
    expect(decide('copy-object', 's3:PutObject', 'arn:aws:s3:::artifacts-seoul/other/x.zip')).toBe(
      'ImplicitDeny',
    );
    expect(decide('copy-object', 's3:PutObject', 'arn:aws:s3:::artifacts-tokyo/build_artifacts/x.zip')).toBe(
      'ImplicitDeny',
    );
    expect(decide('copy-object', 's3:PutObject', 'arn:aws:s3:::artifacts-frankfurt/releases/x.zip')).toBe(
      'Allow',
    );
    expect(decide('copy-object', 's3:DeleteObject', SEOUL_OBJECT)).toBe('ImplicitDeny');
  });

  it('lets copy-object read the pinned source version, and list the buckets it HEADs in', () => {
    const source = 'arn:aws:s3:::build-artifacts-oregon/build_artifacts/app.zip';
    expect(decide('copy-object', 's3:GetObjectVersion', source)).toBe('Allow');
    expect(decide('copy-object', 's3:GetObjectVersionTagging', source)).toBe('Allow');
    expect(decide('copy-object', 's3:ListBucket', 'arn:aws:s3:::build-artifacts-oregon')).toBe('Allow');
    expect(decide('copy-object', 's3:PutObject', source)).toBe('ImplicitDeny');
  });

  it('lets copy-object use the Seoul key only through S3 in Seoul for the target’s objects', () => {
    const encryptsReplica = { ...SEOUL_S3, 'kms:EncryptionContext:aws:s3:arn': SEOUL_OBJECT };
    expect(decide('copy-object', 'kms:GenerateDataKey', SEOUL_KEY, encryptsReplica)).toBe('Allow');
    // S3 Bucket Keys use the bucket ARN as the encryption context.
    expect(
      decide('copy-object', 'kms:GenerateDataKey', SEOUL_KEY, {
        ...SEOUL_S3,
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::artifacts-seoul',
      }),
    ).toBe('Allow');
    expect(
      decide('copy-object', 'kms:GenerateDataKey', SEOUL_KEY, {
        'kms:EncryptionContext:aws:s3:arn': SEOUL_OBJECT,
      }),
    ).toBe('ImplicitDeny');
    expect(
      decide('copy-object', 'kms:GenerateDataKey', SEOUL_KEY, {
        'kms:ViaService': 's3.us-west-2.amazonaws.com',
        'kms:EncryptionContext:aws:s3:arn': SEOUL_OBJECT,
      }),
    ).toBe('ImplicitDeny');
    expect(
      decide('copy-object', 'kms:GenerateDataKey', SEOUL_KEY, {
        ...SEOUL_S3,
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::artifacts-seoul/other.zip',
      }),
    ).toBe('ImplicitDeny');
    expect(decide('verify-copy', 'kms:GenerateDataKey', SEOUL_KEY, encryptsReplica)).toBe('ImplicitDeny');
    expect(decide('verify-copy', 'kms:Decrypt', SEOUL_KEY, encryptsReplica)).toBe('Allow');
  });

  it('lets a source key of any account in the source region decrypt only for the source bucket, through S3 there', () => {
    const sourceKey = 'arn:aws:kms:us-west-2:999988887777:key/abc';
    const context = {
      'kms:ViaService': 's3.us-west-2.amazonaws.com',
      'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::build-artifacts-oregon/build_artifacts/app.zip',
    };
    expect(decide('copy-object', 'kms:Decrypt', sourceKey, context)).toBe('Allow');
    expect(decide('copy-object', 'kms:Decrypt', 'arn:aws:kms:eu-west-1:999988887777:key/abc', context)).toBe(
      'ImplicitDeny',
    );
  });

  it('lets start-deployment create a deployment in its group and write only the group’s ledger', () => {
    const group = `arn:aws:codedeploy:ap-northeast-2:${ACCOUNT}:deploymentgroup:web/web-prod`;
    const ledger = 'arn:aws:s3:::artifacts-seoul/.artifact-relay/deployments/web/web-prod.json';
    expect(decide('start-deployment', 'codedeploy:CreateDeployment', group)).toBe('Allow');
    expect(
      decide(
        'start-deployment',
        'codedeploy:CreateDeployment',
        `arn:aws:codedeploy:ap-northeast-2:${ACCOUNT}:deploymentgroup:web/web-dev`,
      ),
    ).toBe('ImplicitDeny');
    expect(
      decide(
        'start-deployment',
        'codedeploy:GetDeploymentConfig',
        `arn:aws:codedeploy:ap-northeast-2:${ACCOUNT}:deploymentconfig:CodeDeployDefault.AllAtOnce`,
      ),
    ).toBe('Allow');
    expect(decide('start-deployment', 's3:PutObject', ledger)).toBe('Allow');
    expect(decide('start-deployment', 's3:PutObject', SEOUL_OBJECT)).toBe('ImplicitDeny');
    expect(decide('check-deployment', 'codedeploy:CreateDeployment', group)).toBe('ImplicitDeny');
    expect(decide('check-deployment', 'codedeploy:GetDeployment', group)).toBe('Allow');
  });

  it('gives resolve-targets read access to the source rule’s keys only', () => {
    expect(
      decide(
        'resolve-targets',
        's3:GetObject',
        'arn:aws:s3:::build-artifacts-oregon/build_artifacts/app.zip',
      ),
    ).toBe('Allow');
    expect(
      decide(
        'resolve-targets',
        's3:GetObject',
        'arn:aws:s3:::build-artifacts-oregon/build_artifacts/app.tar',
      ),
    ).toBe('ImplicitDeny');
    expect(decide('resolve-targets', 's3:GetObject', SEOUL_OBJECT)).toBe('ImplicitDeny');
  });
});

describe('the example plan with the README’s cross-account key policy', () => {
  // The Seoul key lives in another account (000000000000): its key policy must name the role.
  const keyPolicy = (principal: string): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ArtifactRelayEncrypt',
        Effect: 'Allow',
        Principal: { AWS: principal },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': 's3.ap-northeast-2.amazonaws.com' } },
      },
    ],
  });
  const request = (policy: PolicyDocument) => ({
    principal: { account: ACCOUNT, arn: roleArn('copy-object') },
    action: 'kms:GenerateDataKey',
    resource: SEOUL_KEY,
    keyAccount: KEY_ACCOUNT,
    context: { ...SEOUL_S3, 'kms:EncryptionContext:aws:s3:arn': SEOUL_OBJECT },
    identityPolicies: [policyDocumentOf(plan['copy-object'])],
    keyPolicy: policy,
  });

  it('allows the copy role once the key policy names it, and not before', () => {
    expect(
      evaluateKeyPolicy(request(keyPolicy(`arn:aws:iam::${ACCOUNT}:role/relay-copy-object`))).decision,
    ).toBe('Allow');
    expect(evaluateKeyPolicy(request(keyPolicy(`arn:aws:iam::${ACCOUNT}:role/someone-else`)))).toMatchObject({
      decision: 'ImplicitDeny',
      reason: 'because no key policy allows the kms:GenerateDataKey action',
    });
  });
});
