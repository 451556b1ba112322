/** An execution as the CLI shows it: DescribeExecution, with its source object and parsed output. */
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseJson } from '../../core/executions/history-events.ts';
import { type RelayOutput, relayOutputSchema, resolveTargetsOutputSchema } from '../../core/workflow.ts';
import {
  type DeleteOutput,
  deleteOutputSchema,
  resolveDeleteOutputSchema,
} from '../../core/workflow-delete.ts';
import { type SourceRef, sourceOfInput } from './source.ts';

/** A successful execution's output: relayed to targets, a delete propagated, or nothing to do (and why). */
export type ParsedOutput =
  | { readonly kind: 'relayed'; readonly output: RelayOutput }
  | { readonly kind: 'deleted'; readonly output: DeleteOutput }
  | { readonly kind: 'nothing'; readonly reason: string; readonly detail?: string };

export interface ExecutionDetails {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount: number;
  readonly redriveStatus?: string;
  readonly redriveStatusReason?: string;
  readonly source?: SourceRef;
  readonly output?: ParsedOutput;
}

export function readOutput(text: string | undefined): ParsedOutput | undefined {
  const value = parseJson(text);
  const relayed = relayOutputSchema.safeParse(value);
  if (relayed.success) return { kind: 'relayed', output: relayed.data };
  const deleted = deleteOutputSchema.safeParse(value);
  if (deleted.success) return { kind: 'deleted', output: deleted.data };
  const noDelete = resolveDeleteOutputSchema.safeParse(value);
  if (noDelete.success && noDelete.data.targets.length === 0) {
    return {
      kind: 'nothing',
      reason: `delete: ${noDelete.data.reason ?? 'no-targets'}`,
      ...(noDelete.data.detail === undefined ? {} : { detail: noDelete.data.detail }),
    };
  }
  const nothing = resolveTargetsOutputSchema.safeParse(value);
  if (nothing.success && nothing.data.targets.length === 0) {
    return {
      kind: 'nothing',
      reason: nothing.data.reason ?? 'no-targets',
      ...(nothing.data.detail === undefined ? {} : { detail: nothing.data.detail }),
    };
  }
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export async function describeExecution(sfn: SFNClient, executionArn: string): Promise<ExecutionDetails> {
  const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const source = sourceOfInput(d.input);
  const output = readOutput(d.output);
  return {
    executionArn: d.executionArn ?? executionArn,
    stateMachineArn: d.stateMachineArn ?? '',
    name: d.name ?? executionArn.split(':').at(-1) ?? '',
    status: d.status ?? 'UNKNOWN',
    startDate: d.startDate ?? new Date(0),
    ...optional('stopDate', d.stopDate),
    ...optional('error', d.error),
    ...optional('cause', d.cause),
    redriveCount: d.redriveCount ?? 0,
    ...optional('redriveStatus', d.redriveStatus),
    ...optional('redriveStatusReason', d.redriveStatusReason),
    ...optional('source', source),
    ...optional('output', output),
  };
}
