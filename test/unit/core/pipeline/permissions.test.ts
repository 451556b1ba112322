import { describe, expect, it } from 'vitest';
import {
  executionsArnOf,
  PLANNED_ROLES,
  planPipelineActionPermissions,
  planPipelineArtifactPermissions,
} from '../../../../core/permissions/plan.ts';

const MACHINE = 'arn:aws:states:us-west-2:111111111111:stateMachine:artifact-relay';

describe('the pipeline action role', () => {
  it('may start the relay, describe and redrive its executions, and report job results (on *, with the reason)', () => {
    // Arrange / Act
    const statements = planPipelineActionPermissions({
      stateMachineArn: MACHINE,
      executionsArn: executionsArnOf(MACHINE),
    });

    // Assert
    expect(statements.map((s) => [s.actions, s.resources])).toEqual([
      [['states:StartExecution'], [MACHINE]],
      [
        ['states:DescribeExecution', 'states:RedriveExecution'],
        ['arn:aws:states:us-west-2:111111111111:execution:artifact-relay:*'],
      ],
      [['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'], ['*']],
    ]);
    expect(statements[2]!.wildcardReason).toMatch(/no resource-level permissions/);
  });

  it('is planned apart from the state machine task roles', () => {
    // Arrange / Act / Assert
    expect(PLANNED_ROLES).not.toContain('pipeline-action');
  });

  it('refuses an ARN that is not a state machine', () => {
    // Arrange / Act
    const act = () => executionsArnOf('arn:aws:lambda:us-west-2:111111111111:function:f');

    // Assert
    expect(act).toThrow(/not a Step Functions state machine ARN/);
  });
});

describe('the pipeline artifact store grants of the tasks', () => {
  it('let the tasks read artifacts and decrypt them with the store key, and no more', () => {
    // Arrange
    const kmsKeyArn = 'arn:aws:kms:us-west-2:111111111111:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

    // Act
    const plan = planPipelineArtifactPermissions({
      bucket: 'pipeline-store',
      region: 'us-west-2',
      kmsKeyArn,
    });

    // Assert
    expect(Object.keys(plan)).toEqual(['resolve-targets', 'copy-object', 'verify-copy']);
    expect(plan['resolve-targets']!.some((s) => s.actions.includes('kms:Decrypt'))).toBe(false);
    const kms = plan['copy-object']!.find((s) => s.actions.includes('kms:Decrypt'));
    expect(kms?.resources).toEqual([kmsKeyArn]);
    expect(kms?.conditions?.StringEquals).toEqual({ 'kms:ViaService': 's3.us-west-2.amazonaws.com' });
    const writes = Object.values(plan)
      .flatMap((statements) => statements ?? [])
      .flatMap((s) => s.actions);
    expect(writes.filter((action) => action.startsWith('s3:Put'))).toEqual([]);
  });
});
