import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildRelayApp } from './helpers/synth.ts';

type Statement = { Action: string | string[]; Resource: unknown };

function notifierTemplate(): { template: Template; nagFindings: string[] } {
  const built = buildRelayApp({ context: { alarmEmail: 'ops@example.com' } });
  const notifier = built.stack.relay.publishRelayEvents();
  const report = new AwsSolutionsChecks(notifier).validateScope(notifier);
  const nagFindings = report.violations.map((violation) => violation.ruleName);
  const json = built.app.synth().getStackArtifact(built.stack.artifactId).template as Record<string, unknown>;
  return { template: Template.fromJSON(json), nagFindings };
}

describe('RelayNotifier (publishRelayEvents)', () => {
  it('adds nothing until the relay is asked to publish its events', () => {
    // Arrange
    const built = buildRelayApp({ context: { alarmEmail: 'ops@example.com' } });

    // Act
    const json = built.app.synth().getStackArtifact(built.stack.artifactId).template as {
      Resources: Record<string, { Type: string; Properties?: { EventPattern?: { source?: string[] } } }>;
    };

    // Assert
    const statusRules = Object.values(json.Resources).filter(
      (r) => r.Type === 'AWS::Events::Rule' && r.Properties?.EventPattern?.source?.includes('aws.states'),
    );
    expect(statusRules).toEqual([]);
  });

  it("invokes the notifier on the relay state machine's ended executions", () => {
    // Act
    const { template } = notifierTemplate();

    // Assert
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
    });
  });

  it("grants its role only reading the relay's executions and putting events on the default bus", () => {
    // Act
    const { template } = notifierTemplate();

    // Assert
    const policies = template.findResources('AWS::IAM::Policy');
    const notifier = Object.entries(policies).find(([id]) => id.includes('Notifier'));
    if (notifier === undefined) throw new Error('no policy of the notifier in the template');
    const statements = (notifier[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } })
      .Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    expect(actions).toEqual([
      'events:PutEvents',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const putEvents = statements.find((s) => s.Action === 'events:PutEvents');
    expect(JSON.stringify(putEvents?.Resource)).toContain(':event-bus/default');
    const reads = statements.find(
      (s) => Array.isArray(s.Action) && s.Action.includes('states:DescribeExecution'),
    );
    expect(JSON.stringify(reads?.Resource)).toContain(':execution:');
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    // Act
    const { nagFindings } = notifierTemplate();

    // Assert
    expect(nagFindings).toEqual([]);
  });
});
