import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RelayConfigInput } from '../../core/config/schema.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import { ALARMS_NOTIFY_NOBODY_WARNING } from '../../infra/alarm-notifications.ts';
import { ArtifactRelay } from '../../infra/artifact-relay.ts';
import { cdkJson, EXAMPLE_CONFIG, type SynthResult, synthRelayApp } from './helpers/synth.ts';
import { logicalIdOf, resourcesOfType } from './helpers/template.ts';

const TOPIC_ARN = 'arn:aws:sns:us-west-2:111122223333:relay-alarms';

function exampleWith(alarms: Record<string, string> | undefined): string {
  const config = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
  delete config.$schema;
  if (alarms !== undefined) config.alarms = alarms;
  const file = join(mkdtempSync(join(tmpdir(), 'relay-alarms-')), 'relay.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

function nobodyWarnings(result: SynthResult): unknown[] {
  return Annotations.fromStack(result.stack).findWarning('*', Match.stringLikeRegexp('alarms notify nobody'));
}

function alarmActions(result: SynthResult): unknown[][] {
  return resourcesOfType(result, 'AWS::CloudWatch::Alarm').map(([, alarm]) => [
    alarm.Properties.AlarmActions,
    alarm.Properties.OKActions,
  ]);
}

function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.map((violation) => violation.ruleName);
}

describe('the ready app with an e-mail address in the configuration', () => {
  let result: SynthResult;

  beforeAll(() => {
    result = synthRelayApp({ config: exampleWith({ email: 'ops@example.com' }) });
  });

  it('creates a topic that requires TLS and subscribes the address', () => {
    // Act / Assert
    result.template.resourceCountIs('AWS::SNS::Topic', 1);
    result.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    result.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '111122223333' } }),
          }),
        ]),
      },
    });
  });

  it('notifies the topic from every alarm, on ALARM and on OK', () => {
    // Arrange
    const topic = result.stack.relay.alarmTopic;
    if (topic === undefined) throw new Error('expected a topic');
    const ref = { Ref: logicalIdOf(result.stack, topic) };

    // Act
    const actions = alarmActions(result);

    // Assert
    expect(actions).toHaveLength(result.stack.relay.alarms.length);
    expect(actions.length).toBeGreaterThan(0);
    for (const [onAlarm, onOk] of actions) {
      expect(onAlarm).toEqual([ref]);
      expect(onOk).toEqual([ref]);
    }
  });

  it('does not warn that the alarms notify nobody', () => {
    // Act / Assert
    expect(nobodyWarnings(result)).toEqual([]);
  });

  it('stays free of unacknowledged cdk-nag findings', () => {
    // Act / Assert
    expect(nagFindings(result.app)).toEqual([]);
  });
});

describe('the ready app with a topic ARN', () => {
  it('imports the topic named in the configuration and notifies it from every alarm', () => {
    // Act
    const result = synthRelayApp({ config: exampleWith({ topicArn: TOPIC_ARN }) });

    // Assert
    result.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const [onAlarm, onOk] of alarmActions(result)) {
      expect(onAlarm).toEqual([TOPIC_ARN]);
      expect(onOk).toEqual([TOPIC_ARN]);
    }
    expect(nobodyWarnings(result)).toEqual([]);
  });

  it('takes -c alarmTopicArn over the configuration', () => {
    // Arrange
    const other = 'arn:aws:sns:us-west-2:111122223333:on-call';

    // Act
    const result = synthRelayApp({
      config: exampleWith({ email: 'ops@example.com' }),
      context: { alarmTopicArn: other },
    });

    // Assert
    result.template.resourceCountIs('AWS::SNS::Subscription', 0);
    for (const [onAlarm] of alarmActions(result)) expect(onAlarm).toEqual([other]);
  });

  it('subscribes -c alarmEmail when the configuration names nobody', () => {
    // Act
    const result = synthRelayApp({ context: { alarmEmail: 'ops@example.com' } });

    // Assert
    result.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(nobodyWarnings(result)).toEqual([]);
  });

  it('fails synth for a topic of another region, saying that CloudWatch notifies only its own', () => {
    // Act
    const act = () =>
      synthRelayApp({ context: { alarmTopicArn: 'arn:aws:sns:eu-west-1:111122223333:relay-alarms' } });

    // Assert
    expect(act).toThrow(ConfigInvalid);
    expect(act).toThrow(/topicArn: the topic is in eu-west-1 .* only a topic of the alarm's own region/);
  });

  it('fails synth for a malformed -c alarmEmail, naming the context key', () => {
    // Act
    const act = () => synthRelayApp({ context: { alarmEmail: 'ops at example' } });

    // Assert
    expect(act).toThrow(/-c alarmTopicArn \/ -c alarmEmail .*email: not an e-mail address/s);
  });
});

describe('the ready app with no one to notify', () => {
  it('warns at synth that the alarms notify nobody, and leaves the alarms without actions', () => {
    // Act
    const result = synthRelayApp();

    // Assert
    expect(nobodyWarnings(result)).toHaveLength(1);
    for (const [onAlarm, onOk] of alarmActions(result)) {
      expect(onAlarm).toBeUndefined();
      expect(onOk).toBeUndefined();
    }
  });
});

describe('the validation report of a synth with no one to notify', () => {
  it('holds the warning alone, as a warning that does not fail synth', () => {
    // Act
    const result = synthRelayApp();
    const report = JSON.parse(
      readFileSync(join(result.assembly.directory, 'validation-report.json'), 'utf8'),
    ) as { pluginReports: { conclusion: string; violations: { ruleName: string; severity: string }[] }[] };

    // Assert
    expect(report.pluginReports.map((plugin) => plugin.conclusion)).toEqual(['success']);
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([
      expect.objectContaining({
        ruleName: `Annotation::${ALARMS_NOTIFY_NOBODY_WARNING}`,
        severity: 'warning',
      }),
    ]);
  });
});

describe('ArtifactRelay props', () => {
  function embed(props: { alarmNotifications?: { topicArn?: string; email?: string } }): Stack {
    const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Embedding', { env: { account: '111122223333', region: 'us-west-2' } });
    const config = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as RelayConfigInput & {
      $schema?: string;
    };
    delete config.$schema;
    new ArtifactRelay(stack, 'Relay', { config, ...props });
    return stack;
  }

  it('subscribes alarmNotifications.email, with no warning', () => {
    // Act
    const stack = embed({ alarmNotifications: { email: 'ops@example.com' } });

    // Assert
    Template.fromStack(stack).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email' });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notify nobody'))).toEqual(
      [],
    );
  });

  it('rejects alarmNotifications naming both a topic and an address', () => {
    // Act
    const act = () => embed({ alarmNotifications: { topicArn: TOPIC_ARN, email: 'ops@example.com' } });

    // Assert
    expect(act).toThrow(/props\.alarmNotifications .*give topicArn or email, not both/s);
  });

  it('warns with a stable id when nobody is notified', () => {
    // Act
    const stack = embed({});

    // Assert
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('notify nobody'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.entry.data)).toContain(ALARMS_NOTIFY_NOBODY_WARNING);
  });
});
