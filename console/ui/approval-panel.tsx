/**
 * Approvals of deployment waves on the execution page (docs/waves.md): the Approval panel while the
 * execution waits for one — which wave, the targets it would deploy, the deadline, Approve with an
 * optional comment, Reject with a reason — and every request with who decided, when and why.
 *
 * A decision is recorded as the operator running the console (`user@host`, as `relay approve` without
 * `--as`); the panel says so before anyone decides.
 */
import { useState } from 'preact/hooks';
import {
  type ApprovalAnswerView,
  type ApprovalView,
  type ExecutionDetailView,
  MAX_COMMENT_CHARS,
} from '../api-types.ts';
import { approveWave, rejectWave } from './client.ts';
import { formatDuration, formatTime } from './format.ts';
import { StatusBadge } from './status-badge.tsx';

/** `in 59 min`, or `passed` — how long until a deadline, for people. */
function untilText(deadline: string, now = Date.now()): string {
  const ms = Date.parse(deadline) - now;
  if (Number.isNaN(ms)) return '';
  return ms <= 0 ? ' (passed)' : ` (in ${formatDuration(Math.round(ms / 1000) * 1000)})`;
}

/** What the page keeps of a decision made here: it hides the panel until the history shows it. */
export interface DecidedHere {
  readonly answer: ApprovalAnswerView;
  /** The request decided (its wave and when it was asked), to tell it from a later one (a redrive's). */
  readonly request: Pick<ApprovalView, 'wave' | 'requestedAt'>;
}

/** Whether `pending` is the request decided here (the history just does not show the decision yet). */
export function isDecidedHere(pending: ApprovalView | null, decided: DecidedHere | undefined): boolean {
  return (
    pending !== null &&
    decided !== undefined &&
    decided.request.wave === pending.wave &&
    decided.request.requestedAt === pending.requestedAt
  );
}

function PendingTargets({ view, pending }: { view: ExecutionDetailView; pending: ApprovalView }) {
  const targets = view.approvals.pendingTargets;
  if (targets.length === 0) {
    return <p class="dim">The history does not show which targets wave {pending.wave} would deploy.</p>;
  }
  return (
    <table aria-label={`Targets wave ${pending.wave} would deploy`}>
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Region</th>
          <th scope="col">Replica</th>
          <th scope="col">Deploys to</th>
        </tr>
      </thead>
      <tbody>
        {targets.map((t) => (
          <tr key={t.index} data-approval-target={t.index + 1}>
            <td>{t.index + 1}</td>
            <td>{t.region ?? ''}</td>
            <td class="mono">{t.location}</td>
            <td>
              {t.application === null
                ? ''
                : `${t.application} / ${t.deploymentGroup ?? ''} (CodeDeploy application / deployment group)`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The Approval panel: shown while the execution waits for a decision on a wave. */
export function ApprovalPanel({
  view,
  onDecided,
}: {
  view: ExecutionDetailView;
  onDecided: (decided: DecidedHere) => void;
}) {
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const pending = view.approvals.pending;
  if (pending === null || view.summary.status !== 'RUNNING') return null;
  const wave = pending.wave;
  const decide = async (decision: 'approve' | 'reject'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const arn = view.summary.executionArn;
      const answer =
        decision === 'approve' ? await approveWave(arn, wave, comment) : await rejectWave(arn, wave, reason);
      setComment('');
      setReason('');
      onDecided({ answer, request: { wave: pending.wave, requestedAt: pending.requestedAt } });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="approval" aria-labelledby="approval-heading" data-wave={wave}>
      <h2 id="approval-heading">Approval</h2>
      <p>
        Deployment wave {wave} waits for a decision
        {pending.requestedAt === null ? '' : `, asked ${formatTime(pending.requestedAt)}`}. Approve to deploy
        it; reject to hold it and every later wave — the execution then fails, and a redrive asks again.
      </p>
      <p data-fact="deadline">
        {pending.deadline === null
          ? 'The history does not show a deadline.'
          : `Deadline: ${formatTime(pending.deadline)}${untilText(pending.deadline)} — if nobody decides by then, the wave is held.`}
      </p>
      <PendingTargets view={view} pending={pending} />
      <p>
        Your decision is recorded as <strong data-fact="decides-as">{view.approvals.decidesAs}</strong>, the
        operator running this console.
      </p>
      <div class="approval-forms">
        <fieldset>
          <legend>Approve wave {wave}</legend>
          <label for="approval-comment">Comment (optional)</label>
          <textarea
            id="approval-comment"
            rows={2}
            maxLength={MAX_COMMENT_CHARS}
            value={comment}
            disabled={busy}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          <button type="button" class="primary" disabled={busy} onClick={() => void decide('approve')}>
            Approve wave {wave}
          </button>
        </fieldset>
        <fieldset>
          <legend>Reject wave {wave}</legend>
          <label for="rejection-reason">Reason (required)</label>
          <textarea
            id="rejection-reason"
            rows={2}
            required
            maxLength={MAX_COMMENT_CHARS}
            value={reason}
            disabled={busy}
            aria-describedby="rejection-hint"
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <button
            type="button"
            class="danger"
            disabled={busy || reason.trim() === ''}
            onClick={() => void decide('reject')}
          >
            Reject wave {wave}
          </button>
          <p id="rejection-hint" class="dim">
            Say why: the reason is recorded with the rejection.
          </p>
        </fieldset>
      </div>
      {error === undefined ? null : (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
    </section>
  );
}

function decisionText(answer: ApprovalAnswerView): string {
  const d = answer.decision;
  const verb = d.decision === 'approved' ? 'approved' : 'rejected';
  const next =
    d.decision === 'approved'
      ? `wave ${answer.wave} deploys now.`
      : `wave ${answer.wave} and later waves are held; the execution fails, and a redrive asks again.`;
  return `Wave ${answer.wave} ${verb} by ${d.by} at ${formatTime(d.at)}: ${next}`;
}

/** Every approval request of the execution: who decided, when, and the comment or reason. */
export function ApprovalHistory({
  view,
  decided,
}: {
  view: ExecutionDetailView;
  decided: DecidedHere | undefined;
}) {
  const requests = view.approvals.requests;
  if (requests.length === 0 && decided === undefined) return null;
  return (
    <section aria-labelledby="approvals-heading">
      <h2 id="approvals-heading">Approval history</h2>
      {decided === undefined ? null : <p role="status">{decisionText(decided.answer)}</p>}
      {requests.length === 0 ? null : (
        <table aria-label="Approval requests">
          <thead>
            <tr>
              <th scope="col">Wave</th>
              <th scope="col">Outcome</th>
              <th scope="col">By</th>
              <th scope="col">When</th>
              <th scope="col">Comment or reason</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r, i) => (
              <tr key={`${r.wave}@${r.requestedAt ?? i}`} data-approval={i + 1}>
                <td>{r.wave}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>{r.decision?.by ?? ''}</td>
                <td>
                  {r.decision !== null
                    ? formatTime(r.decision.at)
                    : r.requestedAt === null
                      ? ''
                      : `asked ${formatTime(r.requestedAt)}`}
                </td>
                <td>
                  {r.decision !== null ? (r.decision.comment ?? '') : r.status === 'pending' ? '' : r.summary}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
