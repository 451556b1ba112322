import { describe, expect, it } from 'vitest';
import { renderPipelineReport } from '../../../../cli/demo/pipeline-report.ts';
import type { LocalPipelineRun } from '../../../../local/codepipeline/index.ts';

const RELAY = { stage: 'Relay', action: 'RelayToRegions', namespace: 'RelayVariables' };
const ARN = 'arn:aws:states:us-west-2:000000000000:execution:artifact-relay:RelayToRegions-run';

function run(relay: LocalPipelineRun['actions'][number], status: 'Succeeded' | 'Failed'): LocalPipelineRun {
  return {
    pipelineName: 'relay-demo',
    pipelineExecutionId: 'e-1',
    status,
    actions: [
      { stage: 'Source', action: 'Source', status: 'Succeeded', jobs: 0 },
      { stage: 'Build', action: 'Build', status: 'Succeeded', jobs: 0 },
      relay,
    ],
    artifacts: {},
  };
}

describe('the pipeline demo report', () => {
  it('shows each stage and the output variables as later actions reference them', () => {
    // Arrange
    const input = run(
      {
        stage: 'Relay',
        action: 'RelayToRegions',
        status: 'Succeeded',
        summary: 'Relayed to 1 target(s):\n- artifacts-seoul copied',
        outputVariables: { TargetCount: '1', Target1Bucket: 'artifacts-seoul' },
        externalExecutionId: ARN,
        jobs: 2,
      },
      'Succeeded',
    );

    // Act
    const text = renderPipelineReport({ run: input, relay: RELAY, elapsedMs: 1500, dataDir: '.relay/local' });

    // Assert
    expect(text).toContain('Source Succeeded → Build Succeeded → Relay Succeeded');
    expect(text).toContain('  - artifacts-seoul copied');
    expect(text).toContain('    #{RelayVariables.TargetCount}    1\n');
    expect(text).toContain('    #{RelayVariables.Target1Bucket}  artifacts-seoul\n');
    expect(text).toContain(`npx relay show --local ${ARN}`);
    expect(text).toContain('Pipeline Succeeded in 1.5 s.');
  });

  it("shows a failed relay stage with CodePipeline's code and every line of its message", () => {
    // Arrange
    const input = run(
      {
        stage: 'Relay',
        action: 'RelayToRegions',
        status: 'Failed',
        errorDetails: { code: 'JobFailed', message: 'The relay execution failed:\nAccessDenied: fix it' },
        jobs: 1,
      },
      'Failed',
    );

    // Act
    const text = renderPipelineReport({ run: input, relay: RELAY, elapsedMs: 10, dataDir: 'd' });

    // Assert
    expect(text).toContain('Relay Failed');
    expect(text).toContain(
      "  Failed (JobFailed). CodePipeline's message:\n    The relay execution failed:\n    AccessDenied: fix it\n",
    );
    expect(text).not.toContain('Output variables');
  });
});
