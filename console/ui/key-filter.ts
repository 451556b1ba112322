/**
 * The executions list's filter by source key, over the executions already loaded (each row's source
 * object, from the DescribeExecution the list made anyway, and its name — a relay execution name
 * carries the key's last segment, core/naming.ts): it never describes another execution.
 */
import type { ExecutionSummary } from '../api-types.ts';

/** Whether a loaded execution's source object (s3://bucket/key) or name contains `text`, ignoring case. */
export function matchesKey(execution: ExecutionSummary, text: string): boolean {
  const wanted = text.trim().toLowerCase();
  if (wanted === '') return true;
  const source =
    execution.source === null ? '' : `s3://${execution.source.bucket}/${execution.source.key}`.toLowerCase();
  return source.includes(wanted) || execution.name.toLowerCase().includes(wanted);
}
