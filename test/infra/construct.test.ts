import { readFileSync } from 'node:fs';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LogLevel } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RelayConfigInput } from '../../core/config/schema.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import { ArtifactRelay } from '../../infra/artifact-relay.ts';
import { readRelayConfig } from '../../infra/config-input.ts';
import type { ArtifactRelayProps } from '../../infra/props.ts';
import { defaultExecutionTimeout } from '../../infra/relay-defaults.ts';
import { cdkJson, EXAMPLE_CONFIG } from './helpers/synth.ts';
import { actionsByResource, logicalIdOf, type Statement } from './helpers/template.ts';

const ENV = { account: '111122223333', region: 'us-west-2' };

function exampleObject(): RelayConfigInput {
  const config = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
  delete config.$schema;
  return config;
}

function build(
  props: Partial<ArtifactRelayProps> = {},
  env: { account?: string; region?: string } | 'agnostic' = ENV,
): { stack: Stack; relay: ArtifactRelay } {
  const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Embedding', env === 'agnostic' ? {} : { env });
  const relay = new ArtifactRelay(stack, 'Relay', { config: exampleObject(), ...props });
  return { stack, relay };
}

describe('ArtifactRelay embedded in a stack of its own, with every prop set', () => {
  let stack: Stack;
  let relay: ArtifactRelay;
  let template: Template;
  let operator: Role;
  let topic: Topic;

  beforeAll(() => {
    const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
    stack = new Stack(app, 'Embedding', { env: ENV });
    topic = new Topic(stack, 'Alarms', { enforceSSL: true });
    relay = new ArtifactRelay(stack, 'Relay', {
      config: exampleObject(),
      logLevel: LogLevel.ALL,
      functionLogLevel: 'DEBUG',
      executionTimeout: Duration.hours(2),
      alarmTopic: topic,
      serviceName: 'web-relay',
      metricsNamespace: 'WebRelay',
      stateMachineName: 'web-relay',
      functionErrorsThreshold: 3,
      outputs: false,
    });
    operator = new Role(stack, 'Operator', { assumedBy: new AccountRootPrincipal() });
    relay.grantStartExecution(operator);
    relay.grantRead(operator);
    relay.grantRedriveExecution(operator);
    template = Template.fromStack(stack);
  });

  it('takes the configuration as an object', () => {
    // Assert
    expect(relay.config.sources[0]?.bucket).toBe('build-artifacts-oregon');
  });

  it('logs ALL at the state machine, DEBUG in the functions, under its own service name', () => {
    // Assert
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'web-relay',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
          POWERTOOLS_SERVICE_NAME: 'web-relay',
          POWERTOOLS_METRICS_NAMESPACE: 'WebRelay',
        }),
      },
    });
  });

  it('puts the execution timeout into the definition', () => {
    // Act
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0]!;

    // Assert
    expect(JSON.parse(machine.Properties.DefinitionString).TimeoutSeconds).toBe(7200);
  });

  it('notifies the topic from every alarm, on ALARM and on OK', () => {
    // Arrange
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const topicRef = { Ref: logicalIdOf(stack, topic) };

    // Assert
    expect(alarms).toHaveLength(9); // executions failed, timed out, dead letters + one per task function
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([topicRef]);
      expect(alarm.Properties.OKActions).toEqual([topicRef]);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 3 });
  });

  it('adds no outputs when asked not to', () => {
    // Assert
    expect(template.toJSON().Outputs).toBeUndefined();
  });

  it('grants starting, reading and redriving executions on this state machine only', () => {
    // Arrange
    const machineRef = JSON.stringify({ Ref: logicalIdOf(stack, relay.stateMachine) });
    const operatorRole = JSON.stringify([{ Ref: logicalIdOf(stack, operator) }]);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find(
      (p) => JSON.stringify(p.Properties.Roles) === operatorRole,
    );

    // Act
    const granted = actionsByResource(policy?.Properties.PolicyDocument.Statement as Statement[]);
    const executions = Object.keys(granted).filter((resource) => resource.includes(':execution:'));

    // Assert
    expect(Object.keys(granted)).toHaveLength(2);
    expect(granted[machineRef]).toEqual([
      'states:DescribeStateMachine',
      'states:ListExecutions',
      'states:StartExecution',
    ]);
    expect(executions).toHaveLength(1);
    expect(executions[0]).toContain(':*"');
    expect(granted[executions[0]!]).toEqual([
      'states:DescribeExecution',
      'states:DescribeStateMachineForExecution',
      'states:GetExecutionHistory',
      'states:RedriveExecution',
    ]);
  });

  it('offers metrics of executions, failed targets and the functions’ own counts', () => {
    // Act
    const targetsFailed = relay.metricTargetsFailed();
    const resolved = relay.metricTargetsResolved({ period: Duration.minutes(1) });
    const failed = relay.metricExecutionsFailed();

    // Assert
    expect(targetsFailed).toMatchObject({
      namespace: 'WebRelay',
      metricName: 'TargetsFailed',
      statistic: 'Sum',
    });
    expect(resolved).toMatchObject({
      namespace: 'WebRelay',
      metricName: 'TargetsResolved',
      dimensions: { service: 'web-relay' },
    });
    expect(resolved.period.toMinutes()).toBe(1);
    expect(relay.metricBytesCopied().metricName).toBe('BytesCopied');
    expect(relay.metricDeploymentsStarted().metricName).toBe('DeploymentsStarted');
    expect(failed).toMatchObject({ namespace: 'AWS/States', metricName: 'ExecutionsFailed' });
    expect(relay.metricExecutionsTimedOut().metricName).toBe('ExecutionsTimedOut');
    expect(relay.metricExecutionsSucceeded().metricName).toBe('ExecutionsSucceeded');
  });
});

describe('ArtifactRelay choices', () => {
  it('cannot count failed targets when the state machine does not log errors', () => {
    // Arrange
    const { stack, relay } = build({ logLevel: LogLevel.OFF });

    // Act / Assert
    expect(() => relay.metricTargetsFailed()).toThrow(/logLevel is OFF/);
    expect(Template.fromStack(stack).findResources('AWS::Logs::MetricFilter')).toEqual({});
  });

  it('waits long enough for the longest deployment in both passes', () => {
    // Arrange
    const config = readRelayConfig({
      sources: [
        {
          bucket: 'build-artifacts-oregon',
          region: 'us-west-2',
          rules: [
            {
              name: 'web',
              targets: [
                {
                  bucket: 'artifacts-seoul',
                  region: 'ap-northeast-2',
                  deploy: {
                    application: 'web',
                    deploymentGroup: 'web-prod',
                    bundleType: 'zip',
                    waitTimeoutSeconds: 86_400,
                  },
                },
              ],
            },
          ],
        },
      ],
    }).config;

    // Act
    const timeout = defaultExecutionTimeout(config);

    // Assert
    expect(timeout.toHours()).toBe(2 * 25);
    expect(defaultExecutionTimeout(readRelayConfig(EXAMPLE_CONFIG).config).toHours()).toBe(24);
  });

  it('warns in an environment-agnostic stack that it must be deployed to the sources’ region', () => {
    // Arrange
    const { stack } = build({}, 'agnostic');

    // Act
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('deploy it to us-west-2'),
    );

    // Assert
    expect(warnings).toHaveLength(1);
  });

  it('stays free of unacknowledged cdk-nag findings in an environment-agnostic stack', () => {
    // Arrange
    const { stack } = build({}, 'agnostic');

    // Act
    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    // Assert
    expect(report.violations).toEqual([]);
  });

  it('warns when the copy time budget cannot be honoured in full', () => {
    // Arrange
    const config = exampleObject() as { defaults: Record<string, unknown> };
    config.defaults.copyTimeBudgetSeconds = 840;

    // Act
    const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Budget', { env: ENV });
    new ArtifactRelay(stack, 'Relay', { config: config as RelayConfigInput });

    // Assert
    expect(
      Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('works for at most 830 s')),
    ).toHaveLength(1);
  });

  it('rejects an invalid configuration object, naming props.config', () => {
    // Arrange
    const config = exampleObject() as { sources: { region: string }[] };
    config.sources[0]!.region = 'nowhere';

    // Act / Assert
    expect(() => build({ config: config as RelayConfigInput })).toThrow(ConfigInvalid);
    expect(() => build({ config: config as RelayConfigInput })).toThrow(/props\.config/);
  });
});
