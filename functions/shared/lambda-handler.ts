import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { isRelayError, TransientAwsError } from '../../core/errors.ts';
import { HANDLER_EARLY_TIMEOUT_MS } from '../../core/runtime-contract.ts';
import { logger, metrics, tracer } from './powertools.ts';
import type { TaskHandler } from './task.ts';

/**
 * Wraps a task in the Lambda adapter: middy with Powertools (logger with the Lambda context,
 * metrics flushed after each invocation, tracer) and an early timeout whose AbortSignal the task
 * hands to every SDK call. Nothing here retries: a thrown error reaches Step Functions by its
 * `name`, and the state machine decides.
 */

/**
 * Milliseconds before the Lambda's own timeout at which middy aborts the task's signal and fails
 * the invocation with a retryable `TransientAwsError` (time to flush logs and metrics); the runtime
 * contract's, which infra sizes the functions' timeouts with.
 */
export const TIMEOUT_EARLY_MS = HANDLER_EARLY_TIMEOUT_MS;

/** Options of {@link createLambdaHandler}. */
export interface LambdaHandlerOptions<O> {
  /** Adds metrics about a result (e.g. bytes copied); called before metrics are flushed. */
  readonly recordResult?: (result: O) => void;
}

function timedOut(task: string): never {
  throw new TransientAwsError(
    `The ${task} task ran out of Lambda time before it finished; the state machine retries it`,
    { operation: `lambda:${task}` },
  );
}

/** The middy-wrapped Lambda handler of a task. */
export function createLambdaHandler<O>(
  task: string,
  run: TaskHandler<O>,
  options: LambdaHandlerOptions<O> = {},
): MiddyfiedHandler<unknown, O> {
  return middy<unknown, O>({
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => timedOut(task),
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use({
      onError: (request) => {
        const error = request.error;
        logger.error(`${task} failed`, {
          errorName: error?.name,
          retryable: isRelayError(error) ? error.retryable : false,
          error: error ?? undefined,
        });
        metrics.addMetric(`${task}.errors`, MetricUnit.Count, 1);
      },
    })
    .handler(async (event: unknown, context: Context, { signal }: { signal: AbortSignal }) => {
      logger.appendKeys({ task });
      const result = await run(event, {
        signal,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
      });
      options.recordResult?.(result);
      return result;
    });
}
