/**
 * Finds the execution a person names: an execution ARN, a name, or the unique start of a name
 * among the state machine's latest 1,000 executions.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { executionArnOf, parseExecutionArn, type StateMachineRef } from '../aws/arn.ts';
import { CliError } from '../errors.ts';
import { describeExecution, type ExecutionDetails } from './describe.ts';
import { listExecutionItems } from './list.ts';

function isNotFound(err: unknown): boolean {
  return err instanceof Error && err.name === 'ExecutionDoesNotExist';
}

function notFound(what: string, where: string): CliError {
  return new CliError(`execution not found: ${what} in ${where} — run \`relay executions\` to list them`);
}

/** The execution's region, for an ARN (no lookup needed). */
export function regionOfExecutionArn(ref: string): string | undefined {
  return ref.startsWith('arn:') ? parseExecutionArn(ref)?.region : undefined;
}

export async function findExecution(
  sfnFor: (region: string) => SFNClient,
  ref: string,
  machine: () => Promise<StateMachineRef>,
): Promise<ExecutionDetails> {
  if (ref.startsWith('arn:')) {
    const parsed = parseExecutionArn(ref);
    if (parsed === undefined) {
      throw new CliError(
        `${ref} is not an execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)`,
      );
    }
    try {
      return await describeExecution(sfnFor(parsed.region), ref);
    } catch (err) {
      if (isNotFound(err)) throw notFound(parsed.name, parsed.stateMachineArn);
      throw err;
    }
  }
  const m = await machine();
  const sfn = sfnFor(m.region);
  try {
    return await describeExecution(sfn, executionArnOf(m, ref));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const { items } = await listExecutionItems(sfn, m.arn, { limit: 1000 });
  const matches = items.filter((item) => item.name?.startsWith(ref));
  if (matches.length === 1) return describeExecution(sfn, matches[0]!.executionArn ?? '');
  if (matches.length > 1) {
    throw new CliError(
      `${ref} matches ${matches.length} executions (${matches
        .slice(0, 3)
        .map((m) => m.name)
        .join(', ')}…) — give more of the name, or the ARN`,
    );
  }
  throw notFound(`no execution named ${ref}`, m.arn);
}
