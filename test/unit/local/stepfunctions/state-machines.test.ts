import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CTX, errorCode, type Fixture, ROLE, startFixture } from './fixture.ts';

const PASS = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
const SUCCEED = { StartAt: 'Ok', States: { Ok: { Type: 'Succeed' } } };

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.dispose();
});

describe('CreateStateMachine', () => {
  it('creates a STANDARD state machine with a regional ARN and a creation date', async () => {
    // Act
    const out = await f.call('CreateStateMachine', {
      name: 'relay',
      definition: JSON.stringify(PASS),
      roleArn: ROLE,
    });

    // Assert
    expect(out.stateMachineArn).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:relay');
    expect(out.creationDate).toBeInstanceOf(Date);
  });

  it('returns the existing state machine for the same name and definition', async () => {
    // Arrange
    const first = await f.call('CreateStateMachine', {
      name: 'relay',
      definition: JSON.stringify(PASS),
      roleArn: ROLE,
    });

    // Act
    const again = await f.call('CreateStateMachine', {
      name: 'relay',
      definition: JSON.stringify(PASS, null, 2),
      roleArn: ROLE,
    });

    // Assert
    expect(again).toEqual(first);
  });

  it('rejects the same name with another definition as StateMachineAlreadyExists', async () => {
    // Arrange
    await f.createMachine(PASS);

    // Act
    const code = await errorCode(
      f.call('CreateStateMachine', { name: 'relay', definition: JSON.stringify(SUCCEED), roleArn: ROLE }),
    );

    // Assert
    expect(code).toBe('StateMachineAlreadyExists');
  });

  it('rejects invalid definitions as InvalidDefinition with the validator findings', async () => {
    // Arrange
    const cases = [
      '{not json',
      JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Nexxt: 'B' } } }),
      JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } }),
      JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'not-an-arn', End: true } } }),
    ];

    // Act
    const messages = await Promise.all(
      cases.map((definition) =>
        f.sfn.handle('CreateStateMachine', { name: 'bad', definition, roleArn: ROLE }, CTX).then(
          () => 'accepted',
          (error: Error & { code?: string }) => `${error.code}: ${error.message}`,
        ),
      ),
    );

    // Assert
    for (const message of messages)
      expect(message).toMatch(/^InvalidDefinition: Invalid State Machine Definition/);
    expect(messages[0]).toContain('INVALID_JSON_DESCRIPTION');
    expect(messages[1]).toContain('SCHEMA_VALIDATION_FAILED');
  });

  it('rejects bad names, role ARNs, EXPRESS and missing members with the AWS error codes', async () => {
    // Arrange
    const definition = JSON.stringify(PASS);

    // Act
    const codes = await Promise.all([
      errorCode(f.call('CreateStateMachine', { name: 'a b', definition, roleArn: ROLE })),
      errorCode(f.call('CreateStateMachine', { name: 'ok', definition, roleArn: 'role' })),
      errorCode(f.call('CreateStateMachine', { name: 'ok', definition, roleArn: ROLE, type: 'EXPRESS' })),
      errorCode(f.call('CreateStateMachine', { name: 'ok', roleArn: ROLE })),
    ]);

    // Assert
    expect(codes).toEqual([
      'InvalidName',
      'InvalidArn',
      'StateMachineTypeNotSupported',
      'ValidationException',
    ]);
  });
});

describe('DescribeStateMachine / ListStateMachines', () => {
  it('describes a state machine with its definition, role, type and status', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);

    // Act
    const out = await f.call('DescribeStateMachine', { stateMachineArn: arn });

    // Assert
    expect(out).toMatchObject({
      stateMachineArn: arn,
      name: 'relay',
      status: 'ACTIVE',
      definition: JSON.stringify(PASS),
      roleArn: ROLE,
      type: 'STANDARD',
    });
    expect(out.creationDate).toBeInstanceOf(Date);
  });

  it('answers StateMachineDoesNotExist and InvalidArn', async () => {
    // Act
    const codes = await Promise.all([
      errorCode(
        f.call('DescribeStateMachine', {
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:nope',
        }),
      ),
      errorCode(f.call('DescribeStateMachine', { stateMachineArn: 'nope' })),
    ]);

    // Assert
    expect(codes).toEqual(['StateMachineDoesNotExist', 'InvalidArn']);
  });

  it('lists the region’s state machines by name, page by page', async () => {
    // Arrange
    for (const name of ['c', 'a', 'b']) await f.createMachine(PASS, name);
    await f.sfn.handle(
      'CreateStateMachine',
      { name: 'elsewhere', definition: JSON.stringify(PASS), roleArn: ROLE },
      { ...CTX, region: 'eu-west-1' },
    );

    // Act
    const first = await f.call<{ stateMachines: { name: string }[]; nextToken?: string }>(
      'ListStateMachines',
      {
        maxResults: 2,
      },
    );
    const second = await f.call<{ stateMachines: { name: string }[]; nextToken?: string }>(
      'ListStateMachines',
      {
        maxResults: 2,
        nextToken: first.nextToken,
      },
    );

    // Assert
    expect(first.stateMachines.map((m) => m.name)).toEqual(['a', 'b']);
    expect(second.stateMachines.map((m) => m.name)).toEqual(['c']);
    expect(second.nextToken).toBeUndefined();
  });

  it('rejects a token that it did not issue as InvalidToken', async () => {
    // Act
    const code = await errorCode(f.call('ListStateMachines', { nextToken: 'garbage' }));

    // Assert
    expect(code).toBe('InvalidToken');
  });
});

describe('UpdateStateMachine / DeleteStateMachine', () => {
  it('updates the definition (validated) and returns an update date and revision', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);

    // Act
    const out = await f.call('UpdateStateMachine', {
      stateMachineArn: arn,
      definition: JSON.stringify(SUCCEED),
    });
    const described = await f.call('DescribeStateMachine', { stateMachineArn: arn });
    const invalid = await errorCode(f.call('UpdateStateMachine', { stateMachineArn: arn, definition: '{}' }));

    // Assert
    expect(out.updateDate).toBeInstanceOf(Date);
    expect(described.definition).toBe(JSON.stringify(SUCCEED));
    expect(described.revisionId).toBe(out.revisionId);
    expect(invalid).toBe('InvalidDefinition');
  });

  it('deletes a state machine so that it can no longer be described', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);

    // Act
    await f.call('DeleteStateMachine', { stateMachineArn: arn });
    const code = await errorCode(f.call('DescribeStateMachine', { stateMachineArn: arn }));

    // Assert
    expect(code).toBe('StateMachineDoesNotExist');
  });
});

describe('unknown operations', () => {
  it('answers an operation it does not implement with UnknownOperationException', async () => {
    // Act
    const code = await errorCode(f.call('ListActivities', {}));

    // Assert
    expect(code).toBe('UnknownOperationException');
  });
});
