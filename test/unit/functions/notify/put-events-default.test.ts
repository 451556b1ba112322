import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UnexpectedAwsError } from '../../../../core/errors.ts';
import { sdkPutEvents } from '../../../../functions/notify/put-events-default.ts';

const ENTRY = {
  Source: 'artifact-relay',
  DetailType: 'Target Failed',
  Detail: '{"target":"artifacts-seoul@ap-northeast-2"}',
  Resources: ['arn:aws:states:us-west-2:111122223333:execution:artifact-relay:e-1'],
};

describe("the notifier's PutEvents through the SDK", () => {
  const client = new EventBridgeClient({ region: 'us-west-2' });
  const eventBridge = mockClient(client);

  beforeEach(() => {
    eventBridge.reset();
  });

  it('sends the entries to the default bus as given', async () => {
    // Arrange
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });

    // Act
    await sdkPutEvents(client)([ENTRY]);

    // Assert
    expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input).toEqual({ Entries: [ENTRY] });
  });

  it('fails naming the error code when EventBridge refused an entry', async () => {
    // Arrange
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    // Act
    const sent = sdkPutEvents(client)([ENTRY]);

    // Assert
    await expect(sent).rejects.toThrow(UnexpectedAwsError);
    await expect(sdkPutEvents(client)([ENTRY])).rejects.toThrow(
      /refused 1 of 1 relay events: InternalFailure try again/,
    );
  });
});
