import { describe, expect, it } from 'vitest';
import { outputValue } from '../../../cli/aws/outputs.ts';
import { BACKFILL_RESULTS_OUTPUT, BACKFILL_STATE_MACHINE_OUTPUT } from '../../../core/backfill.ts';

describe('stack outputs as CDK keys them', () => {
  it('finds an output made inside a construct, keyed with its path and hash', () => {
    // Arrange: the outputs of a stack holding the ArtifactRelay construct `Relay`
    const outputs = [
      { OutputKey: 'RelayStateMachineArn0F1E2D3C', OutputValue: 'arn:relay' },
      { OutputKey: 'RelayBackfillStateMachineArnC0FFEE00', OutputValue: 'arn:backfill' },
      { OutputKey: 'RelayBackfillResultsBucket1A2B3C4D', OutputValue: 'results-bucket' },
    ];

    // Act
    const machine = outputValue(outputs, BACKFILL_STATE_MACHINE_OUTPUT);
    const bucket = outputValue(outputs, BACKFILL_RESULTS_OUTPUT);

    // Assert
    expect(machine).toBe('arn:backfill');
    expect(bucket).toBe('results-bucket');
  });

  it('finds an output made at the top of the stack by its id alone, and no output whose id only ends alike', () => {
    // Arrange
    const outputs = [
      { OutputKey: 'OtherBackfillStateMachineArnX', OutputValue: 'arn:not-it' },
      { OutputKey: 'BackfillStateMachineArn', OutputValue: 'arn:backfill' },
    ];

    // Act
    const machine = outputValue(outputs, BACKFILL_STATE_MACHINE_OUTPUT);
    const none = outputValue(
      [{ OutputKey: 'MyBackfillResultsBuckets', OutputValue: 'x' }],
      BACKFILL_RESULTS_OUTPUT,
    );

    // Assert
    expect(machine).toBe('arn:backfill');
    expect(none).toBeUndefined();
  });
});
