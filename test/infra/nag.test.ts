import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationValidatePlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildRelayApp, type SynthResult, synthRelayApp } from './helpers/synth.ts';

interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

interface Finding {
  readonly id: string;
  readonly path: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  const visit = (construct: IConstruct): void => {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
    }
    construct.node.children.forEach(visit);
  };
  visit(root);
  return found;
}

function nagFindings(root: IConstruct): Finding[] {
  const report = new AwsSolutionsChecks(root).validateScope(root);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      id: violation.ruleName,
      path: resource.constructPath ?? '',
    })),
  );
}

const within = (path: string, scope: string): boolean => path === scope || path.startsWith(`${scope}/`);

let result: SynthResult;
let unacknowledged: Finding[];

// The alarms notify an address (so the stack holds the topic it creates for it); without anyone
// to notify, synth warns, and that warning joins the validation report (see below).
const ALARMS = { alarmEmail: 'ops@example.com' };

beforeAll(() => {
  result = synthRelayApp({ context: ALARMS });
  // The same app without any acknowledgement: what cdk-nag finds when nothing is excused.
  const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  try {
    unacknowledged = nagFindings(buildRelayApp({ context: ALARMS }).app);
  } finally {
    spy.mockRestore();
  }
});

afterAll(() => {
  vi.restoreAllMocks();
});

describe('cdk-nag AwsSolutionsChecks', () => {
  it('finds nothing that is not acknowledged', () => {
    // Act
    const findings = nagFindings(result.app);

    // Assert
    expect(findings).toEqual([]);
  });

  it('every acknowledgement states a reason', () => {
    // Act
    const acks = acknowledgements(result.app);

    // Assert
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(40);
    }
  });

  it('every acknowledgement answers a finding that exists, and every finding is acknowledged', () => {
    // Arrange
    const acks = acknowledgements(result.app);

    // Act
    const pointless = acks.filter(
      (ack) => !unacknowledged.some((finding) => finding.id === ack.id && within(finding.path, ack.path)),
    );
    const uncovered = unacknowledged.filter(
      (finding) => !acks.some((ack) => ack.id === finding.id && within(finding.path, ack.path)),
    );

    // Assert
    expect(unacknowledged.length).toBeGreaterThan(0);
    expect(pointless).toEqual([]);
    expect(uncovered).toEqual([]);
  });

  it('acknowledges wildcards only as IAM5 findings of named resources, never of actions', () => {
    // Act
    const ids = acknowledgements(result.app).map((ack) => ack.id);

    // Assert
    expect(ids.filter((id) => id.startsWith('AwsSolutions-IAM5[Action::'))).toEqual([]);
    expect(ids.filter((id) => id === 'AwsSolutions-IAM5')).toEqual([]);
  });
});

describe('the built-in CloudFormation validation', () => {
  it('reports no violation of any severity for the synthesized template', () => {
    // Arrange
    const plugin = new CloudFormationValidatePlugin();
    const templatePath = result.artifact.templateFullPath;

    // Act
    const report = plugin.validate({
      templatePaths: [templatePath],
      stackTemplates: [
        {
          stackConstructPath: result.stack.node.path,
          templatePath,
          region: 'us-west-2',
          accountId: '111122223333',
        },
      ],
      appConstruct: result.app,
    });

    // Assert
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('ran at synth with cdk-nag registered, and the validation report holds no violation', () => {
    // Act
    const report = JSON.parse(
      readFileSync(join(result.assembly.directory, 'validation-report.json'), 'utf8'),
    );

    // Assert
    expect(report.pluginReports).toEqual([]);
  });
});
