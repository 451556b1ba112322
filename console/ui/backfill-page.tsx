/**
 * One backfill: its request, its work list's counts, its map run — status, MaxConcurrency, the tolerated
 * failure share, item and execution counts, a progress bar, where the results are written — the failed
 * items, and the map run's child executions, each linking to the relay execution it started (which opens in
 * the execution page). Redrive… on a failed backfill redrives its map run: the failed items run again.
 * Read again every few seconds while it runs.
 */
import { useEffect, useState } from 'preact/hooks';
import type {
  BackfillDetailView,
  FailedItemsView,
  MapRunChildView,
  MapRunCountsView,
  MapRunView,
} from '../api-types.ts';
import { getBackfill, listMapRunChildren, redriveExecution } from './client.ts';
import { Confirmed } from './execution-actions.tsx';
import { ACTIVE_STATUSES, formatBytes, formatDuration, formatTime, POLL_MS } from './format.ts';
import { executionHref } from './routes.ts';
import { StatusBadge } from './status-badge.tsx';

/** The statuses a child list can be filtered by (ListExecutions' statusFilter; PENDING_REDRIVE for map runs). */
const CHILD_STATUSES = [
  '',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;

/** The last part of an ARN (a map run's id, an execution's name). */
function lastPart(arn: string): string {
  return arn.split(':').at(-1) ?? arn;
}

function percent(part: number, total: number): number {
  return total <= 0 ? 0 : Math.min(100, (part / total) * 100);
}

/** Items done (any way) of the total, drawn succeeded / failed / running. */
function ProgressBar({ items }: { items: MapRunCountsView }) {
  const failed = items.failed + items.timedOut + items.aborted;
  const done = items.succeeded + failed;
  const text = `${done} of ${items.total} items done: ${items.succeeded} succeeded, ${failed} failed, ${items.running} running, ${items.pending} pending`;
  return (
    <div class="progress-wrap">
      <div
        class="progress"
        role="progressbar"
        aria-label="Items done"
        aria-valuemin={0}
        aria-valuemax={items.total}
        aria-valuenow={done}
        aria-valuetext={text}
      >
        <span class="progress-ok" style={{ width: `${percent(items.succeeded, items.total)}%` }} />
        <span class="progress-bad" style={{ width: `${percent(failed, items.total)}%` }} />
        <span class="progress-running" style={{ width: `${percent(items.running, items.total)}%` }} />
      </div>
      <span class="dim">
        {done}/{items.total} ({Math.floor(percent(done, items.total))}%)
      </span>
    </div>
  );
}

function CountsRow({ label, counts }: { label: string; counts: MapRunCountsView }) {
  return (
    <tr data-counts={label.toLowerCase()}>
      <th scope="row">{label}</th>
      <td>{counts.pending}</td>
      <td>{counts.running}</td>
      <td class={counts.succeeded > 0 ? 'ok' : undefined}>{counts.succeeded}</td>
      <td class={counts.failed > 0 ? 'bad' : undefined}>{counts.failed}</td>
      <td class={counts.timedOut > 0 ? 'bad' : undefined}>{counts.timedOut}</td>
      <td class={counts.aborted > 0 ? 'bad' : undefined}>{counts.aborted}</td>
      <td>{counts.total}</td>
    </tr>
  );
}

function toleratedText(run: MapRunView): string {
  const parts = [`${run.toleratedFailurePercentage}%`];
  if (run.toleratedFailureCount > 0) parts.push(`or ${run.toleratedFailureCount} items`);
  return parts.join(' ');
}

function MapRunSection({ run }: { run: MapRunView }) {
  const results = run.results;
  return (
    <section
      class="map-run"
      data-map-run={lastPart(run.mapRunArn)}
      aria-label={`Map run ${lastPart(run.mapRunArn)}`}
    >
      <h3>
        <span class="mono">{lastPart(run.mapRunArn)}</span> <StatusBadge status={run.status} />
      </h3>
      <ProgressBar items={run.items} />
      <dl class="facts">
        <dt>Started</dt>
        <dd>
          {run.startDate === null ? '' : formatTime(run.startDate)}
          {run.stopDate === null || run.startDate === null
            ? ', running'
            : `, ran ${formatDuration(new Date(run.stopDate).getTime() - new Date(run.startDate).getTime())}`}
        </dd>
        <dt>Max concurrency</dt>
        <dd data-fact="max-concurrency">{run.maxConcurrency === 0 ? 'unlimited' : run.maxConcurrency}</dd>
        <dt>Tolerated failures</dt>
        <dd data-fact="tolerated">{toleratedText(run)}</dd>
        <dt>Redrives</dt>
        <dd>
          {run.redriveCount}
          {run.redriveDate === null ? '' : ` (last ${formatTime(run.redriveDate)})`}
        </dd>
        <dt>Results</dt>
        <dd data-fact="results" class="mono">
          {results === null ? (
            <span class="dim">unknown (no work list read)</span>
          ) : (
            <>
              {results.manifestUrl}{' '}
              <span class={results.error === null ? 'dim' : 'bad'}>
                {results.error !== null
                  ? `(cannot be read: ${results.error})`
                  : results.written === null
                    ? '(written when the map run ends)'
                    : results.written
                      ? '(written)'
                      : '(not written)'}
              </span>
            </>
          )}
        </dd>
        <dt>ARN</dt>
        <dd class="mono">{run.mapRunArn}</dd>
      </dl>
      <table aria-label="Map run counts" class="counts">
        <thead>
          <tr>
            <th scope="col" />
            <th scope="col">Pending</th>
            <th scope="col">Running</th>
            <th scope="col">Succeeded</th>
            <th scope="col">Failed</th>
            <th scope="col">Timed out</th>
            <th scope="col">Aborted</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          <CountsRow label="Items" counts={run.items} />
          <CountsRow label="Executions" counts={run.executions} />
        </tbody>
      </table>
    </section>
  );
}

function ObjectCell({ child }: { child: MapRunChildView }) {
  const o = child.object;
  if (o === null) return <span class="dim">unknown</span>;
  return (
    <span class="mono">
      s3://{o.bucket}/{o.key}
      {o.versionId === null ? '' : ` (version ${o.versionId})`}
    </span>
  );
}

function RelayCell({ child }: { child: MapRunChildView }) {
  if (child.relayExecutionArn === null) {
    return <span class="dim">{child.status === 'RUNNING' ? 'starting…' : 'none'}</span>;
  }
  return (
    <>
      <a
        href={executionHref(child.relayExecutionArn)}
        data-relay-execution={child.relayExecutionArn}
        aria-label={`Relay execution ${lastPart(child.relayExecutionArn)}`}
      >
        {lastPart(child.relayExecutionArn)}
      </a>{' '}
      {child.relayStatus === null ? null : <StatusBadge status={child.relayStatus} />}
    </>
  );
}

function ErrorCell({ child }: { child: MapRunChildView }) {
  if (child.error === null && child.message === null) return null;
  return (
    <span class="bad">
      {child.error ?? ''}
      {child.message === null ? '' : `${child.error === null ? '' : ': '}${child.message}`}
    </span>
  );
}

function FailedItems({ failed }: { failed: FailedItemsView }) {
  const [items, setItems] = useState(failed.items);
  const [next, setNext] = useState(failed.nextToken);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    setItems(failed.items);
    setNext(failed.nextToken);
  }, [failed]);
  if (failed.from === 'none') return <p class="dim">No map run yet.</p>;
  const more = async (): Promise<void> => {
    if (next === null || failed.mapRunArn === null) return;
    try {
      const page = await listMapRunChildren(failed.mapRunArn, { status: 'FAILED', next });
      setItems([...items, ...page.children]);
      setNext(page.nextToken);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <>
      <p class="dim" data-failed-from={failed.from}>
        {failed.from === 'results'
          ? `From the results the map run wrote (${failed.files.length === 0 ? 'no FAILED file' : failed.files.join(', ')})${failed.total !== null && failed.total > items.length ? `: the first ${items.length} of ${failed.total}` : ''}.`
          : `From the map run's failed child executions${failed.files.length === 0 ? '' : ` (the result files are too large to read here: ${failed.files.join(', ')})`}.`}
      </p>
      {error === undefined ? null : (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {items.length === 0 ? (
        <p role="status">No failed items.</p>
      ) : (
        <table aria-label="Failed items">
          <thead>
            <tr>
              <th scope="col">Object</th>
              <th scope="col">Status</th>
              <th scope="col">Relay execution</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {items.map((child, i) => (
              <tr key={child.executionArn ?? `${i}`} data-failed-item={child.object?.key ?? child.name}>
                <td>
                  <ObjectCell child={child} />
                </td>
                <td>
                  <StatusBadge status={child.status} />
                </td>
                <td>
                  <RelayCell child={child} />
                </td>
                <td>
                  <ErrorCell child={child} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next === null ? null : (
        <button type="button" onClick={() => void more()}>
          More failed items
        </button>
      )}
    </>
  );
}

/** The map run's child executions, a page at a time, filtered by status; the first page read again on `tick`. */
function ChildExecutions({ mapRunArn, tick }: { mapRunArn: string; tick: number }) {
  const [status, setStatus] = useState('');
  const [rows, setRows] = useState<readonly MapRunChildView[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    listMapRunChildren(mapRunArn, { status })
      .then((page) => {
        if (!live) return;
        setRows(page.children);
        setNext(page.nextToken);
        setError(undefined);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [mapRunArn, status, tick]);
  const more = async (): Promise<void> => {
    if (next === null) return;
    try {
      const page = await listMapRunChildren(mapRunArn, { status, next });
      setRows([...(rows ?? []), ...page.children]);
      setNext(page.nextToken);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const selectId = `child-status-${lastPart(mapRunArn)}`;
  return (
    <>
      <div class="toolbar">
        <label for={selectId}>Child status</label>
        <select
          id={selectId}
          value={status}
          onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value)}
        >
          {CHILD_STATUSES.map((s) => (
            <option value={s} key={s}>
              {s === '' ? 'all' : s}
            </option>
          ))}
        </select>
      </div>
      {error === undefined ? null : (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {rows === undefined ? (
        <p>Loading…</p>
      ) : rows.length === 0 ? (
        <p role="status">No child executions{status === '' ? '' : ` with status ${status}`}.</p>
      ) : (
        <table aria-label="Child executions">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Child execution</th>
              <th scope="col">Object</th>
              <th scope="col">Relay execution</th>
              <th scope="col">Started</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((child) => (
              <tr key={child.executionArn ?? child.name} data-child={child.name}>
                <td>
                  <StatusBadge status={child.status} />
                </td>
                <td class="mono">
                  {child.executionArn === null ? (
                    child.name
                  ) : (
                    <a href={executionHref(child.executionArn)} aria-label={`Child execution ${child.name}`}>
                      {child.name.slice(0, 8)}…
                    </a>
                  )}
                </td>
                <td>
                  <ObjectCell child={child} />
                </td>
                <td>
                  <RelayCell child={child} />
                </td>
                <td>{child.startDate === null ? '' : formatTime(child.startDate)}</td>
                <td>
                  <ErrorCell child={child} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next === null ? null : (
        <button type="button" onClick={() => void more()}>
          More child executions
        </button>
      )}
    </>
  );
}

/** The request's source and settings, as far as they read. */
function requestFacts(request: unknown): { source: string | null; settings: string | null } {
  if (typeof request !== 'object' || request === null) return { source: null, settings: null };
  const r = request as Record<string, unknown>;
  const src = r.source as { bucket?: unknown; prefix?: unknown } | undefined;
  const source =
    typeof src?.bucket === 'string'
      ? `s3://${src.bucket}/${typeof src.prefix === 'string' ? src.prefix : ''}`
      : null;
  const parts: string[] = [];
  if (typeof r.since === 'string') parts.push(`since ${r.since}`);
  if (Array.isArray(r.targets)) parts.push(`targets ${r.targets.join(', ')}`);
  parts.push(r.deploy === true ? 'deploys' : 'relays and verifies only (no deploy)');
  return { source, settings: parts.join('; ') };
}

export function BackfillPage({ arn }: { arn: string }) {
  const [view, setView] = useState<BackfillDetailView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  // After a redrive: read again soon until it runs (or its redrive count grew). Holds the count before.
  const [watching, setWatching] = useState<number | undefined>(undefined);

  useEffect(() => {
    let live = true;
    getBackfill(arn)
      .then((v) => {
        if (!live) return;
        setView(v);
        setError(undefined);
        setWatching((before) =>
          before === undefined || ACTIVE_STATUSES.has(v.summary.status) || v.redriveCount > before
            ? undefined
            : before,
        );
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [arn, tick]);

  const active =
    view !== undefined &&
    (ACTIVE_STATUSES.has(view.summary.status) ||
      view.mapRuns.some((r) => r.status === 'RUNNING') ||
      watching !== undefined);
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(() => setTick((n) => n + 1), watching === undefined ? POLL_MS : 500);
    return () => clearTimeout(timer);
  }, [active, view, watching]);

  if (error !== undefined)
    return (
      <p role="alert" class="bad">
        {error}
      </p>
    );
  if (view === undefined) return <p>Loading…</p>;
  const s = view.summary;
  const w = view.workList;
  const { source, settings } = requestFacts(view.request);
  const latest = view.mapRuns[0];
  return (
    <article aria-labelledby="backfill-heading">
      <p>
        <a href="#/backfills">← Backfills</a>
      </p>
      <h1 id="backfill-heading">
        {s.name} <StatusBadge status={s.status} />
      </h1>
      <dl class="facts">
        <dt>Source</dt>
        <dd class="mono">{source ?? <span class="dim">unknown</span>}</dd>
        <dt>Request</dt>
        <dd>{settings ?? <span class="dim">unknown</span>}</dd>
        <dt>Started</dt>
        <dd>
          {formatTime(s.startDate)},{' '}
          {s.stopDate === null
            ? 'running'
            : `ran ${formatDuration(new Date(s.stopDate).getTime() - new Date(s.startDate).getTime())}`}
        </dd>
        <dt>Redrives</dt>
        <dd>{view.redriveCount}</dd>
        <dt>ARN</dt>
        <dd class="mono">
          {s.executionArn}{' '}
          <a href={executionHref(s.executionArn)} aria-label="This backfill's state graph and history">
            State graph and history
          </a>
        </dd>
        {view.error === null ? null : (
          <>
            <dt>Error</dt>
            <dd class="bad">
              {view.error}
              {view.message === null ? '' : `: ${view.message}`}
            </dd>
          </>
        )}
      </dl>
      <div class="toolbar">
        <Confirmed
          offered={view.notRedrivable === null}
          label="Redrive this backfill: its map run runs the failed items again"
          text="Redrive…"
          question="Redrive this backfill? Its map run runs the failed items again; items that succeeded are kept."
          confirmText="Redrive now"
          act={async () => {
            const answer = await redriveExecution(s.executionArn);
            setWatching(view.redriveCount);
            setTick((n) => n + 1);
            return answer.action === 'redriven' ? 'Redrive started.' : `Not redriven: ${answer.reason ?? ''}`;
          }}
        />
      </div>
      <h2>Work list</h2>
      {w === null ? (
        <p class="dim">BuildWorkList has not answered yet.</p>
      ) : (
        <dl class="facts" data-work-list>
          <dt>Listed</dt>
          <dd data-count="listed">{w.counts.listed}</dd>
          <dt>Too old</dt>
          <dd data-count="too-old">{w.counts.tooOld}</dd>
          <dt>No target</dt>
          <dd data-count="no-target">{w.counts.noTarget}</dd>
          <dt>In sync</dt>
          <dd data-count="in-sync">{w.counts.inSync}</dd>
          <dt>Queued</dt>
          <dd data-count="queued">
            {w.counts.queued} ({formatBytes(w.counts.queuedBytes)})
          </dd>
          <dt>List</dt>
          <dd class="mono">
            {w.done && w.items === 0
              ? 'none: nothing needs relaying, so no relay execution was started'
              : `${w.location}${w.done ? '' : ' (still listing)'}`}
          </dd>
        </dl>
      )}
      <h2>{view.mapRuns.length > 1 ? 'Map runs' : 'Map run'}</h2>
      {view.mapRuns.length === 0 ? (
        <p class="dim">
          {w?.done === true && w.items === 0 ? 'None: the work list is empty.' : 'Not started yet.'}
        </p>
      ) : (
        view.mapRuns.map((run) => <MapRunSection run={run} key={run.mapRunArn} />)
      )}
      <h2>Failed items</h2>
      <FailedItems failed={view.failed} />
      {latest === undefined ? null : (
        <>
          <h2>Child executions</h2>
          <p class="dim">
            Each child relays one object with a relay execution of its own; its link opens that execution.
          </p>
          <ChildExecutions mapRunArn={latest.mapRunArn} tick={tick} />
        </>
      )}
    </article>
  );
}
