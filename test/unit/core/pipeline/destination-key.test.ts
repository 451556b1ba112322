import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { renderDestinationKey } from '../../../../core/pipeline/destination-key.ts';

const VALUES = { pipeline: 'web-release', pipelineExecutionId: 'e-1', actionName: 'Relay' } as const;

describe('renderDestinationKey', () => {
  it('fills every placeholder from the pipeline run', () => {
    // Arrange
    const template = 'releases/{pipeline}/{pipelineExecutionId}/{actionName}.zip';

    // Act
    const key = renderDestinationKey(template, VALUES);

    // Assert
    expect(key).toBe('releases/web-release/e-1/Relay.zip');
  });

  it('keeps a fixed key as it is', () => {
    // Arrange / Act
    const key = renderDestinationKey('releases/app.zip', {});

    // Assert
    expect(key).toBe('releases/app.zip');
  });

  it('refuses an unknown placeholder, listing the ones there are', () => {
    // Arrange / Act
    const act = () => renderDestinationKey('releases/{commit}.zip', VALUES);

    // Assert
    expect(act).toThrow(InvalidInput);
    expect(act).toThrow(
      /unknown placeholder \{commit\}.*\{pipeline\}, \{pipelineExecutionId\}, \{actionName\}/,
    );
  });

  it('refuses a placeholder the job does not tell, saying what to add', () => {
    // Arrange / Act
    const act = () => renderDestinationKey('releases/{pipelineExecutionId}.zip', { pipeline: 'p' });

    // Assert
    expect(act).toThrow(
      /\{pipelineExecutionId\}.*"pipelineExecutionId": "#\{codepipeline\.PipelineExecutionId\}"/,
    );
  });

  it('refuses an unbalanced brace', () => {
    // Arrange / Act
    const act = () => renderDestinationKey('releases/{pipeline.zip', VALUES);

    // Assert
    expect(act).toThrow(/unbalanced brace/);
  });

  it('refuses a key longer than S3 allows', () => {
    // Arrange / Act
    const act = () => renderDestinationKey(`{pipeline}/${'k'.repeat(1020)}`, VALUES);

    // Assert
    expect(act).toThrow(/S3 keys are at most 1024 bytes/);
  });
});
