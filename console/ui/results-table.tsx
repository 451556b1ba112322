/**
 * An execution's per-target results: where each replica went, how it was proven, deployed, or why it
 * failed. A target whose outcome cannot be read shows "unknown" in each cell it cannot fill, and an
 * output of a shape the console does not read, naming no target it can read, is one row of unknowns.
 */
import type { ExecutionDetailView, TargetRow } from '../api-types.ts';
import { formatBytes, UNKNOWN } from './format.ts';
import { StatusBadge } from './status-badge.tsx';

/** A cell's text: the value, else (on a row whose outcome is unknown) "unknown", else nothing. */
function shown(value: string | null, unknownRow: boolean): string {
  return value ?? (unknownRow ? UNKNOWN : '');
}

function UnknownTargets() {
  return (
    <table aria-label="Per-target results">
      <caption class="dim">The output is of a shape this console does not read.</caption>
      <thead>
        <tr>
          <th scope="col">Targets</th>
          <th scope="col">Status</th>
          <th scope="col">Bytes</th>
          <th scope="col">Evidence</th>
          <th scope="col">Deployment</th>
        </tr>
      </thead>
      <tbody>
        <tr data-target="unknown">
          <td>{UNKNOWN}</td>
          <td>
            <StatusBadge status={UNKNOWN} />
          </td>
          <td>{UNKNOWN}</td>
          <td>{UNKNOWN}</td>
          <td>{UNKNOWN}</td>
        </tr>
      </tbody>
    </table>
  );
}

export function ResultsTable({
  targets,
  outputShape,
  selected,
  onSelect,
}: {
  targets: readonly TargetRow[];
  outputShape: ExecutionDetailView['outputShape'];
  /** The target whose path the state graph shows, if any. */
  selected: number | undefined;
  onSelect: (index: number | undefined) => void;
}) {
  if (targets.length === 0 && outputShape === 'unknown') return <UnknownTargets />;
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
          <th scope="col">Error or note</th>
          <th scope="col">Path</th>
        </tr>
      </thead>
      <tbody>
        {targets.map((t) => {
          const unknown = t.status === UNKNOWN;
          return (
            <tr key={t.index} data-target={t.index + 1} class={selected === t.index ? 'selected' : undefined}>
              <td>{t.index + 1}</td>
              <td>{shown(t.region, unknown)}</td>
              <td class="mono">{t.bucket === null ? t.label : `s3://${t.bucket}/${t.key ?? ''}`}</td>
              <td>
                <StatusBadge status={t.status} />
                {t.wave === null ? null : <span class="wave">deploys in wave {t.wave}</span>}
              </td>
              <td>{t.bytes === null ? shown(null, unknown) : formatBytes(t.bytes)}</td>
              <td>{shown(t.verifiedBy, unknown)}</td>
              <td>
                {t.deploymentStatus === null
                  ? shown(null, unknown)
                  : `${t.deploymentId ?? ''} ${t.deploymentStatus}`.trim()}
              </td>
              <td class={t.error === null ? undefined : 'bad'}>
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
          );
        })}
      </tbody>
    </table>
  );
}
