import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planPermissions } from '../../core/permissions/plan.ts';
import { policyStatementOf } from '../../core/permissions/policy-document.ts';
import { TASK_PLACEHOLDERS, type TaskRole } from '../../state-machine/placeholders.ts';
import { BEYOND_THE_PLAN } from '../integration/least-privilege/beyond-the-plan.ts';
import { type SynthResult, synthRelayApp, TEST_ACCOUNT } from './helpers/synth.ts';
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

const SOURCE_BUCKET = 'arn:aws:s3:::build-artifacts-oregon';

/**
 * A configuration that takes every branch of the plan the example does not: the TargetBucket tag
 * convention, a key named by alias, a canned ACL, a named deployment configuration, a rule
 * without prefix or suffix, an empty keyPrefix, a China-partition target and two sources.
 */
const EVERY_BRANCH = {
  sources: [
    {
      bucket: 'src-a',
      region: 'us-east-1',
      rules: [
        {
          name: 'r1',
          prefix: 'builds/',
          suffix: '.zip',
          targets: [
            {
              bucket: 'dst-alias',
              region: 'eu-west-1',
              acl: 'bucket-owner-full-control',
              encryption: {
                type: 'aws:kms',
                kmsKeyArn: 'arn:aws:kms:eu-west-1:444455556666:alias/artifacts',
              },
              deploy: {
                application: 'app',
                deploymentGroup: 'grp',
                bundleType: 'zip',
                deploymentConfigName: 'CodeDeployDefault.OneAtATime',
              },
            },
            { bucket: 'dst-plain', region: 'cn-north-1', keyPrefix: '' },
          ],
        },
        {
          name: 'r2',
          targets: [
            {
              bucket: 'dst-key',
              region: 'ap-southeast-2',
              encryption: { type: 'aws:kms', kmsKeyArn: 'arn:aws:kms:ap-southeast-2:111122223333:key/abc' },
              deploy: { application: 'app2', deploymentGroup: 'g2', bundleType: 'tgz' },
            },
          ],
        },
      ],
      targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*', 'dr-bucket@eu-west-1'] },
    },
    {
      bucket: 'src-b',
      region: 'us-east-1',
      rules: [{ name: 'r3', prefix: 'x/', targets: [{ bucket: 'dst-b', region: 'us-east-1' }] }],
    },
  ],
};

/** JSON with object keys sorted, so equal conditions compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A statement as synthesized or as the plan writes it. */
interface Granting {
  readonly Effect: string;
  readonly Action?: string | readonly string[];
  readonly Resource?: unknown;
  readonly Condition?: unknown;
}

/**
 * What statements grant, one line per effect, action, resource and condition — the same however
 * CDK merges or orders statements (`@aws-cdk/aws-iam:minimizePolicies`).
 */
function grants(statements: readonly Granting[]): string[] {
  const lines = statements.flatMap((statement) =>
    asList(statement.Action ?? []).flatMap((action) =>
      asList(statement.Resource ?? []).map(
        (resource) =>
          `${statement.Effect} ${action} ${resourceText(resource)} ${canonical(statement.Condition ?? null)}`,
      ),
    ),
  );
  return [...new Set(lines)].sort();
}

const synths: Record<'example' | 'every branch', SynthResult> = {} as Record<
  'example' | 'every branch',
  SynthResult
>;
let result: SynthResult;

function roleStatements(synth: SynthResult, role: TaskRole): Statement[] {
  const fn = synth.stack.relay.functions[role];
  return statementsOfRole(synth, logicalIdOf(synth.stack, fn.role!));
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
  const everyBranch = join(mkdtempSync(join(tmpdir(), 'relay-iam-')), 'relay.config.json');
  writeFileSync(everyBranch, JSON.stringify(EVERY_BRANCH));
  synths.example = synthRelayApp();
  synths['every branch'] = synthRelayApp({ config: everyBranch });
  result = synths.example;
});

const CASES = (['example', 'every branch'] as const).flatMap((config) =>
  Object.values(TASK_PLACEHOLDERS).map((role) => [config, role] as const),
);

describe('the task functions’ IAM is the permission plan', () => {
  it.each(CASES)(
    '%s configuration: %s holds exactly its planned statements, its log group and X-Ray',
    (config, role) => {
      // Arrange
      const synth = synths[config];
      const plan = planPermissions(synth.stack.relay.config, TEST_ACCOUNT);
      const logGroup = logicalIdOf(synth.stack, synth.stack.relay.functions[role].logGroup);
      const expected: Granting[] = [
        ...plan[role].map(policyStatementOf),
        {
          Effect: 'Allow',
          Action: BEYOND_THE_PLAN.logs.actions,
          Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
        },
        { Effect: 'Allow', Action: BEYOND_THE_PLAN.xray.actions, Resource: '*' },
      ];

      // Act
      const granted = grants(roleStatements(synth, role));

      // Assert
      expect(granted).toEqual(grants(expected));
    },
  );

  it.each(['example', 'every branch'] as const)(
    '%s configuration: the construct exposes the plan it rendered',
    (config) => {
      // Arrange
      const synth = synths[config];

      // Act
      const plan = planPermissions(synth.stack.relay.config, TEST_ACCOUNT);

      // Assert
      expect(synth.stack.relay.permissions).toEqual(plan);
      expect(Object.keys(plan).sort()).toEqual(Object.values(TASK_PLACEHOLDERS).sort());
    },
  );

  it('lists a reason for every grant beyond the plan', () => {
    // Assert
    for (const extra of Object.values(BEYOND_THE_PLAN)) expect(extra.reason.length).toBeGreaterThan(40);
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
