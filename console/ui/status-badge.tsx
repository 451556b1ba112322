/** An execution's or a target's status, coloured. */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status.toLowerCase().replace(/_/g, '-')}`}>{status}</span>;
}
