import { describe, expect, it } from 'vitest';
import { withPipelineProgress } from '../../../../cli/demo/pipeline-progress.ts';
import type { LocalPipelineDefinition } from '../../../../local/codepipeline/index.ts';

const ARN = 'arn:aws:states:us-west-2:000000000000:execution:artifact-relay:run';

/** Source → Build → an invoke action that answers "running" once, then succeeds. */
function definition(): LocalPipelineDefinition {
  let jobs = 0;
  return {
    name: 'p',
    artifactStore: { bucket: 'store', region: 'us-west-2' },
    stages: [
      {
        name: 'Source',
        actions: [{ kind: 'source', name: 'Source', outputArtifact: 'S', produce: async () => 'abc' }],
      },
      {
        name: 'Build',
        actions: [
          {
            kind: 'build',
            name: 'Build',
            inputArtifacts: ['S'],
            outputArtifact: 'B',
            build: async () => Buffer.alloc(5),
          },
        ],
      },
      {
        name: 'Relay',
        actions: [
          {
            kind: 'invoke',
            name: 'RelayToRegions',
            inputArtifacts: ['B'],
            functionName: 'fn',
            handler: async () => {
              jobs += 1;
              return jobs === 1
                ? { result: 'running', jobId: 'j1', executionArn: ARN }
                : { result: 'succeeded', jobId: 'j2', executionArn: ARN, outputVariables: {} };
            },
          },
        ],
      },
    ],
  };
}

describe('the pipeline demo progress', () => {
  it('prints each action as it starts and ends, and every job of the invoke action', async () => {
    // Arrange
    const lines: string[] = [];
    const wrapped = withPipelineProgress(definition(), (text) => lines.push(text.trimEnd()));
    const [source, build, relay] = wrapped.stages.map((stage) => stage.actions[0]!);

    // Act
    if (source?.kind === 'source') await source.produce();
    if (build?.kind === 'build') await build.build({ S: Buffer.from('abc') });
    if (relay?.kind === 'invoke') {
      await relay.handler({});
      await relay.handler({});
    }

    // Assert
    expect(lines).toEqual([
      '  Source  Source: running',
      '  Source  Source: succeeded (3 bytes)',
      '  Build   Build: running',
      '  Build   Build: succeeded (5 bytes)',
      '  Relay   RelayToRegions: running (Lambda invoke action)',
      `  Relay   RelayToRegions: job 1 relay ${ARN} running: answered with a continuation token`,
      '  Relay   RelayToRegions: job 2 reported success with output variables',
    ]);
  });
});
