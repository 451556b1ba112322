/**
 * One row of the executions list: DescribeExecution, and what became of its targets — from the output,
 * else from the history (cli/executions/list.ts's outcomesOf). An execution the console cannot read
 * (an output shape it does not know, a history it cannot follow) is still a row: its targets are
 * `null`, which the UI shows as unknown, rather than an error for the whole page.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { describeExecution, type ExecutionDetails } from '../../cli/executions/describe.ts';
import { outcomesOf } from '../../cli/executions/list.ts';
import { countOutcomes, type TargetCounts } from '../../core/executions/outcome.ts';
import type { ExecutionSummary } from '../api-types.ts';
import { summaryOf } from './views.ts';

/**
 * Whether the execution ended with an output this console does not read: a SUCCEEDED execution always
 * has one, and describe.ts's readOutput left it undefined because no known shape matched.
 */
export function hasUnknownOutput(details: ExecutionDetails): boolean {
  return details.status === 'SUCCEEDED' && details.output === undefined;
}

/** The targets' counts, or null when neither the output nor the history says what became of them. */
async function countsOf(sfn: SFNClient, details: ExecutionDetails): Promise<TargetCounts | null> {
  try {
    const outcomes = await outcomesOf(sfn, details);
    return outcomes.length === 0 && hasUnknownOutput(details) ? null : countOutcomes(outcomes);
  } catch (err) {
    // An API failure is the page's error; a history of a shape the readers do not follow is not.
    if (err instanceof Error && '$metadata' in err) throw err;
    return null;
  }
}

/** The list row of one execution. */
export async function rowOf(sfn: SFNClient, executionArn: string): Promise<ExecutionSummary> {
  const details = await describeExecution(sfn, executionArn);
  return summaryOf(details, await countsOf(sfn, details));
}
