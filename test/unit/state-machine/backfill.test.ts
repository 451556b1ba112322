import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MAX_BACKFILL_CONCURRENCY } from '../../../core/backfill.ts';
import {
  BACKFILL_STATES,
  buildBackfillDefinition,
  renderBackfillDefinition,
} from '../../../state-machine/backfill.ts';

interface AslValidation {
  readonly isValid: boolean;
  readonly errorsText: (separator?: string) => string;
}
// asl-validator is CommonJS without type declarations.
const validateAsl = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => AslValidation;

const VALUES = {
  BuildWorkListFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:relay-build-work-list',
  RelayStateMachineArn: 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay',
};

describe('the backfill definition', () => {
  it('is valid ASL once rendered, paths and ARNs checked', () => {
    // Act
    const result = validateAsl(renderBackfillDefinition(buildBackfillDefinition(), VALUES), {
      checkPaths: true,
      checkArn: true,
    });

    // Assert
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('builds the work list until done, then relays its lines on a Distributed Map of relay executions', () => {
    // Act
    const definition = renderBackfillDefinition(buildBackfillDefinition(), VALUES);
    const map = definition.States[BACKFILL_STATES.relayObjects];
    const build = definition.States[BACKFILL_STATES.buildWorkList];

    // Assert
    expect(build).toMatchObject({
      Resource: VALUES.BuildWorkListFunctionArn,
      Parameters: { 'state.$': '$', 'backfillId.$': '$$.Execution.Name' },
      ResultPath: '$.workList',
    });
    expect(definition.States[BACKFILL_STATES.workListBuilt]).toMatchObject({
      Choices: [
        { Variable: '$.workList.done', BooleanEquals: false, Next: BACKFILL_STATES.buildWorkList },
        { Variable: '$.workList.items', NumericEquals: 0, Next: BACKFILL_STATES.nothingToBackfill },
      ],
      Default: BACKFILL_STATES.relayObjects,
    });
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { 'Bucket.$': '$.workList.bucket', 'Key.$': '$.workList.key' },
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        States: {
          [BACKFILL_STATES.relayObject]: {
            Resource: 'arn:aws:states:::states:startExecution.sync:2',
            Parameters: { StateMachineArn: VALUES.RelayStateMachineArn, 'Input.$': '$.request' },
          },
        },
      },
      MaxConcurrencyPath: '$.workList.maxConcurrency',
      ToleratedFailurePercentagePath: '$.workList.toleratedFailurePercentage',
      ResultWriter: {
        Parameters: { 'Bucket.$': '$.workList.results.bucket', 'Prefix.$': '$.workList.results.prefix' },
      },
    });
    expect(MAX_BACKFILL_CONCURRENCY).toBe(10_000);
  });

  it('retries only starting a relay, never a relay that failed', () => {
    // Act
    const definition = buildBackfillDefinition();
    const map = definition.States[BACKFILL_STATES.relayObjects] as {
      ItemProcessor: { States: Record<string, { Retry?: Array<{ ErrorEquals: string[] }> }> };
    };
    const retried = map.ItemProcessor.States[BACKFILL_STATES.relayObject]?.Retry?.flatMap(
      (r) => r.ErrorEquals,
    );

    // Assert
    expect(retried).not.toContain('States.TaskFailed');
    expect(retried).not.toContain('States.ALL');
  });

  it('names a placeholder left without a value', () => {
    expect(() =>
      renderBackfillDefinition(buildBackfillDefinition(), {
        BuildWorkListFunctionArn: VALUES.BuildWorkListFunctionArn,
      } as typeof VALUES),
    ).toThrow(/no value for \$\{RelayStateMachineArn\}/);
  });
});
