/** The executions list: newest first, filter by status, older pages on demand; polled while any runs. */
import { useEffect, useState } from 'preact/hooks';
import type { ExecutionSummary } from '../api-types.ts';
import { listExecutions } from './client.ts';
import { ACTIVE_STATUSES, formatDuration, formatTime, POLL_MS } from './format.ts';
import { executionHref } from './routes.ts';
import { StatusBadge } from './status-badge.tsx';

const STATUSES = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

function Row({ execution }: { execution: ExecutionSummary }) {
  const t = execution.targets;
  return (
    <tr data-execution={execution.name}>
      <td>
        <StatusBadge status={execution.status} />
      </td>
      <td>
        <a href={executionHref(execution.executionArn)}>{execution.name}</a>
      </td>
      <td class="mono">
        {execution.source === null
          ? '(unknown input)'
          : `s3://${execution.source.bucket}/${execution.source.key}`}
      </td>
      <td>
        <span class="ok">{t.ok} ok</span>
        {t.failed > 0 ? <span class="bad"> · {t.failed} failed</span> : null}
        {t.skipped > 0 ? <span class="dim"> · {t.skipped} superseded</span> : null}
        {t.pending > 0 ? <span class="dim"> · {t.pending} pending</span> : null}
      </td>
      <td>{formatTime(execution.startDate)}</td>
      <td>{formatDuration(execution.durationMs)}</td>
      <td>{execution.redriveCount}</td>
    </tr>
  );
}

export function ExecutionsList() {
  const [status, setStatus] = useState('');
  const [rows, setRows] = useState<readonly ExecutionSummary[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    listExecutions({ status })
      .then((page) => {
        if (!live) return;
        setRows(page.executions);
        setNext(page.nextToken);
        setError(undefined);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [status, tick]);

  const running = rows?.some((r) => ACTIVE_STATUSES.has(r.status)) ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [running, rows]);

  const more = async (): Promise<void> => {
    if (next === null) return;
    const page = await listExecutions({ status, next });
    setRows([...(rows ?? []), ...page.executions]);
    setNext(page.nextToken);
  };

  return (
    <section aria-labelledby="executions-heading">
      <h1 id="executions-heading">Executions</h1>
      <div class="toolbar">
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={status}
          onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}
        >
          {STATUSES.map((s) => (
            <option value={s} key={s}>
              {s === '' ? 'all' : s}
            </option>
          ))}
        </select>
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
        {running ? <span class="dim">updating every {POLL_MS / 1000} s</span> : null}
      </div>
      {error === undefined ? null : (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {rows === undefined ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <p>No executions{status === '' ? '' : ` with status ${status}`}.</p>
      ) : (
        <table aria-label="Executions">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Execution</th>
              <th scope="col">Source object</th>
              <th scope="col">Targets</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Redrives</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <Row execution={r} key={r.executionArn} />
            ))}
          </tbody>
        </table>
      )}
      {next === null ? null : (
        <button type="button" onClick={() => void more()}>
          Older executions
        </button>
      )}
    </section>
  );
}
