/**
 * The Step Functions integration that starts another execution — `arn:aws:states:::states:startExecution`
 * (returns at once), `.sync` and `.sync:2` (wait until it ends) — as a local task handler: the backfill's
 * child workflows start one relay execution each this way (state-machine/backfill.ts).
 *
 * Like AWS: the answer of `.sync` is DescribeExecution's, with `Input`/`Output` as JSON text, and `.sync:2`'s
 * the same with them parsed; a started execution that fails, times out or is aborted fails the Task with
 * `States.TaskFailed`, its cause the DescribeExecution answer as JSON; stopping the waiting Task (the parent
 * stopped, the state timed out) stops the execution it started.
 */
import type { TaskHandler } from '../types.ts';
import { StateFailure } from './errors.ts';
import type { ExecutionDescription, StepFunctionsService } from './service.ts';

/** The integration's resources, by the pattern each is registered for. */
export const START_EXECUTION_INTEGRATIONS = {
  requestResponse: 'arn:aws:states:::states:startExecution',
  sync: 'arn:aws:states:::states:startExecution.sync',
  sync2: 'arn:aws:states:::states:startExecution.sync:2',
} as const;

type Pattern = keyof typeof START_EXECUTION_INTEGRATIONS;

/** The Task's parameters, as the integration takes them (StartExecution's request, capitalised). */
interface StartParameters {
  readonly StateMachineArn: string;
  readonly Input?: unknown;
  readonly Name?: string;
}

function parametersOf(input: unknown): StartParameters {
  const value = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (typeof value.StateMachineArn !== 'string' || value.StateMachineArn === '') {
    throw new StateFailure(
      'States.Runtime',
      'The startExecution integration needs Parameters.StateMachineArn (the state machine to start)',
    );
  }
  if (value.Name !== undefined && typeof value.Name !== 'string') {
    throw new StateFailure('States.Runtime', 'Parameters.Name of startExecution must be a string');
  }
  return value as unknown as StartParameters;
}

/** The integration's input as StartExecution's text: a string is passed as is, anything else as JSON. */
function inputText(input: unknown): string {
  if (input === undefined) return '{}';
  return typeof input === 'string' ? input : JSON.stringify(input);
}

function parseOrKeep(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** DescribeExecution's answer as the integration returns it (dates as epoch milliseconds, as the SDK sends). */
function answerOf(described: ExecutionDescription, parse: boolean): Record<string, unknown> {
  return {
    ExecutionArn: described.executionArn,
    StateMachineArn: described.stateMachineArn,
    Name: described.name,
    Status: described.status,
    StartDate: described.startDate.getTime(),
    ...(described.stopDate === undefined ? {} : { StopDate: described.stopDate.getTime() }),
    Input: parse ? parseOrKeep(described.input) : described.input,
    InputDetails: { Included: true },
    ...(described.output === undefined
      ? {}
      : {
          Output: parse ? parseOrKeep(described.output) : described.output,
          OutputDetails: { Included: true },
        }),
    ...(described.error === undefined ? {} : { Error: described.error }),
    ...(described.cause === undefined ? {} : { Cause: described.cause }),
    RedriveCount: described.redriveCount,
  };
}

function handlerFor(sfn: StepFunctionsService, pattern: Pattern): TaskHandler {
  return async (input, context) => {
    const parameters = parametersOf(input);
    const started = await sfn.startExecution({
      stateMachineArn: parameters.StateMachineArn,
      input: inputText(parameters.Input),
      ...(parameters.Name === undefined ? {} : { name: parameters.Name }),
    });
    if (pattern === 'requestResponse') {
      return { ExecutionArn: started.executionArn, StartDate: started.startDate.getTime() };
    }
    const stop = (): void => {
      void sfn
        .handle(
          'StopExecution',
          {
            executionArn: started.executionArn,
            error: 'States.Aborted',
            cause: 'The task that started it stopped',
          },
          { region: context.region ?? 'us-east-1', requestId: 'start-execution-integration', accountId: '' },
        )
        .catch(() => undefined);
    };
    // The Task may have been stopped while StartExecution was answering: an aborted signal fires no event.
    if (context.signal.aborted) stop();
    else context.signal.addEventListener('abort', stop, { once: true });
    try {
      const described = await sfn.waitForExecution(started.executionArn);
      const answer = answerOf(described, pattern === 'sync2');
      if (described.status !== 'SUCCEEDED') {
        throw new StateFailure('States.TaskFailed', JSON.stringify(answerOf(described, false)));
      }
      return answer;
    } finally {
      context.signal.removeEventListener('abort', stop);
    }
  };
}

/** Registers the three patterns on `sfn` (the executions they start are its own). */
export function registerStartExecutionIntegration(sfn: StepFunctionsService): void {
  for (const pattern of Object.keys(START_EXECUTION_INTEGRATIONS) as Pattern[]) {
    sfn.registerTaskHandler(START_EXECUTION_INTEGRATIONS[pattern], handlerFor(sfn, pattern));
  }
}
