/** `relay executions`. */
import { machineFor, withConnection } from '../aws/session.ts';
import type { MachineFlags } from '../common-options.ts';
import { listExecutions } from '../executions/list.ts';
import type { ExecutionStatusFilter } from '../options.ts';
import { createOutput } from '../output/output.ts';
import { executionRowJson, renderExecutionsTable } from '../render/executions.ts';

export interface ExecutionsFlags extends MachineFlags {
  readonly status?: ExecutionStatusFilter;
  readonly since?: Date;
  readonly limit: number;
}

export async function runExecutions(flags: ExecutionsFlags): Promise<void> {
  const out = createOutput(flags);
  await withConnection(flags, async (conn) => {
    const machine = await machineFor(flags, conn);
    const { rows, more } = await listExecutions(conn.sfn(machine.region), machine.arn, flags);
    out.document({ stateMachineArn: machine.arn, executions: rows.map(executionRowJson), more });
    if (rows.length === 0) {
      const status = flags.status === undefined ? '' : ` with status ${flags.status}`;
      const since = flags.since === undefined ? '' : ` since ${flags.since.toISOString()}`;
      out.line(`No executions of ${machine.arn}${status}${since}.`);
      return;
    }
    out.line(renderExecutionsTable(rows, out.style));
    if (more)
      out.line(out.style.dim(`(the latest ${flags.limit} are shown: --limit N or --since shows others)`));
  });
}
