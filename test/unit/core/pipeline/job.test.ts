import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { jobIdOf, parsePipelineJob } from '../../../../core/pipeline/job.ts';
import { jobEventFixture } from './support.ts';

describe('parsePipelineJob', () => {
  it('reads the documented job event: id, account, configuration, artifacts and encryption key', () => {
    // Arrange
    const event = jobEventFixture();

    // Act
    const job = parsePipelineJob(event);

    // Assert
    expect(job.id).toBe('11111111-abcd-1111-abcd-111111abcdef');
    expect(job.accountId).toBe('111111111111');
    expect(job.functionName).toBe('artifact-relay-pipeline-action');
    expect(job.inputArtifacts).toEqual([
      {
        name: 'BuildOutput',
        bucket: 'codepipeline-us-west-2-1234567890',
        key: 'web-release/BuildOutpu/Ab3dE9x',
      },
    ]);
    expect(job.encryptionKeyId).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(job.continuationToken).toBeUndefined();
  });

  it('never keeps the artifact credentials, so nothing downstream can log them', () => {
    // Arrange
    const event = jobEventFixture();

    // Act
    const job = parsePipelineJob(event);

    // Assert
    expect(JSON.stringify(job)).not.toContain('EXAMPLEKEY');
    expect(JSON.stringify(job)).not.toContain('SESSIONTOKEN');
  });

  it('reads the continuation token and a pipeline context when the event carries them', () => {
    // Arrange
    const event = jobEventFixture();
    event['CodePipeline.job'].data.continuationToken =
      'arn:aws:states:us-west-2:111111111111:execution:relay:x';
    event['CodePipeline.job'].data.pipelineContext = {
      pipelineName: 'web-release',
      pipelineExecutionId: 'e-1',
      stage: { name: 'Relay' },
      action: { name: 'RelayToRegions', actionExecutionId: 'a-1' },
    };

    // Act
    const job = parsePipelineJob(event);

    // Assert
    expect(job.continuationToken).toBe('arn:aws:states:us-west-2:111111111111:execution:relay:x');
    expect(job.pipelineContext?.pipelineExecutionId).toBe('e-1');
    expect(job.pipelineContext?.action?.name).toBe('RelayToRegions');
  });

  it('refuses an event without input artifact locations, naming the member', () => {
    // Arrange
    const event = jobEventFixture() as unknown as { 'CodePipeline.job': { data: Record<string, unknown> } };
    delete event['CodePipeline.job'].data.inputArtifacts;

    // Act
    const act = () => parsePipelineJob(event);

    // Assert
    expect(act).toThrow(InvalidInput);
    expect(act).toThrow(/CodePipeline\.job\.data\.inputArtifacts is missing/);
  });

  it('refuses a job id that is not a UUID', () => {
    // Arrange
    const event = jobEventFixture();
    event['CodePipeline.job'].id = 'job-1';

    // Act
    const act = () => parsePipelineJob(event);

    // Assert
    expect(act).toThrow(/CodePipeline\.job\.id: a CodePipeline job id is a UUID/);
  });
});

describe('jobIdOf', () => {
  it('finds the job id of an event that is otherwise broken, so the failure can still be reported', () => {
    // Arrange
    const event = { 'CodePipeline.job': { id: '11111111-abcd-1111-abcd-111111abcdef', data: {} } };

    // Act
    const id = jobIdOf(event);

    // Assert
    expect(id).toBe('11111111-abcd-1111-abcd-111111abcdef');
  });

  it.each([null, 'text', {}, { 'CodePipeline.job': { id: 'nope' } }])('finds none in %j', (event) => {
    // Arrange / Act
    const id = jobIdOf(event);

    // Assert
    expect(id).toBeUndefined();
  });
});
