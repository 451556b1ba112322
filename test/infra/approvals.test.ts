import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AccountRootPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/parse.ts';
import type { RelayConfigInput } from '../../core/config/schema.ts';
import { ArtifactRelay } from '../../infra/artifact-relay.ts';
import { defaultExecutionTimeout } from '../../infra/relay-defaults.ts';
import { cdkJson, EXAMPLE_CONFIG } from './helpers/synth.ts';
import { actionsByResource, type Statement } from './helpers/template.ts';

const ENV = { account: '111122223333', region: 'us-west-2' };

/** The example configuration with Frankfurt deploying in wave 2, which requires an approval when asked. */
function config(approval: boolean): RelayConfigInput {
  const input = JSON.parse(readFileSync(EXAMPLE_CONFIG, 'utf8'));
  delete input.$schema;
  input.sources[0].rules[0].targets[1].deploy = {
    application: 'web',
    deploymentGroup: 'web-prod',
    bundleType: 'zip',
    wave: 2,
  };
  if (approval) input.waves = { '2': { approval: { timeoutSeconds: 172_800 } } };
  return input;
}

function synth(approval: boolean): Template {
  const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Embedding', { env: ENV });
  new ArtifactRelay(stack, 'Relay', { config: config(approval) });
  return Template.fromStack(stack);
}

/** The statements of the state machine's role. */
function stateMachineStatements(template: Template): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.entries(policies)
    .filter(([id]) => id.includes('Workflow'))
    .flatMap(
      ([, policy]) =>
        (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
          .Statement,
    );
}

describe('approvals of deployment waves in the template', () => {
  it('lets the state machine put events on the default bus only when a wave requires an approval', () => {
    // Act
    const withApproval = stateMachineStatements(synth(true));
    const without = stateMachineStatements(synth(false));

    // Assert
    const putEvents = (statements: Statement[]) =>
      statements.filter((s) => JSON.stringify(s.Action).includes('events:'));
    expect(putEvents(without)).toEqual([]);
    expect(putEvents(withApproval)).toHaveLength(1);
    expect(actionsByResource(putEvents(withApproval))).toEqual({
      'arn:aws:events:us-west-2:111122223333:event-bus/default': ['events:PutEvents'],
    });
  });

  it('puts the approval Task, with its timeout, in the deployed definition', () => {
    // Act
    const template = synth(true);
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
      Properties: { DefinitionString: unknown };
    };

    // Assert
    const definition = JSON.parse(String(machine.Properties.DefinitionString)) as {
      States: Record<string, { Resource?: string; TimeoutSeconds?: number }>;
      TimeoutSeconds: number;
    };
    expect(definition.States['Approve wave 2']).toMatchObject({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a definition substitution (the stack's partition)
      Resource: 'arn:${Partition}:states:::events:putEvents.waitForTaskToken',
      TimeoutSeconds: 172_800,
    });
    expect(definition.TimeoutSeconds).toBeGreaterThan(172_800);
  });

  it('grants an approver the task responses on the relay state machine only', () => {
    // Arrange
    const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Embedding', { env: ENV });
    const relay = new ArtifactRelay(stack, 'Relay', { config: config(true) });
    const approver = new Role(stack, 'Approver', { assumedBy: new AccountRootPrincipal() });

    // Act
    relay.grantApprove(approver);

    // Assert
    const policy = Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('ApproverDefaultPolicy'),
    );
    if (policy === undefined) throw new Error('the approver has no policy');
    const statements = (policy[1] as { Properties: { PolicyDocument: { Statement: Statement[] } } })
      .Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Action: ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'],
        Resource: { Ref: expect.stringMatching(/^RelayWorkflowStateMachine/) },
      }),
    ]);
  });

  it('outlives the longest wait for a person: the default execution timeout adds each approval timeout', () => {
    // Act
    const withApproval = defaultExecutionTimeout(parseConfig(config(true), 'with.json'));
    const without = defaultExecutionTimeout(parseConfig(config(false), 'without.json'));

    // Assert: three passes (two, and wave 2) of a 1 h deployment wait + 1 h, plus the 48 h approval
    expect(without.toHours()).toBe(24);
    expect(withApproval.toHours()).toBe(3 * 2 + 48);
  });

  it("names the stack's partition in the approval's service integration, as Step Functions runs only those of its own", () => {
    // Arrange: a relay in GovCloud whose wave 2 requires an approval
    const app = new App({ context: { ...cdkJson().context, 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'GovCloud', { env: { account: ENV.account, region: 'us-gov-west-1' } });
    const target = { bucket: 'artifacts-goveast', region: 'us-gov-east-1' };
    const deploy = { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip' } as const;
    new ArtifactRelay(stack, 'Relay', {
      config: {
        sources: [
          {
            bucket: 'build-artifacts-govwest',
            region: 'us-gov-west-1',
            rules: [{ name: 'web', targets: [{ ...target, deploy: { ...deploy, wave: 2 } }] }],
          },
        ],
        waves: { '2': { approval: { timeoutSeconds: 3600 } } },
      },
      alarmNotifications: { email: 'ops@example.com' },
    });

    // Act
    const all = Template.fromStack(stack).toJSON() as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const relayMachine = Object.values(all.Resources).find(
      (r) =>
        r.Type === 'AWS::StepFunctions::StateMachine' &&
        JSON.stringify(r.Properties).includes('waitForTaskToken'),
    )!;

    // Assert
    expect(JSON.stringify(relayMachine.Properties.DefinitionString)).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a definition substitution, not a template
      'arn:${Partition}:states:::events:putEvents.waitForTaskToken',
    );
    expect((relayMachine.Properties.DefinitionSubstitutions as Record<string, unknown>).Partition).toBe(
      'aws-us-gov',
    );
  });
});
