import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RelayConfigInput } from '../../core/config/schema.ts';
import { planBuildWorkListPermissions } from '../../core/permissions/backfill.ts';
import { policyStatementOf } from '../../core/permissions/policy-document.ts';
import { ArtifactRelay } from '../../infra/artifact-relay.ts';
import type { ArtifactRelayProps } from '../../infra/props.ts';
import {
  BACKFILL_MAP_LABEL,
  BACKFILL_PLACEHOLDERS,
  BACKFILL_STATES,
  buildBackfillDefinition,
} from '../../state-machine/backfill.ts';
import { cdkJson } from './helpers/synth.ts';
import { actionsByResource, asList, logicalIdOf, resourceText, type Statement } from './helpers/template.ts';

const ACCOUNT = '111122223333';
const REGION = 'us-west-2';
const SEOUL_KEY = `arn:aws:kms:ap-northeast-2:${ACCOUNT}:key/abc`;

/**
 * Two sources; one rule with prefix and suffix sending to an SSE-KMS target and to a target with its own
 * keyPrefix, one rule without either sending to that second target's bucket again.
 */
const CONFIG = {
  sources: [
    {
      bucket: 'src-a',
      region: REGION,
      rules: [
        {
          name: 'bundles',
          prefix: 'builds/',
          suffix: '.zip',
          targets: [
            {
              bucket: 'dst-seoul',
              region: 'ap-northeast-2',
              encryption: { type: 'aws:kms', kmsKeyArn: SEOUL_KEY },
            },
            { bucket: 'dst-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/' },
          ],
        },
      ],
    },
    {
      bucket: 'src-b',
      region: REGION,
      rules: [{ name: 'all', targets: [{ bucket: 'dst-frankfurt', region: 'eu-central-1' }] }],
    },
  ],
} satisfies RelayConfigInput;

interface Built {
  readonly stack: Stack;
  readonly relay: ArtifactRelay;
  readonly template: Template;
  readonly json: {
    readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    readonly Outputs?: Record<string, { Value: unknown }>;
  };
}

function build(
  props: Partial<ArtifactRelayProps> = {},
  extra?: (stack: Stack, relay: ArtifactRelay) => void,
): Built {
  const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Backfill', { env: { account: ACCOUNT, region: REGION } });
  const relay = new ArtifactRelay(stack, 'Relay', {
    config: CONFIG,
    // Someone to notify, so synth does not warn that the alarms notify nobody.
    alarmNotifications: { email: 'ops@example.com' },
    ...props,
  });
  extra?.(stack, relay);
  const template = Template.fromStack(stack);
  return { stack, relay, template, json: template.toJSON() as Built['json'] };
}

function id(built: Built, construct: Parameters<typeof logicalIdOf>[1]): string {
  return logicalIdOf(built.stack, construct);
}

/** The statements of every inline policy attached to the role of `roleId`. */
function roleStatements(built: Built, roleId: string): Statement[] {
  return Object.values(built.json.Resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles ?? []).includes(JSON.stringify({ Ref: roleId })),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const text = (value: unknown): string => JSON.stringify(value);

/** JSON with object keys sorted, so two equal conditions compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Each (effect, action, resource, condition) a set of statements grants, once, sorted: merged by CDK or not. */
function grantLines(statements: readonly Statement[]): string[] {
  const lines = statements.flatMap((statement) =>
    asList(statement.Action).flatMap((action) =>
      asList(statement.Resource ?? []).map(
        (resource) =>
          `${statement.Effect} ${action} ${resourceText(resource)} ${canonical(statement.Condition ?? null)}`,
      ),
    ),
  );
  return [...new Set(lines)].sort();
}

/** `arn:aws:states:<region>:<account>:execution:<name of machineId><tail>`, as CloudFormation gets it. */
function executionsOf(machineId: string, tail: string): string {
  return text({
    'Fn::Join': [
      '',
      [`arn:aws:states:${REGION}:${ACCOUNT}:execution:`, { 'Fn::GetAtt': [machineId, 'Name'] }, tail],
    ],
  });
}

const resultsObjects = (bucketId: string): string =>
  text({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] });

const DEFINITION = buildBackfillDefinition();
const RELAY_OBJECTS = DEFINITION.States[BACKFILL_STATES.relayObjects] as {
  readonly Label: string;
  readonly ItemProcessor: { readonly States: Record<string, { Parameters: Record<string, unknown> }> };
};

let built: Built;
let backfillMachine: { Properties: Record<string, unknown> };

beforeAll(() => {
  built = build();
  backfillMachine = built.json.Resources[id(built, built.relay.backfill!.stateMachine)]!;
});

describe('the backfill state machine', () => {
  it('is a Standard state machine running the backfill definition, with no placeholder left unsubstituted', () => {
    // Arrange
    const definitionString = backfillMachine.Properties.DefinitionString as string;
    const used = new Set([...definitionString.matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1]));

    // Assert
    expect(backfillMachine.Properties.StateMachineType).toBe('STANDARD');
    expect(JSON.parse(definitionString)).toEqual(JSON.parse(JSON.stringify(DEFINITION)));
    expect([...used].sort()).toEqual(Object.keys(BACKFILL_PLACEHOLDERS).sort());
    expect(backfillMachine.Properties.DefinitionSubstitutions).toEqual({
      BuildWorkListFunctionArn: { 'Fn::GetAtt': [id(built, built.relay.backfill!.function), 'Arn'] },
      RelayStateMachineArn: { Ref: id(built, built.relay.stateMachine) },
      Partition: 'aws',
    });
  });

  it('names the stack’s partition in its service integrations’ ARNs, as Step Functions runs only those of its own', () => {
    // Arrange: the relay in the China (Beijing) region, whose partition is aws-cn
    const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'BackfillChina', { env: { account: ACCOUNT, region: 'cn-north-1' } });
    const relay = new ArtifactRelay(stack, 'Relay', {
      config: {
        sources: [
          {
            bucket: 'src-beijing',
            region: 'cn-north-1',
            rules: [{ name: 'all', targets: [{ bucket: 'dst-ningxia', region: 'cn-northwest-1' }] }],
          },
        ],
      },
      alarmNotifications: { email: 'ops@example.com' },
    });
    const json = Template.fromStack(stack).toJSON() as Built['json'];

    // Act
    const machine = json.Resources[logicalIdOf(stack, relay.backfill!.stateMachine)]!.Properties;
    const resources = [...String(machine.DefinitionString).matchAll(/"Resource":"(arn:[^"]*)"/g)].map(
      (m) => m[1],
    );

    // Assert
    expect((machine.DefinitionSubstitutions as Record<string, unknown>).Partition).toBe('aws-cn');
    expect(resources.sort()).toEqual([
      `arn:\${Partition}:states:::s3:getObject`,
      `arn:\${Partition}:states:::s3:putObject`,
      `arn:\${Partition}:states:::states:startExecution.sync:2`,
    ]);
  });

  it('relays each work-list line by a relay execution, in a Distributed Map reading and writing the results path given at run time', () => {
    // Act
    const map = JSON.parse(backfillMachine.Properties.DefinitionString as string).States[
      BACKFILL_STATES.relayObjects
    ];
    const child = map.ItemProcessor.States[map.ItemProcessor.StartAt];

    // Assert
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(map.ItemReader).toEqual({
      Resource: `arn:\${Partition}:states:::s3:getObject`,
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { 'Bucket.$': '$.workList.bucket', 'Key.$': '$.workList.key' },
    });
    expect(map.ResultWriter).toEqual({
      Resource: `arn:\${Partition}:states:::s3:putObject`,
      Parameters: { 'Bucket.$': '$.workList.results.bucket', 'Prefix.$': '$.workList.results.prefix' },
    });
    expect(map.Label).toBe(BACKFILL_MAP_LABEL);
    expect(child.Resource).toBe(`arn:\${Partition}:states:::states:startExecution.sync:2`);
    // The child's state machine is the relay's: its placeholder is substituted with the relay's ARN.
    expect(child.Parameters.StateMachineArn).toBe(`\${RelayStateMachineArn}`);
    expect(
      (backfillMachine.Properties.DefinitionSubstitutions as Record<string, unknown>).RelayStateMachineArn,
    ).toEqual({ Ref: id(built, built.relay.stateMachine) });
  });

  it('logs errors without execution data to its own vended-logs group, and traces with X-Ray', () => {
    // Arrange
    const logGroupId = id(built, built.relay.backfill!.logGroup);

    // Assert
    expect(backfillMachine.Properties.LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      IncludeExecutionData: false,
      Level: 'ERROR',
    });
    expect(backfillMachine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(String(built.json.Resources[logGroupId]!.Properties.LogGroupName)).toMatch(
      /^\/aws\/vendedlogs\/states\//,
    );
    expect(logGroupId).not.toBe(id(built, built.relay.logGroup));
  });

  it('may do exactly what the backfill needs: invoke the builder, start and watch relay executions, run its own map runs, use the results bucket', () => {
    // Arrange
    const backfill = built.relay.backfill!;
    const machineId = id(built, backfill.stateMachine);
    const relayId = id(built, built.relay.stateMachine);
    const statements = roleStatements(built, id(built, backfill.stateMachine.role));

    // Act
    const granted = actionsByResource(statements);

    // Assert
    expect(statements.every((s) => s.Effect === 'Allow' && s.Condition === undefined)).toBe(true);
    expect(granted).toEqual(
      Object.fromEntries(
        Object.entries({
          [text({ 'Fn::GetAtt': [id(built, backfill.function), 'Arn'] })]: ['lambda:InvokeFunction'],
          [text({ Ref: relayId })]: ['states:StartExecution'],
          [executionsOf(relayId, ':*')]: ['states:DescribeExecution', 'states:StopExecution'],
          [`arn:aws:events:${REGION}:${ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`]: [
            'events:DescribeRule',
            'events:PutRule',
            'events:PutTargets',
          ],
          [text({ Ref: machineId })]: ['states:StartExecution'],
          [executionsOf(machineId, ':*')]: ['states:DescribeExecution', 'states:StopExecution'],
          [executionsOf(machineId, `/${RELAY_OBJECTS.Label}:*`)]: ['states:RedriveExecution'],
          [resultsObjects(id(built, backfill.resultsBucket))]: [
            's3:AbortMultipartUpload',
            's3:GetObject',
            's3:ListMultipartUploadParts',
            's3:PutObject',
          ],
          '*': [
            'logs:CreateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:DescribeLogGroups',
            'logs:DescribeResourcePolicies',
            'logs:GetLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:UpdateLogDelivery',
            'xray:GetSamplingRules',
            'xray:GetSamplingTargets',
            'xray:PutTelemetryRecords',
            'xray:PutTraceSegments',
          ],
        }).sort(([a], [b]) => a.localeCompare(b)),
      ),
    );
  });

  it('holds the grants naming itself in a policy of its own, so it does not depend on itself', () => {
    // Arrange
    const backfill = built.relay.backfill!;
    const machineId = id(built, backfill.stateMachine);
    const defaultPolicyId = id(built, backfill.stateMachine.role.node.findChild('DefaultPolicy'));

    // Act
    const defaultPolicy = text(built.json.Resources[defaultPolicyId]!.Properties.PolicyDocument);

    // Assert
    expect(defaultPolicy).not.toContain(`"${machineId}"`);
  });
});

describe('the work-list builder', () => {
  it('times out exactly when its Task state does, and gets the configuration as ResolveTargets does', () => {
    // Arrange
    const fn = built.json.Resources[id(built, built.relay.backfill!.function)]!;
    const task = DEFINITION.States[BACKFILL_STATES.buildWorkList] as { TimeoutSeconds: number };
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const resolveTargets = built.json.Resources[id(built, built.relay.functions['resolve-targets'])]!;

    // Assert
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: task.TimeoutSeconds,
    });
    expect(variables.RELAY_CONFIG).toBe(
      (resolveTargets.Properties.Environment as { Variables: Record<string, unknown> }).Variables
        .RELAY_CONFIG,
    );
    expect(variables.RELAY_ROLE_ARN).toEqual({
      'Fn::GetAtt': [id(built, built.relay.backfill!.functionRole), 'Arn'],
    });
    // A backfill request that names no results location writes into the backfill's own bucket.
    expect(variables.BACKFILL_RESULTS_BUCKET).toEqual({
      Ref: id(built, built.relay.backfill!.resultsBucket),
    });
  });

  it('may list the sources, HEAD the configured destination keys and write to the results bucket — nothing else', () => {
    // Arrange
    const backfill = built.relay.backfill!;
    const statements = roleStatements(built, id(built, backfill.functionRole));
    const logGroup = backfill.function.logGroup;

    // Act
    const granted = actionsByResource(statements);
    const conditional = statements.filter((s) => s.Condition !== undefined);

    // Assert
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    // The in-sync check HEADs with ChecksumMode; S3 needs the key to return an SSE-KMS replica's checksum.
    expect(conditional).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: SEOUL_KEY,
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.ap-northeast-2.amazonaws.com' },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': [
              'arn:aws:s3:::dst-seoul',
              'arn:aws:s3:::dst-seoul/builds/*.zip',
            ],
          },
        },
      },
    ]);
    expect(granted).toEqual(
      Object.fromEntries(
        Object.entries({
          'arn:aws:s3:::src-a': ['s3:GetBucketVersioning', 's3:ListBucket', 's3:ListBucketVersions'],
          'arn:aws:s3:::src-b': ['s3:GetBucketVersioning', 's3:ListBucket', 's3:ListBucketVersions'],
          'arn:aws:s3:::dst-seoul/builds/*.zip': ['s3:GetObject'],
          'arn:aws:s3:::dst-frankfurt/releases/*.zip': ['s3:GetObject'],
          'arn:aws:s3:::dst-frankfurt/*': ['s3:GetObject'],
          'arn:aws:s3:::dst-seoul': ['s3:ListBucket'],
          'arn:aws:s3:::dst-frankfurt': ['s3:ListBucket'],
          [SEOUL_KEY]: ['kms:Decrypt'],
          [resultsObjects(id(built, backfill.resultsBucket))]: [
            's3:AbortMultipartUpload',
            's3:DeleteObject',
            's3:GetObject',
            's3:PutObject',
          ],
          [text({ 'Fn::GetAtt': [id(built, logGroup), 'Arn'] })]: [
            'logs:CreateLogStream',
            'logs:PutLogEvents',
          ],
          '*': ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        }).sort(([a], [b]) => a.localeCompare(b)),
      ),
    );
  });
});

describe('the work-list builder’s plan', () => {
  it('is exactly what its role holds, besides its log group and X-Ray: the JSON the local stack evaluates', () => {
    // Arrange
    const backfill = built.relay.backfill!;
    const plan = planBuildWorkListPermissions(built.relay.config, {
      resultsBucketArn: backfill.resultsBucket.bucketArn,
    });
    const planned = built.stack.resolve(plan.map(policyStatementOf)) as Statement[];
    const beyond = [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ];

    // Act
    const held = roleStatements(built, id(built, backfill.functionRole)).filter(
      (s) => !asList(s.Action).some((action) => beyond.includes(action)),
    );

    // Assert
    expect(backfill.permissions).toEqual(plan);
    expect(grantLines(held)).toEqual(grantLines(planned));
  });

  it('synthesizes for a configuration whose rules route by the TargetBucket tag alone, every statement naming a resource', () => {
    // Arrange: a rule with no target of its own
    const tagOnly = {
      sources: [
        {
          bucket: 'src-t',
          region: REGION,
          rules: [{ name: 'zips', prefix: 'builds/', suffix: '.zip', targets: [] }],
          targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] },
        },
      ],
    } satisfies RelayConfigInput;

    // Act
    const withTagOnly = build({ config: tagOnly });
    const statements = roleStatements(withTagOnly, id(withTagOnly, withTagOnly.relay.backfill!.functionRole));

    // Assert
    expect(statements.filter((s) => asList(s.Resource ?? []).length === 0)).toEqual([]);
    expect(actionsByResource(statements)).toMatchObject({
      'arn:aws:s3:::src-t': [
        's3:GetBucketTagging',
        's3:GetBucketVersioning',
        's3:ListBucket',
        's3:ListBucketVersions',
      ],
      'arn:aws:s3:::artifacts-*/builds/*.zip': ['s3:GetObject'],
      'arn:aws:s3:::artifacts-*': ['s3:ListBucket'],
    });
  });
});

describe('the work-list builder with the TargetBucket tag convention', () => {
  it('may also read the source’s tag and HEAD the keys the allowlisted buckets would receive', () => {
    // Arrange
    const tagged = {
      sources: [
        {
          bucket: 'src-t',
          region: REGION,
          rules: [
            { name: 'zips', prefix: 'builds/', suffix: '.zip', targets: [{ bucket: 'dst', region: REGION }] },
          ],
          targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*', 'dr-bucket@eu-west-1'] },
        },
      ],
    } satisfies RelayConfigInput;
    const withTag = build({ config: tagged });

    // Act
    const granted = actionsByResource(
      roleStatements(withTag, id(withTag, withTag.relay.backfill!.functionRole)),
    );

    // Assert
    expect(granted).toMatchObject({
      'arn:aws:s3:::src-t': [
        's3:GetBucketTagging',
        's3:GetBucketVersioning',
        's3:ListBucket',
        's3:ListBucketVersions',
      ],
      'arn:aws:s3:::artifacts-*/builds/*.zip': ['s3:GetObject'],
      'arn:aws:s3:::dr-bucket/builds/*.zip': ['s3:GetObject'],
      'arn:aws:s3:::artifacts-*': ['s3:ListBucket'],
      'arn:aws:s3:::dr-bucket': ['s3:ListBucket'],
    });
    expect(Object.keys(granted).filter((resource) => resource.startsWith('arn:aws:s3:::'))).toHaveLength(7);
  });
});

describe('the work-list builder with a source’s S3 Inventory', () => {
  const REPORTS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/reports`;
  const withInventory = {
    sources: [
      {
        ...CONFIG.sources[0]!,
        inventory: { bucket: 'inv-reports', prefix: 'inventory/', kmsKeyArn: REPORTS_KEY },
      },
      CONFIG.sources[1]!,
    ],
  } satisfies RelayConfigInput;

  it('may read the reports under the configured destination prefix, decrypting them with their key in the source’s region', () => {
    // Arrange
    const inventory = build({ config: withInventory });
    const statements = roleStatements(inventory, id(inventory, inventory.relay.backfill!.functionRole));

    // Act
    const granted = actionsByResource(statements);
    const reportKey = statements.filter((s) => asList(s.Resource ?? []).includes(REPORTS_KEY));

    // Assert
    expect(granted['arn:aws:s3:::inv-reports/inventory/*']).toEqual(['s3:GetObject']);
    expect(granted['arn:aws:s3:::inv-reports']).toBeUndefined();
    expect(reportKey).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: REPORTS_KEY,
        Condition: {
          StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': [
              'arn:aws:s3:::inv-reports',
              'arn:aws:s3:::inv-reports/inventory/*',
            ],
          },
        },
      },
    ]);
    expect(new AwsSolutionsChecks(inventory.stack).validateScope(inventory.stack).violations).toEqual([]);
  });

  it('holds no grant on an inventory bucket when no source names one', () => {
    // Act
    const statements = roleStatements(built, id(built, built.relay.backfill!.functionRole));

    // Assert
    expect(text(statements)).not.toContain('inv-reports');
    expect(text(statements)).not.toContain('inventory');
  });
});

describe('the results bucket', () => {
  it('is private, SSE-S3, TLS only, and expires results after 30 days and abandoned uploads after one', () => {
    // Arrange
    const bucketId = id(built, built.relay.backfill!.resultsBucket);
    const bucket = built.json.Resources[bucketId]!;
    const policy = Object.values(built.json.Resources).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && text(r.Properties.Bucket) === text({ Ref: bucketId }),
    );

    // Assert
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'ExpireBackfillResults',
            Status: 'Enabled',
            ExpirationInDays: 30,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    });
    expect((bucket as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    expect(policy?.Properties.PolicyDocument).toMatchObject({
      Statement: [
        { Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      ],
    });
  });

  it('keeps results as many whole days as asked, and refuses a part of a day', () => {
    // Act
    const week = build({ backfillResultsExpiration: Duration.days(7) });
    const rules = (
      week.json.Resources[id(week, week.relay.backfill!.resultsBucket)]!.Properties
        .LifecycleConfiguration as {
        Rules: { ExpirationInDays: number }[];
      }
    ).Rules;

    // Assert
    expect(rules.map((rule) => rule.ExpirationInDays)).toEqual([7]);
    expect(() => build({ backfillResultsExpiration: Duration.hours(36) })).toThrow(
      /backfillResultsExpiration is 1 day 12 hours: .*whole days/,
    );
    expect(() => build({ backfillResultsExpiration: Duration.days(0) })).toThrow(
      /at least Duration\.days\(1\)/,
    );
  });
});

describe('the outputs', () => {
  it('give the backfill state machine’s ARN and the results bucket, beside the relay’s', () => {
    // Arrange
    const outputs = built.json.Outputs ?? {};
    const byName = (name: string) =>
      Object.entries(outputs).find(([key]) => key.startsWith(`Relay${name}`))?.[1].Value;

    // Assert
    expect(byName('BackfillStateMachineArn')).toEqual({ Ref: id(built, built.relay.backfill!.stateMachine) });
    expect(byName('BackfillResultsBucket')).toEqual({ Ref: id(built, built.relay.backfill!.resultsBucket) });
    expect(byName('StateMachineArn')).toEqual({ Ref: id(built, built.relay.stateMachine) });
  });
});

describe('names', () => {
  it('names the backfill state machine after the relay’s, unless given its own name', () => {
    // Act
    const derived = build({ stateMachineName: 'web-relay' });
    const named = build({ stateMachineName: 'web-relay', backfillStateMachineName: 'web-backfill' });
    const nameOf = (b: Built) =>
      b.json.Resources[id(b, b.relay.backfill!.stateMachine)]!.Properties.StateMachineName;

    // Assert
    expect(nameOf(derived)).toBe('web-relay-backfill');
    expect(nameOf(named)).toBe('web-backfill');
    expect(nameOf(built)).toBeUndefined();
  });
});

describe('grantBackfill', () => {
  it('lets an operator start, follow and redrive backfills and read their results — on the backfill only', () => {
    // Arrange
    let operator: Role | undefined;
    const withOperator = build({}, (stack, relay) => {
      operator = new Role(stack, 'Operator', { assumedBy: new AccountRootPrincipal() });
      relay.grantBackfill(operator);
    });
    const backfill = withOperator.relay.backfill!;
    const machineId = id(withOperator, backfill.stateMachine);
    const bucketId = id(withOperator, backfill.resultsBucket);

    // Act
    const granted = actionsByResource(roleStatements(withOperator, id(withOperator, operator!)));

    // Assert
    expect(granted).toEqual(
      Object.fromEntries(
        Object.entries({
          [text({ Ref: machineId })]: ['states:StartExecution'],
          [executionsOf(machineId, ':*')]: [
            'states:DescribeExecution',
            'states:ListMapRuns',
            'states:RedriveExecution',
          ],
          [executionsOf(machineId, `/${RELAY_OBJECTS.Label}:*`)]: ['states:DescribeExecution'],
          [text({
            'Fn::Join': [
              '',
              [
                `arn:aws:states:${REGION}:${ACCOUNT}:mapRun:`,
                { 'Fn::GetAtt': [machineId, 'Name'] },
                `/${RELAY_OBJECTS.Label}:*`,
              ],
            ],
          })]: ['states:DescribeMapRun'],
          [resultsObjects(bucketId)]: ['s3:GetObject'],
          [text({ 'Fn::GetAtt': [bucketId, 'Arn'] })]: ['s3:ListBucket'],
        }).sort(([a], [b]) => a.localeCompare(b)),
      ),
    );
  });
});

describe('backfill: false', () => {
  it('deploys none of it: no second state machine, no builder, no bucket, no outputs, no grant', () => {
    // Act
    const without = build({ backfill: false });
    const types = Object.values(without.json.Resources).map((r) => r.Type);
    const functions = Object.keys(without.template.findResources('AWS::Lambda::Function'));

    // Assert
    expect(without.relay.backfill).toBeUndefined();
    expect(types.filter((type) => type === 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    expect(types).not.toContain('AWS::S3::Bucket');
    expect(functions.filter((key) => key.includes('BuildWorkList'))).toEqual([]);
    expect(Object.keys(without.json.Outputs ?? {}).filter((key) => key.includes('Backfill'))).toEqual([]);
    expect(Object.keys(without.json.Outputs ?? {}).length).toBeGreaterThan(0);
    expect(() =>
      without.relay.grantBackfill(
        new Role(without.stack, 'Operator', { assumedBy: new AccountRootPrincipal() }),
      ),
    ).toThrow(/backfill: false/);
  });
});

describe('cdk-nag', () => {
  it.each([LogLevel.ERROR, LogLevel.ALL])(
    'finds nothing unacknowledged with the backfill deployed (state machine log level %s)',
    (logLevel) => {
      // Arrange
      const { stack } = build({ logLevel });

      // Act
      const report = new AwsSolutionsChecks(stack).validateScope(stack);

      // Assert
      expect(report.violations).toEqual([]);
    },
  );

  it('acknowledges no wildcard action in the backfill’s policies', () => {
    // Act
    const actions = Object.values(built.json.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .flatMap((s) => asList(s.Action));

    // Assert
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });
});
