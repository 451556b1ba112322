/**
 * Starts one replay execution with a deterministic name (core/naming.ts `executionName`), so a second
 * replay of the same object version starts nothing: Step Functions answers ExecutionAlreadyExists —
 * or, while the first is still running with the same input, returns it again. With a window
 * (`--max-in-flight`), each start first waits for a slot; the slot stays taken while the execution it
 * names runs (started now, or still running from an earlier replay).
 */
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionName } from '../../core/naming.ts';
import { executionArnOf, type StateMachineRef } from '../aws/arn.ts';
import type { InFlightWindow } from './in-flight.ts';
import type { ListedObject } from './list-objects.ts';

export type ReplayStatus = 'started' | 'already-relayed' | 'would-start' | 'failed';

export interface ReplayItem {
  readonly key: string;
  readonly versionId?: string;
  readonly name: string;
  status: ReplayStatus;
  executionArn?: string;
  /** Why it failed, or the status of the execution that already relayed it. */
  detail?: string;
}

/**
 * The execution input: the plain request the workflow accepts, pinned to the version or ETag — with
 * `deploy: false` when the replay is not to deploy (`relay replay` without `--deploy`).
 */
export function replayInput(
  bucket: string,
  object: ListedObject,
  deploy = true,
  targets?: readonly string[],
): Record<string, string | boolean | readonly string[]> {
  const pinned = object.versionId === undefined ? { etag: object.etag } : { versionId: object.versionId };
  return {
    bucket,
    key: object.key,
    ...pinned,
    ...(targets === undefined || targets.length === 0 ? {} : { targets }),
    ...(deploy ? {} : { deploy: false }),
  };
}

/** The item for one object (status `would-start` until it is started). */
export function replayItem(bucket: string, object: ListedObject): ReplayItem {
  return {
    key: object.key,
    ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
    name: executionName(bucket, object.key, object.versionId ?? object.etag),
    status: 'would-start',
  };
}

function isServiceError(err: unknown): err is Error {
  return (
    err instanceof Error &&
    typeof (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 'number'
  );
}

export async function startReplay(
  sfn: SFNClient,
  machine: StateMachineRef,
  bucket: string,
  object: ListedObject,
  item: ReplayItem,
  options: {
    dryRun: boolean;
    startedAfter: Date;
    deploy?: boolean;
    targets?: readonly string[];
    /** Caps the executions running at once; a dry run never waits for it. */
    inFlight?: InFlightWindow;
  },
): Promise<void> {
  const executionArn = executionArnOf(machine, item.name);
  if (options.dryRun) {
    try {
      const existing = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      item.status = 'already-relayed';
      item.executionArn = executionArn;
      item.detail = existing.status ?? '';
    } catch (err) {
      if (!(err instanceof Error && err.name === 'ExecutionDoesNotExist')) throw err;
      item.status = 'would-start';
    }
    return;
  }
  const inFlight = options.inFlight;
  await inFlight?.admit();
  let running = false;
  try {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machine.arn,
        name: item.name,
        input: JSON.stringify(replayInput(bucket, object, options.deploy ?? true, options.targets)),
      }),
    );
    item.executionArn = started.executionArn ?? executionArn;
    // The same name and input while the first run is still going returns that run: not a new start.
    const fresh =
      started.startDate === undefined || started.startDate.getTime() >= options.startedAfter.getTime();
    item.status = fresh ? 'started' : 'already-relayed';
    if (!fresh) item.detail = 'RUNNING';
    // Either way it runs now, so it takes a slot.
    running = true;
  } catch (err) {
    // The name's execution has ended (or, rarely, runs with another input): no slot.
    if (err instanceof Error && err.name === 'ExecutionAlreadyExists') {
      item.status = 'already-relayed';
      item.executionArn = executionArn;
      return;
    }
    // A refusal for this object is reported with it; no network or no credentials stops the replay.
    if (!isServiceError(err) || ['AccessDeniedException', 'UnrecognizedClientException'].includes(err.name))
      throw err;
    item.status = 'failed';
    item.detail = `${err.name}: ${err.message}`;
  } finally {
    if (running) inFlight?.started(item.executionArn ?? executionArn);
    else inFlight?.release();
  }
}
