/** Shared set-up for the local Step Functions tests: a service on a fresh data directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsJsonError } from '../../../../local/protocol/json.ts';
import { StepFunctionsService } from '../../../../local/stepfunctions/service.ts';
import type { RequestContext } from '../../../../local/types.ts';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/relay-state-machine`;
export const CTX: RequestContext = { region: REGION, requestId: 'TESTREQUEST', accountId: ACCOUNT };

/** A Lambda function ARN in the test account. */
export const fn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

/** An Error whose `name` is what `Retry`/`Catch` match. */
export function named(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export interface Fixture {
  readonly dir: string;
  readonly sfn: StepFunctionsService;
  /** Calls an operation as the endpoint would. */
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
  /** Creates a state machine and returns its ARN. */
  createMachine(definition: object, name?: string): Promise<string>;
  /** A second service on the same data directory (another process, after a restart). */
  reopen(): Promise<StepFunctionsService>;
  dispose(): Promise<void>;
}

export async function startFixture(timeScale = 0.0001): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-sfn-'));
  const services: StepFunctionsService[] = [];
  const open = async (): Promise<StepFunctionsService> => {
    const service = new StepFunctionsService({ dataDir: dir, accountId: ACCOUNT, timeScale });
    await service.init();
    services.push(service);
    return service;
  };
  const sfn = await open();
  const call = async <T>(operation: string, input: Record<string, unknown>): Promise<T> =>
    (await sfn.handle(operation, input, CTX)) as T;
  return {
    dir,
    sfn,
    call,
    async createMachine(definition, name = 'relay') {
      const out = await call<{ stateMachineArn: string }>('CreateStateMachine', {
        name,
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      });
      return out.stateMachineArn;
    },
    reopen: open,
    async dispose() {
      for (const service of services) await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The AWS error code a call rejected with. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AwsJsonError) return error.code;
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** A promise with its resolve function, for handlers that must wait on the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  type: string;
  timestamp: Date;
  [details: string]: unknown;
}

/** The whole history of an execution. */
export async function historyOf(fixture: Fixture, executionArn: string): Promise<HistoryEvent[]> {
  const out = await fixture.call<{ events: HistoryEvent[] }>('GetExecutionHistory', {
    executionArn,
    maxResults: 1000,
  });
  return out.events;
}
