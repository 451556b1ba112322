/** `relay approve <execution>` and `relay reject <execution>`: decide a deployment wave's approval. */
import { hostname, userInfo } from 'node:os';
import { machineFor, withConnection } from '../aws/session.ts';
import type { MachineFlags } from '../common-options.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import { answerApproval } from '../executions/approval.ts';
import { findExecution } from '../executions/find.ts';
import { createOutput } from '../output/output.ts';

export interface ApproveFlags extends MachineFlags {
  readonly wave?: number;
  readonly comment?: string;
  readonly reason?: string;
  readonly as?: string;
}

/** Who decides when `--as` is not given: the user and machine running the command. */
export function defaultApprover(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container): keep $USER
  }
  return `${user}@${hostname()}`;
}

export async function runApprove(
  decision: 'approved' | 'rejected',
  ref: string,
  flags: ApproveFlags,
): Promise<void> {
  const comment = decision === 'approved' ? flags.comment : flags.reason;
  if (decision === 'rejected' && (comment === undefined || comment.trim() === '')) {
    throw new CliError('say why with --reason "<text>": it is recorded with the rejection', EXIT_CODES.usage);
  }
  const by = flags.as?.trim() || defaultApprover();
  const out = createOutput(flags);
  const outcome = await withConnection(flags, async (conn) => {
    const details = await findExecution(conn.sfn, ref, () => machineFor(flags, conn));
    const region = details.executionArn.split(':')[3] ?? '';
    return answerApproval(conn.sfn(region), details, { decision, by, comment, wave: flags.wave });
  });
  out.document(outcome);
  const verb = decision === 'approved' ? 'approved' : 'rejected';
  const next =
    decision === 'approved'
      ? `wave ${outcome.wave} deploys now — follow it with: relay show ${outcome.name}`
      : `wave ${outcome.wave} and later waves are held; the execution fails, and \`relay redrive ${outcome.name}\` asks again`;
  out.line(
    `${out.style.bold(outcome.name)}: wave ${outcome.wave} ${verb} by ${outcome.decision.by} at ${outcome.decision.at}${
      outcome.decision.comment === undefined ? '' : ` (${outcome.decision.comment})`
    }`,
  );
  out.line(next);
}
