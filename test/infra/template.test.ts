import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/load.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import { buildEventPattern } from '../../core/event-pattern.ts';
import { DELETE_REPLICA_TIMEOUT_SECONDS } from '../../core/workflow-delete.ts';
import { FUNCTION_SETTINGS } from '../../infra/function-settings.ts';
import { TASK_TIMEOUT_SECONDS } from '../../state-machine/chain.ts';
import { DEFINITION_FILE } from '../../state-machine/generate.ts';
import { TASK_PLACEHOLDERS, type TaskRole } from '../../state-machine/placeholders.ts';
import { EXAMPLE_CONFIG, type SynthResult, synthRelayApp } from './helpers/synth.ts';
import { functionLogicalId, logicalIdOf, resourceOf, resourcesOfType } from './helpers/template.ts';

const ROLES = Object.values(TASK_PLACEHOLDERS);
const TIMEOUT_BY_ROLE: Record<TaskRole, number> = {
  'resolve-targets': TASK_TIMEOUT_SECONDS.resolveTargets,
  'copy-object': TASK_TIMEOUT_SECONDS.copy,
  'verify-copy': TASK_TIMEOUT_SECONDS.verify,
  'start-deployment': TASK_TIMEOUT_SECONDS.startDeployment,
  'check-deployment': TASK_TIMEOUT_SECONDS.checkDeployment,
  'delete-replica': DELETE_REPLICA_TIMEOUT_SECONDS,
};

let result: SynthResult;
let example: RelayConfig;

beforeAll(async () => {
  example = await loadConfig(EXAMPLE_CONFIG);
  result = synthRelayApp({ bundling: true });
});

describe('the example app', () => {
  it('falls back to the example configuration when relay.config.json is absent, and says so', () => {
    // Assert
    expect(result.notices).toHaveLength(1);
    expect(result.notices[0]).toContain('examples/relay.config.json');
    expect(result.stack.region).toBe('us-west-2');
  });
});

describe('the EventBridge rule', () => {
  it('matches the pattern core builds for the source (bucket, prefix and suffix)', () => {
    // Arrange
    const source = example.sources[0]!;

    // Act
    const rules = resourcesOfType(result, 'AWS::Events::Rule');

    // Assert
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.EventPattern).toEqual(
      JSON.parse(JSON.stringify(buildEventPattern(source))),
    );
  });

  it('starts the state machine, retrying for 24 hours and 185 attempts, into an encrypted dead-letter queue', () => {
    // Arrange
    const machineId = logicalIdOf(result.stack, result.stack.relay.stateMachine);
    const queueId = logicalIdOf(result.stack, result.stack.relay.deadLetterQueue);

    // Assert
    result.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { Ref: machineId },
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      ],
    });
    result.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
  });

  it('lets only the rule send to the dead-letter queue, and only over TLS', () => {
    // Arrange
    const ruleId = logicalIdOf(result.stack, result.stack.relay.rules[0]!);

    // Assert
    result.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
          }),
        ]),
      },
    });
  });
});

describe('the state machine', () => {
  it('is a Standard state machine whose definition is the committed ASL plus the execution timeout', () => {
    // Arrange
    const committed = JSON.parse(readFileSync(DEFINITION_FILE, 'utf8'));
    const machine = resourceOf(result, result.stack.relay.stateMachine);

    // Act
    const { TimeoutSeconds, ...definition } = JSON.parse(machine.Properties.DefinitionString as string);

    // Assert
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(definition).toEqual(committed);
    expect(TimeoutSeconds).toBe(24 * 3600);
  });

  it('substitutes every task placeholder with the ARN of its own function', () => {
    // Arrange
    const machine = resourceOf(result, result.stack.relay.stateMachine);
    const used = new Set(
      [...(machine.Properties.DefinitionString as string).matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1]),
    );

    // Act
    const substitutions = machine.Properties.DefinitionSubstitutions;

    // Assert
    expect(substitutions).toEqual({
      ...Object.fromEntries(
        Object.entries(TASK_PLACEHOLDERS).map(([name, role]) => [
          name,
          { 'Fn::GetAtt': [functionLogicalId(result, role), 'Arn'] },
        ]),
      ),
      // The partition of the approvals' service integration (absent from a definition without approvals)
      Partition: 'aws',
    });
    expect([...used].sort()).toEqual(Object.keys(TASK_PLACEHOLDERS).sort());
  });

  it('logs errors without execution data to a vended-logs group, and traces with X-Ray', () => {
    // Arrange
    const machine = resourceOf(result, result.stack.relay.stateMachine);
    const [logGroupId, logGroup] = resourcesOfType(result, 'AWS::Logs::LogGroup').find(([, g]) =>
      String(g.Properties.LogGroupName ?? '').startsWith('/aws/vendedlogs/states/'),
    )!;

    // Assert
    expect(machine.Properties.LoggingConfiguration).toEqual({
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      IncludeExecutionData: false,
      Level: 'ERROR',
    });
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(logGroup.Properties.RetentionInDays).toBe(90);
    expect(logGroup.DeletionPolicy).toBe('Retain');
  });

  it('counts targets that failed both passes from its log (second-pass Map iterations that failed)', () => {
    // Assert
    result.template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.type = "MapIterationFailed" }',
      MetricTransformations: [
        { MetricName: 'TargetsFailed', MetricNamespace: 'ArtifactRelay', MetricValue: '1' },
      ],
    });
  });
});

describe('the task functions', () => {
  it.each(ROLES)('%s runs Node.js 22 on ARM64 with tracing, Powertools settings and source maps', (role) => {
    // Act
    const fn = result.json.Resources[functionLogicalId(result, role)]!;

    // Assert
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      MemorySize: FUNCTION_SETTINGS[role].memoryMb,
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'artifact-relay',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_NAMESPACE: 'ArtifactRelay',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it.each(ROLES)('%s times out exactly when its Task state does', (role) => {
    // Act
    const fn = result.json.Resources[functionLogicalId(result, role)]!;

    // Assert
    expect(fn.Properties.Timeout).toBe(TIMEOUT_BY_ROLE[role]);
  });

  it('gives ResolveTargets the validated configuration, and no other function any', () => {
    // Act
    const variables = (role: TaskRole) =>
      (
        result.json.Resources[functionLogicalId(result, role)]!.Properties.Environment as {
          Variables: Record<string, string>;
        }
      ).Variables;

    // Assert
    expect(JSON.parse(variables('resolve-targets').RELAY_CONFIG!)).toEqual(
      JSON.parse(JSON.stringify({ ...example, $schema: undefined })),
    );
    for (const role of ROLES.filter((r) => r !== 'resolve-targets')) {
      expect(variables(role)).not.toHaveProperty('RELAY_CONFIG');
    }
  });

  it.each(ROLES)(
    '%s is bundled by esbuild as minified ESM with a source map and the AWS SDK inside',
    (role) => {
      // Arrange
      const code = result.json.Resources[functionLogicalId(result, role)]!.Properties.Code as {
        S3Key: string;
      };
      const folder = join(result.assembly.directory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);

      // Act
      const bundle = readFileSync(join(folder, 'index.mjs'), 'utf8');

      // Assert
      expect(existsSync(join(folder, 'index.mjs.map'))).toBe(true);
      expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
      expect(bundle).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(bundle).toContain('aws-sdk-js');
      // Minified: whitespace gone, so lines run to thousands of characters on average.
      expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
    },
  );
});

describe('the alarms', () => {
  it('watch failed and timed-out executions, the dead-letter queue and every function', () => {
    // Arrange
    const machineId = logicalIdOf(result.stack, result.stack.relay.stateMachine);
    const queueId = logicalIdOf(result.stack, result.stack.relay.deadLetterQueue);
    const alarms = resourcesOfType(result, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const watched = alarms.map((a) => `${a.Namespace}/${a.MetricName}:${JSON.stringify(a.Dimensions)}`);

    // Assert
    expect(watched.sort()).toEqual(
      [
        `AWS/States/ExecutionsFailed:${JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: machineId } }])}`,
        `AWS/States/ExecutionsTimedOut:${JSON.stringify([{ Name: 'StateMachineArn', Value: { Ref: machineId } }])}`,
        `AWS/SQS/ApproximateNumberOfMessagesVisible:${JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }])}`,
        ...ROLES.map(
          (role) =>
            `AWS/Lambda/Errors:${JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionLogicalId(result, role) } }])}`,
        ),
      ].sort(),
    );
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        Period: 300,
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.AlarmActions).toBeUndefined();
    }
  });
});

describe('the outputs', () => {
  it('give the state machine ARN, its console URL and the roles cross-account targets allow', () => {
    // Arrange
    const machineId = logicalIdOf(result.stack, result.stack.relay.stateMachine);
    const outputs = result.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const values = Object.values(outputs).map((o) => JSON.stringify(o.Value));

    // Assert
    expect(values).toContain(JSON.stringify({ Ref: machineId }));
    expect(values).toContain(
      JSON.stringify({
        'Fn::Join': [
          '',
          [
            'https://us-west-2.console.aws.amazon.com/states/home?region=us-west-2#/statemachines/view/',
            { Ref: machineId },
          ],
        ],
      }),
    );
    for (const role of ['copy-object', 'verify-copy'] as const) {
      const roleId = logicalIdOf(result.stack, result.stack.relay.functions[role].role!);
      expect(values).toContain(JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] }));
    }
  });
});
