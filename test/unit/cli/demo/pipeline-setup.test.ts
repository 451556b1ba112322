import { describe, expect, it } from 'vitest';
import { failTargetFault, planPipelineDemo } from '../../../../cli/demo/pipeline-setup.ts';
import { CliError } from '../../../../cli/errors.ts';
import { parseConfig } from '../../../../core/config/parse.ts';

const ACCOUNT = '000000000000';

function config(targets: ReadonlyArray<Record<string, unknown>>, extraRules: unknown[] = []) {
  return parseConfig(
    {
      sources: [
        {
          bucket: 'builds',
          region: 'us-west-2',
          rules: [{ name: 'web', prefix: 'build_artifacts/', suffix: '.zip', targets }, ...extraRules],
        },
      ],
    },
    'test',
  );
}

const SEOUL = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };
const FRANKFURT = { bucket: 'artifacts-frankfurt', region: 'eu-central-1', keyPrefix: 'releases/' };

describe('the pipeline demo plan', () => {
  it('relays with the first rule as it is when every target writes under one prefix', () => {
    // Arrange
    const input = config([SEOUL, { bucket: 'artifacts-virginia', region: 'us-east-1' }]);

    // Act
    const plan = planPipelineDemo(input, ACCOUNT);

    // Assert
    expect(plan.config).toEqual(input);
    expect(plan).toMatchObject({
      region: 'us-west-2',
      rule: 'web',
      destinationKey: 'build_artifacts/{pipeline}/{pipelineExecutionId}.zip',
      targets: ['artifacts-seoul', 'artifacts-virginia'],
      store: {
        bucket: 'codepipeline-us-west-2-relay-demo',
        region: 'us-west-2',
        kmsKeyArn: expect.stringMatching(/^arn:aws:kms:us-west-2:000000000000:key\//),
      },
    });
  });

  it('relays with the first rule as it is when its targets write under different prefixes', () => {
    // Arrange
    const input = config([SEOUL, FRANKFURT]);

    // Act
    const plan = planPipelineDemo(input, ACCOUNT);

    // Assert: Frankfurt maps the key through its keyPrefix (core/routing.ts)
    expect(plan.config).toEqual(input);
    expect(plan.rule).toBe('web');
    expect(plan.destinationKey).toBe('build_artifacts/{pipeline}/{pipelineExecutionId}.zip');
  });
});

describe('the --fail-target fault', () => {
  it('refuses every request to a target of the relay rule with AccessDenied', () => {
    // Arrange
    const plan = planPipelineDemo(config([SEOUL, FRANKFURT]), ACCOUNT);

    // Act
    const fault = failTargetFault(plan, 'artifacts-frankfurt');

    // Assert
    expect(fault).toEqual({ kind: 'access-denied', bucket: 'artifacts-frankfurt' });
  });

  it('refuses a bucket that is not a target, naming the targets, as a usage error', () => {
    // Arrange
    const plan = planPipelineDemo(config([SEOUL]), ACCOUNT);

    // Act
    const act = () => failTargetFault(plan, 'artifacts-tokyo');

    // Assert
    expect(act).toThrow(CliError);
    expect(act).toThrow(
      '--fail-target artifacts-tokyo is not a target of the rule web: use one of artifacts-seoul',
    );
  });
});
