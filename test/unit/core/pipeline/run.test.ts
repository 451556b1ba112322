import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { normalizeInput } from '../../../../core/events/normalize.ts';
import { isValidExecutionName } from '../../../../core/naming.ts';
import { parsePipelineJob } from '../../../../core/pipeline/job.ts';
import { planPipelineRelay, relayExecutionName } from '../../../../core/pipeline/run.ts';
import { parseUserParameters } from '../../../../core/pipeline/user-parameters.ts';
import { jobWithParameters } from './support.ts';

const PARAMS = {
  rule: 'web-bundles',
  destinationKey: 'build_artifacts/{pipeline}/{pipelineExecutionId}.zip',
  pipeline: 'web-release',
  pipelineExecutionId: '8d5f1a4e-3c2b-4a19-9e7d-6b0c2f1e9a37',
  stage: 'Relay',
  actionName: 'RelayToRegions',
};

function plan(params: object, mutate?: Parameters<typeof jobWithParameters>[1]) {
  const job = parsePipelineJob(jobWithParameters(params, mutate));
  return planPipelineRelay(job, parseUserParameters(job.userParameters), 'us-west-2');
}

describe('planPipelineRelay', () => {
  it('asks the relay for the artifact, routed by the rule to the rendered key in the default region', () => {
    // Arrange / Act
    const relay = plan(PARAMS);

    // Assert
    expect(relay.request).toEqual({
      bucket: 'codepipeline-us-west-2-1234567890',
      key: 'web-release/BuildOutpu/Ab3dE9x',
      pipeline: {
        rule: 'web-bundles',
        destinationKey: 'build_artifacts/web-release/8d5f1a4e-3c2b-4a19-9e7d-6b0c2f1e9a37.zip',
        region: 'us-west-2',
      },
    });
  });

  it('builds a request the relay accepts as a pipeline request', () => {
    // Arrange
    const relay = plan({ ...PARAMS, bundleType: 'tgz', region: 'eu-west-1' });

    // Act
    const request = normalizeInput(relay.request);

    // Assert
    expect(request.pipeline).toEqual({
      rule: 'web-bundles',
      destinationKey: relay.destinationKey,
      region: 'eu-west-1',
      bundleType: 'tgz',
    });
  });

  it('prefers the pipeline context of the event to what UserParameters says', () => {
    // Arrange / Act
    const relay = plan(PARAMS, (event) => {
      event['CodePipeline.job'].data.pipelineContext = {
        pipelineName: 'from-context',
        pipelineExecutionId: 'ctx-1',
      };
    });

    // Assert
    expect(relay.destinationKey).toBe('build_artifacts/from-context/ctx-1.zip');
    expect(relay.run.pipelineExecutionId).toBe('ctx-1');
  });

  it('asks which artifact to relay when the action has several', () => {
    // Arrange
    const twoArtifacts = (event: Parameters<NonNullable<Parameters<typeof jobWithParameters>[1]>>[0]) => {
      const data = event['CodePipeline.job'].data;
      data.inputArtifacts = [
        ...data.inputArtifacts,
        { name: 'Docs', location: { type: 'S3', s3Location: { bucketName: 'b', objectKey: 'k' } } },
      ];
    };

    // Act
    const act = () => plan(PARAMS, twoArtifacts);
    const chosen = plan({ ...PARAMS, artifact: 'Docs' }, twoArtifacts);

    // Assert
    expect(act).toThrow(InvalidInput);
    expect(act).toThrow(/2 input artifacts \(BuildOutput, Docs\): set UserParameters\.artifact/);
    expect(chosen.request.key).toBe('k');
  });

  it('refuses an artifact name the action does not have', () => {
    // Arrange / Act
    const act = () => plan({ ...PARAMS, artifact: 'Nope' });

    // Assert
    expect(act).toThrow(/input artifacts are: BuildOutput/);
  });
});

describe('relayExecutionName', () => {
  const artifact = { bucket: 'codepipeline-us-west-2-1234567890', key: 'web-release/BuildOutpu/Ab3dE9x' };
  const run = {
    pipelineExecutionId: '8d5f1a4e-3c2b-4a19-9e7d-6b0c2f1e9a37',
    stage: 'Relay',
    actionName: 'RelayToRegions',
  };

  it('names the relay the same for a retried stage (a new job of the same pipeline execution)', () => {
    // Arrange
    const first = plan(PARAMS);
    const retried = plan(PARAMS, (event) => {
      event['CodePipeline.job'].id = '22222222-abcd-2222-abcd-222222abcdef';
    });

    // Act / Assert
    expect(retried.executionName).toBe(first.executionName);
  });

  it('gives another pipeline execution, stage or action another relay', () => {
    // Arrange
    const base = relayExecutionName(run, artifact);

    // Act
    const others = [
      relayExecutionName({ ...run, pipelineExecutionId: 'another' }, artifact),
      relayExecutionName({ ...run, stage: 'RelayAgain' }, artifact),
      relayExecutionName({ ...run, actionName: 'Other' }, artifact),
    ];

    // Assert
    for (const other of others) expect(other).not.toBe(base);
  });

  it('is a valid execution name of at most 80 characters, whatever the action name', () => {
    // Arrange / Act
    const names = [
      relayExecutionName(run, artifact),
      relayExecutionName({ ...run, actionName: 'Ünïcode action!'.repeat(10) }, artifact),
      relayExecutionName({}, artifact),
    ];

    // Assert
    for (const name of names) {
      expect(isValidExecutionName(name)).toBe(true);
      expect(name.length).toBeLessThanOrEqual(80);
    }
  });

  it('stands the input artifact for the run when no pipeline execution id is known', () => {
    // Arrange
    const withoutId = { stage: 'Relay', actionName: 'RelayToRegions' };

    // Act
    const same = relayExecutionName(withoutId, artifact) === relayExecutionName(withoutId, { ...artifact });
    const other = relayExecutionName(withoutId, { ...artifact, key: 'web-release/BuildOutpu/Zz9' });

    // Assert
    expect(same).toBe(true);
    expect(other).not.toBe(relayExecutionName(withoutId, artifact));
  });
});
