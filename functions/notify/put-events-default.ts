/**
 * The Lambda's PutEvents, through the AWS SDK's EventBridge client (module scope: warm invocations reuse
 * its connections), on the account's default bus in the function's own region. The local stack supplies
 * its own PutEvents onto its bridge (local/eventbridge/put-events.ts).
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UnexpectedAwsError } from '../../core/errors.ts';
import { awsCall } from '../shared/aws-call.ts';
import type { PutEvents } from './ports.ts';

const client = new EventBridgeClient({});

/**
 * PutEvents through `eventBridge` (injectable for tests).
 *
 * @throws UnexpectedAwsError naming the first failed entry's code when EventBridge refused some entries
 */
export function sdkPutEvents(eventBridge: Pick<EventBridgeClient, 'send'>): PutEvents {
  return async (entries, signal) => {
    const answer = await awsCall(
      () =>
        eventBridge.send(
          new PutEventsCommand({
            Entries: entries.map(({ Resources, ...entry }) => ({
              ...entry,
              ...(Resources === undefined ? {} : { Resources: [...Resources] }),
            })),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        ),
      { operation: 'events:PutEvents' },
    );
    const failed = answer.FailedEntryCount ?? 0;
    if (failed > 0) {
      const first = answer.Entries?.find((entry) => entry.ErrorCode !== undefined);
      throw new UnexpectedAwsError(
        `EventBridge refused ${failed} of ${entries.length} relay events: ${first?.ErrorCode ?? 'unknown'} ${first?.ErrorMessage ?? ''}`.trim(),
        { operation: 'events:PutEvents' },
      );
    }
  };
}

/** PutEvents through the module's client. */
export const defaultPutEvents: PutEvents = sdkPutEvents(client);
