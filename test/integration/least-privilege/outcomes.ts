/**
 * What went wrong with a scenario's executions, in words: an execution that did not succeed (with
 * its error and cause), a target that failed, a target whose status or deployment is not the one
 * expected. An empty list means the scenario ended as it should.
 */
import type { TargetStatus } from '../../../core/workflow.ts';
import { type DeleteReplicaStatus, deleteOutputSchema } from '../../../core/workflow-delete.ts';
import { type Execution, nothingToRelay, relayOutput } from '../workflow/harness.ts';

/** What a target's result must be. */
export interface ExpectedTarget {
  readonly status: readonly TargetStatus[];
  /** A deployment that must have succeeded. */
  readonly deployed?: true;
}

/** `text`, cut to `max` characters. */
export function shorten(text: string | undefined, max = 400): string {
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Problems of executions that must all succeed, each target of each as `expected` (by bucket) says. */
export function relayProblems(
  executions: readonly Execution[],
  expected: ReadonlyMap<string, ExpectedTarget>,
): string[] {
  if (executions.length === 0) return ['no execution started'];
  const problems: string[] = [];
  for (const execution of executions) {
    if (execution.status !== 'SUCCEEDED') {
      problems.push(
        `execution ${execution.status}: ${execution.described.error ?? ''} ${shorten(execution.described.cause)}`,
      );
      continue;
    }
    const output = relayOutput(execution);
    for (const result of output.results) {
      const bucket = result.target.bucket;
      if (result.status === 'failed') {
        problems.push(`target ${bucket} failed: ${result.error} ${shorten(result.cause)}`);
        continue;
      }
      const wanted = expected.get(bucket);
      if (wanted === undefined) {
        problems.push(`unexpected target ${bucket} (${result.status})`);
        continue;
      }
      if (!wanted.status.includes(result.status)) {
        problems.push(`target ${bucket} is ${result.status}, expected ${wanted.status.join(' or ')}`);
      }
      const deployment = result.deployment;
      if (wanted.deployed === true && (deployment === undefined || deployment.status !== 'Succeeded')) {
        problems.push(`target ${bucket} was not deployed: ${JSON.stringify(deployment ?? null)}`);
      }
    }
    const missing = [...expected.keys()].filter(
      (bucket) => !output.results.some((r) => r.target.bucket === bucket),
    );
    if (missing.length > 0) problems.push(`no result for ${missing.join(', ')}`);
  }
  return problems;
}

/** Problems of one execution that must end with nothing to relay, for `reason`. */
export function nothingToRelayProblems(executions: readonly Execution[], reason: string): string[] {
  const [execution, ...more] = executions;
  if (execution === undefined || more.length > 0) return [`expected one execution, got ${executions.length}`];
  if (execution.status !== 'SUCCEEDED') {
    return [
      `execution ${execution.status}: ${execution.described.error ?? ''} ${shorten(execution.described.cause)}`,
    ];
  }
  const output = nothingToRelay(execution);
  return output.reason === reason
    ? []
    : [`nothing to relay for ${output.reason ?? 'no reason'}, expected ${reason}`];
}

/** Problems of executions that propagated a delete: each must succeed with `expected`'s status per target bucket. */
export function deleteProblems(
  executions: readonly Execution[],
  expected: ReadonlyMap<string, DeleteReplicaStatus>,
): string[] {
  if (executions.length === 0) return ['no delete execution started'];
  const problems: string[] = [];
  for (const execution of executions) {
    if (execution.status !== 'SUCCEEDED') {
      problems.push(
        `delete execution ${execution.status}: ${execution.described.error ?? ''} ${shorten(execution.described.cause)}`,
      );
      continue;
    }
    const parsed = deleteOutputSchema.safeParse(JSON.parse(execution.described.output ?? 'null'));
    if (!parsed.success) {
      problems.push(`the execution propagated no delete: ${shorten(execution.described.output)}`);
      continue;
    }
    for (const [bucket, status] of expected) {
      const result = parsed.data.results.find((r) => r.target.bucket === bucket);
      if (result?.status !== status) {
        problems.push(`delete at ${bucket} is ${result?.status ?? 'missing'}, expected ${status}`);
      }
    }
  }
  return problems;
}
