/**
 * The executions list: newest first, older pages on demand, polled while any runs. Filters: status and
 * start time (the server asks ListExecutions and describes only what matches), and source key — over
 * the executions already loaded (their source object and name), never one DescribeExecution more.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ExecutionSummary } from '../api-types.ts';
import { listExecutions } from './client.ts';
import { ACTIVE_STATUSES, formatDuration, formatTime, POLL_MS } from './format.ts';
import { matchesKey } from './key-filter.ts';
import { executionHref } from './routes.ts';
import { StatusBadge } from './status-badge.tsx';

const STATUSES = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

/** A `datetime-local` value (the browser's time zone) as ISO 8601, or undefined when empty or invalid. */
function isoOf(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

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
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [keyText, setKeyText] = useState('');
  const [rows, setRows] = useState<readonly ExecutionSummary[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    listExecutions({ status, since: isoOf(since), until: isoOf(until) })
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
  }, [status, since, until, tick]);

  const shown = (rows ?? []).filter((r) => matchesKey(r, keyText));
  const running = rows?.some((r) => ACTIVE_STATUSES.has(r.status)) ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [running, rows]);

  const more = async (): Promise<void> => {
    if (next === null) return;
    const page = await listExecutions({ status, next, since: isoOf(since), until: isoOf(until) });
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
        <label for="since-filter">Started after</label>
        <input
          id="since-filter"
          type="datetime-local"
          value={since}
          onChange={(e) => setSince((e.currentTarget as HTMLInputElement).value)}
        />
        <label for="until-filter">Started before</label>
        <input
          id="until-filter"
          type="datetime-local"
          value={until}
          onChange={(e) => setUntil((e.currentTarget as HTMLInputElement).value)}
        />
        <label for="key-filter">Source key contains</label>
        <input
          id="key-filter"
          type="search"
          aria-describedby="key-filter-help"
          value={keyText}
          onInput={(e) => setKeyText((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
        {running ? <span class="dim">updating every {POLL_MS / 1000} s</span> : null}
      </div>
      <p id="key-filter-help" class="dim">
        The source key filter searches the executions loaded below — their source object (s3://bucket/key) and
        their names, which carry the key's last segment — not all executions: load older executions to search
        further.
      </p>
      {error === undefined ? null : (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {rows === undefined ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <p>
          No executions{status === '' ? '' : ` with status ${status}`}
          {since === '' && until === '' ? '' : ' started in that time'}.
        </p>
      ) : shown.length === 0 ? (
        <p>
          None of the {rows.length} executions loaded has a source key containing “{keyText.trim()}”.
        </p>
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
            {shown.map((r) => (
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
