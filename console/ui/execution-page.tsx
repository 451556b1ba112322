/** One execution: what it relayed, the state graph, per-target results, input/output, history, Redrive. */
import { useEffect, useState } from 'preact/hooks';
import type { ExecutionDetailView } from '../api-types.ts';
import { getExecution, redriveExecution } from './client.ts';
import { EventHistory } from './event-history.tsx';
import { ACTIVE_STATUSES, formatDuration, formatTime, POLL_MS } from './format.ts';
import { ResultsTable } from './results-table.tsx';
import { StateGraph } from './state-graph.tsx';
import { StatusBadge } from './status-badge.tsx';

function RedriveControl({ view, onRedriven }: { view: ExecutionDetailView; onRedriven: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  if (view.notRedrivable !== null) return null;
  const go = async (): Promise<void> => {
    setConfirming(false);
    try {
      const answer = await redriveExecution(view.summary.executionArn);
      setMessage(answer.action === 'redriven' ? 'Redrive started.' : `Not redriven: ${answer.reason ?? ''}`);
      onRedriven();
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div class="actions">
      {confirming ? (
        <fieldset>
          <legend>Run this execution's failed targets again?</legend>
          <button type="button" class="primary" onClick={() => void go()}>
            Redrive now
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </fieldset>
      ) : (
        <button type="button" class="primary" onClick={() => setConfirming(true)}>
          Redrive…
        </button>
      )}
      {message === undefined ? null : <p role="status">{message}</p>}
    </div>
  );
}

export function ExecutionPage({ arn }: { arn: string }) {
  const [view, setView] = useState<ExecutionDetailView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  // After a redrive the status may read FAILED for a moment: keep reading until it moves.
  const [watching, setWatching] = useState(false);

  useEffect(() => {
    let live = true;
    getExecution(arn)
      .then((v) => {
        if (!live) return;
        setView(v);
        setError(undefined);
        if (ACTIVE_STATUSES.has(v.summary.status)) setWatching(false);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [arn, tick]);

  const active = view !== undefined && (ACTIVE_STATUSES.has(view.summary.status) || watching);
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(() => setTick((n) => n + 1), watching ? 500 : POLL_MS);
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
  return (
    <article aria-labelledby="execution-heading">
      <p>
        <a href="#/">← Executions</a>
      </p>
      <h1 id="execution-heading">
        {s.name} <StatusBadge status={s.status} />
      </h1>
      <dl class="facts">
        <dt>Source</dt>
        <dd class="mono">
          {s.source === null ? '(unknown input)' : `s3://${s.source.bucket}/${s.source.key}`}
          {s.source?.versionId === undefined ? '' : ` (version ${s.source.versionId})`}
        </dd>
        <dt>Started</dt>
        <dd>
          {formatTime(s.startDate)}, {s.stopDate === null ? 'running' : `ran ${formatDuration(s.durationMs)}`}
        </dd>
        <dt>Redrives</dt>
        <dd>{s.redriveCount}</dd>
        <dt>ARN</dt>
        <dd class="mono">{s.executionArn}</dd>
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
      <RedriveControl view={view} onRedriven={() => setWatching(true)} />
      <h2>Targets</h2>
      <ResultsTable targets={view.targets} />
      <h2>State graph</h2>
      <StateGraph definition={view.definition} events={view.events} status={s.status} />
      <h2>Input and output</h2>
      <details>
        <summary>Input</summary>
        <pre>{JSON.stringify(view.input, null, 2)}</pre>
      </details>
      <details>
        <summary>Output</summary>
        <pre>{view.output === null ? '(none yet)' : JSON.stringify(view.output, null, 2)}</pre>
      </details>
      <h2>History</h2>
      <EventHistory events={view.events} />
    </article>
  );
}
