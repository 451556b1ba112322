/** What a status means, where its name alone does not say it (the badge's tooltip). */
const STATUS_HINTS: Readonly<Record<string, string>> = {
  'awaiting-approval': 'copied and verified; its deployment wave waits for a person to approve or reject it',
  held: 'copied and verified; its deployment wave was held (an earlier wave failed or was rejected) — redrive to continue',
  pending: 'waiting for a person to approve or reject',
  'timed-out': 'nobody decided in time',
};

/** An execution's, a target's or an approval's status, coloured. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge status-${status.toLowerCase().replace(/_/g, '-')}`} title={STATUS_HINTS[status]}>
      {status}
    </span>
  );
}
