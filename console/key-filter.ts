/**
 * The executions list's filter by source key: whether an execution the list describes anyway (to show
 * its row) relays an object whose `s3://bucket/key` contains the text, or whose name does (`relay replay`
 * names an execution after the key's last segment, core/naming.ts). It reads nothing itself.
 */
import type { ExecutionSummary } from './api-types.ts';

/** Whether an execution's source object (s3://bucket/key) or name contains `text`, ignoring case. */
export function matchesKey(execution: Pick<ExecutionSummary, 'name' | 'source'>, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return true;
  const source =
    execution.source === null ? '' : `s3://${execution.source.bucket}/${execution.source.key}`.toLowerCase();
  return source.includes(wanted) || execution.name.toLowerCase().includes(wanted);
}
