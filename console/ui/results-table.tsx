/** An execution's per-target results: where each replica went, how it was proven, deployed, or why it failed. */
import type { TargetRow } from '../api-types.ts';
import { formatBytes } from './format.ts';
import { StatusBadge } from './status-badge.tsx';

export function ResultsTable({
  targets,
  selected,
  onSelect,
}: {
  targets: readonly TargetRow[];
  /** The target whose path the state graph shows, if any. */
  selected: number | undefined;
  onSelect: (index: number | undefined) => void;
}) {
  if (targets.length === 0)
    return <p>No targets (nothing was relayed, or the targets are not resolved yet).</p>;
  return (
    <table aria-label="Per-target results">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Region</th>
          <th scope="col">Bucket / key</th>
          <th scope="col">Status</th>
          <th scope="col">Bytes</th>
          <th scope="col">Evidence</th>
          <th scope="col">Deployment</th>
          <th scope="col">Error</th>
          <th scope="col">Path</th>
        </tr>
      </thead>
      <tbody>
        {targets.map((t) => (
          <tr key={t.index} data-target={t.index + 1} class={selected === t.index ? 'selected' : undefined}>
            <td>{t.index + 1}</td>
            <td>{t.region ?? ''}</td>
            <td class="mono">{t.bucket === null ? t.label : `s3://${t.bucket}/${t.key ?? ''}`}</td>
            <td>
              <StatusBadge status={t.status} />
            </td>
            <td>{formatBytes(t.bytes)}</td>
            <td>{t.verifiedBy ?? ''}</td>
            <td>
              {t.deploymentStatus === null ? '' : `${t.deploymentId ?? ''} ${t.deploymentStatus}`.trim()}
            </td>
            <td class="bad">
              {t.error === null ? '' : t.error}
              {t.message === null || t.message === t.error ? null : <div class="cause">{t.message}</div>}
            </td>
            <td>
              <button
                type="button"
                aria-pressed={selected === t.index}
                aria-label={`Show the path of target ${t.index + 1}${t.region === null ? '' : ` (${t.region})`} in the state graph`}
                onClick={() => onSelect(selected === t.index ? undefined : t.index)}
              >
                {selected === t.index ? 'Showing' : 'Show path'}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
