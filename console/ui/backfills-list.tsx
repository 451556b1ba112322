/**
 * The backfills (`relay replay --distributed`): newest first, one page at a time, polled while any runs.
 * Per row what `relay backfill status` says — the work list's counts (listed, too old, no target, in sync,
 * queued) and the map run's items done / failed / total.
 */
import { useEffect, useState } from 'preact/hooks';
import type { BackfillSummary } from '../api-types.ts';
import { ApiError, listBackfills } from './client.ts';
import { ACTIVE_STATUSES, formatDuration, formatTime, POLL_MS } from './format.ts';
import { backfillHref } from './routes.ts';
import { StatusBadge } from './status-badge.tsx';

function WorkListCell({ backfill }: { backfill: BackfillSummary }) {
  const w = backfill.workList;
  if (w === null) return <span class="dim">not built yet</span>;
  return (
    <span>
      {w.listed} listed · {w.tooOld} too old · {w.noTarget} no target · {w.inSync} in sync ·{' '}
      <strong>{w.queued} queued</strong>
    </span>
  );
}

function ItemsCell({ backfill }: { backfill: BackfillSummary }) {
  const items = backfill.items;
  if (items === null) {
    return <span class="dim">{backfill.workList?.queued === 0 ? 'nothing to relay' : 'no map run yet'}</span>;
  }
  return (
    <span>
      {items.done}/{items.total} done
      {items.failed > 0 ? <span class="bad"> · {items.failed} failed</span> : null}
    </span>
  );
}

function durationOf(backfill: BackfillSummary): number | null {
  if (backfill.stopDate === null) return null;
  return new Date(backfill.stopDate).getTime() - new Date(backfill.startDate).getTime();
}

export function BackfillsList() {
  const [rows, setRows] = useState<readonly BackfillSummary[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | Error | undefined>(undefined);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    listBackfills()
      .then((page) => {
        if (!live) return;
        setRows(page.backfills);
        setNext(page.nextToken);
        setError(undefined);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err : new Error(String(err))));
    return () => {
      live = false;
    };
  }, [tick]);

  const running = rows?.some((r) => ACTIVE_STATUSES.has(r.status)) ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => setTick((n) => n + 1), POLL_MS);
    return () => clearTimeout(timer);
  }, [running, rows]);

  const more = async (): Promise<void> => {
    if (next === null) return;
    try {
      const page = await listBackfills(next);
      setRows([...(rows ?? []), ...page.backfills]);
      setNext(page.nextToken);
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  return (
    <section aria-labelledby="backfills-heading">
      <h1 id="backfills-heading">Backfills</h1>
      <p class="dim">
        Backfills relay the objects already in a source bucket on Step Functions' Distributed Map, one relay
        execution per object that needs it: <code>relay replay s3://bucket/prefix --distributed</code>.
      </p>
      <div class="toolbar">
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
        {running ? <span class="dim">updating every {POLL_MS / 1000} s</span> : null}
      </div>
      {error === undefined ? null : (
        <p role="alert" class={error instanceof ApiError && error.code === 'NoBackfill' ? 'dim' : 'bad'}>
          {error.message}
        </p>
      )}
      {rows === undefined ? (
        error === undefined ? (
          <p>Loading…</p>
        ) : null
      ) : rows.length === 0 ? (
        <p role="status">No backfills yet.</p>
      ) : (
        <table aria-label="Backfills">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Backfill</th>
              <th scope="col">Work list</th>
              <th scope="col">Items</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.executionArn} data-backfill={b.name}>
                <td>
                  <StatusBadge status={b.status} />
                </td>
                <td>
                  <a href={backfillHref(b.executionArn)}>{b.name}</a>
                </td>
                <td>
                  <WorkListCell backfill={b} />
                </td>
                <td>
                  <ItemsCell backfill={b} />
                </td>
                <td>{formatTime(b.startDate)}</td>
                <td>{formatDuration(durationOf(b))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next === null ? null : (
        <button type="button" onClick={() => void more()}>
          Older backfills
        </button>
      )}
    </section>
  );
}
