/**
 * The executions list: newest first, one page at a time (older pages on demand), polled while any runs.
 * Filters, all applied by the server (console/server/list.ts says what each costs): status and start
 * time, and source key — which searches a page of executions per request, the page the list would show,
 * so older executions are searched only when asked ("Search older executions").
 */
import { useEffect, useState } from 'preact/hooks';
import type { ExecutionSummary } from '../api-types.ts';
import { listExecutions } from './client.ts';
import { ACTIVE_STATUSES, formatDuration, formatTime, POLL_MS, UNKNOWN } from './format.ts';
import { executionHref } from './routes.ts';
import { StatusBadge } from './status-badge.tsx';

const STATUSES = ['', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

/** A `datetime-local` value (the browser's time zone) as ISO 8601, or undefined when empty or invalid. */
function isoOf(local: string): string | undefined {
  if (local === '') return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** How long typing in the key filter waits before it asks the server. */
const KEY_DEBOUNCE_MS = 300;

function Targets({ counts }: { counts: ExecutionSummary['targets'] }) {
  if (counts === null) return <span class="dim">{UNKNOWN}</span>;
  return (
    <>
      <span class="ok">{counts.ok} ok</span>
      {counts.failed > 0 ? <span class="bad"> · {counts.failed} failed</span> : null}
      {counts.skipped > 0 ? <span class="dim"> · {counts.skipped} superseded</span> : null}
      {counts.pending > 0 ? <span class="dim"> · {counts.pending} pending</span> : null}
    </>
  );
}

function Row({ execution }: { execution: ExecutionSummary }) {
  return (
    <tr data-execution={execution.name}>
      <td>
        <StatusBadge status={execution.status} />
      </td>
      <td>
        <a href={executionHref(execution.executionArn)}>{execution.name}</a>
      </td>
      <td class="mono">
        {execution.source === null ? (
          <span class="dim">{UNKNOWN}</span>
        ) : (
          `s3://${execution.source.bucket}/${execution.source.key}`
        )}
      </td>
      <td>
        <Targets counts={execution.targets} />
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
  const [key, setKey] = useState('');
  const [rows, setRows] = useState<readonly ExecutionSummary[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [scanned, setScanned] = useState(0);
  // The key the rows shown were searched for (the field may already hold the next one).
  const [shownKey, setShownKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const timer = setTimeout(() => setKey(keyText.trim()), KEY_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [keyText]);

  const filters = { status, since: isoOf(since), until: isoOf(until) };
  useEffect(() => {
    let live = true;
    listExecutions({ status, since: isoOf(since), until: isoOf(until), key })
      .then((page) => {
        if (!live) return;
        setRows(page.executions);
        setNext(page.nextToken);
        setScanned(page.scanned);
        setShownKey(key);
        setError(undefined);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [status, since, until, key, tick]);

  const running = rows?.some((r) => ACTIVE_STATUSES.has(r.status)) ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [running, rows]);

  const more = async (): Promise<void> => {
    if (next === null) return;
    try {
      const page = await listExecutions({ ...filters, key: shownKey, next });
      setRows([...(rows ?? []), ...page.executions]);
      setNext(page.nextToken);
      setScanned(scanned + page.scanned);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  const timed = since !== '' || until !== '';
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
        The source key filter searches the executions a page at a time, newest first — their source object
        (s3://bucket/key) and their names — so that it never reads all of them: search older executions to go
        further back.
      </p>
      {error === undefined ? null : (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {rows === undefined ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <p role="status">
          {shownKey === ''
            ? `No executions${status === '' ? '' : ` with status ${status}`}${timed ? ' started in that time' : ''}${next === null ? '' : ' so far'}.`
            : `${scanned === 1 ? 'The one execution searched has no' : `None of the ${scanned} executions searched has a`} source key containing “${shownKey}”.`}
        </p>
      ) : (
        <>
          {shownKey === '' ? null : (
            <p role="status" class="dim">
              {rows.length} of the {scanned} executions searched match “{shownKey}”.
            </p>
          )}
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
        </>
      )}
      {next === null ? null : (
        <button type="button" onClick={() => void more()}>
          {shownKey === '' && !timed ? 'Older executions' : 'Search older executions'}
        </button>
      )}
    </section>
  );
}
