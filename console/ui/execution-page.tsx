/**
 * One execution: what it relayed, the approval it waits for, the state graph, per-target results,
 * approvals, input/output, history, Redrive.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ExecutionDetailView } from '../api-types.ts';
import { ApprovalHistory, ApprovalPanel, type DecidedHere, isDecidedHere } from './approval-panel.tsx';
import { getExecution, redriveExecution } from './client.ts';
import { EventHistory } from './event-history.tsx';
import { RelayAgainControl, StopControl } from './execution-actions.tsx';
import { ACTIVE_STATUSES, formatDuration, formatTime, POLL_MS, UNKNOWN } from './format.ts';
import { ResultsTable } from './results-table.tsx';
import { backfillHref, replicasHref } from './routes.ts';
import { StateGraph } from './state-graph.tsx';
import { StatusBadge } from './status-badge.tsx';
import { TargetPath } from './target-path.tsx';

function RedriveControl({
  view,
  onRedriven,
}: {
  view: ExecutionDetailView;
  onRedriven: (redrivesBefore: number) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<string | undefined>(undefined);
  const confirm = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  // The question takes the focus, so the keyboard goes on where the button it replaced was; cancelled,
  // the focus returns to the button.
  useEffect(() => {
    if (confirming) {
      asked.current = true;
      confirm.current?.focus();
    } else if (asked.current) {
      asked.current = false;
      opener.current?.focus();
    }
  }, [confirming]);
  if (view.notRedrivable !== null) return null;
  const go = async (): Promise<void> => {
    setConfirming(false);
    try {
      const answer = await redriveExecution(view.summary.executionArn);
      setMessage(answer.action === 'redriven' ? 'Redrive started.' : `Not redriven: ${answer.reason ?? ''}`);
      onRedriven(view.summary.redriveCount);
    } catch (err) {
      setMessage(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div class="actions">
      {confirming ? (
        <fieldset>
          <legend>Run this execution's failed targets again?</legend>
          <button type="button" class="primary" ref={confirm} onClick={() => void go()}>
            Redrive now
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </fieldset>
      ) : (
        <button
          type="button"
          class="primary"
          ref={opener}
          aria-label="Redrive this execution: run its failed targets again"
          onClick={() => setConfirming(true)}
        >
          Redrive…
        </button>
      )}
      {message === undefined ? null : <p role="status">{message}</p>}
    </div>
  );
}

/** Whether a definition runs a Distributed Map at its top level (the backfill's does: its page shows the map run). */
function runsDistributedMap(definition: unknown): boolean {
  const states = (definition as { States?: unknown } | null)?.States;
  if (typeof states !== 'object' || states === null) return false;
  return Object.values(states).some(
    (state) =>
      (state as { ItemProcessor?: { ProcessorConfig?: { Mode?: unknown } } } | null)?.ItemProcessor
        ?.ProcessorConfig?.Mode === 'DISTRIBUTED',
  );
}

export function ExecutionPage({ arn }: { arn: string }) {
  const [view, setView] = useState<ExecutionDetailView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  // After a redrive the status may read FAILED for a moment: keep reading until it moves (it runs, or the
  // redrive count has grown — a short redrive may have ended between two reads). Holds the count before.
  const [watching, setWatching] = useState<number | undefined>(undefined);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  // An approval decided on this page: its panel stays hidden until the history shows the decision.
  const [decided, setDecided] = useState<DecidedHere | undefined>(undefined);

  useEffect(() => {
    let live = true;
    getExecution(arn)
      .then((v) => {
        if (!live) return;
        setView(v);
        setError(undefined);
        // A new request (a redrive asks again) replaces what was said about the last decision.
        setDecided((d) =>
          d !== undefined && v.approvals.pending !== null && !isDecidedHere(v.approvals.pending, d)
            ? undefined
            : d,
        );
        setWatching((before) =>
          before === undefined || ACTIVE_STATUSES.has(v.summary.status) || v.summary.redriveCount > before
            ? undefined
            : before,
        );
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [arn, tick]);

  const active = view !== undefined && (ACTIVE_STATUSES.has(view.summary.status) || watching !== undefined);
  // Just decided: read again soon, until the history shows the decision.
  const settling = view !== undefined && isDecidedHere(view.approvals.pending, decided);
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(
      () => setTick((n) => n + 1),
      watching === undefined && !settling ? POLL_MS : 500,
    );
    return () => clearTimeout(timer);
  }, [active, view, watching, settling]);

  if (error !== undefined)
    return (
      <p role="alert" class="bad">
        {error}
      </p>
    );
  if (view === undefined) return <p>Loading…</p>;
  const s = view.summary;
  const target = view.targets.find((t) => t.index === selected);
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
          {s.source === null ? <span class="dim">{UNKNOWN}</span> : `s3://${s.source.bucket}/${s.source.key}`}
          {s.source?.versionId === undefined ? '' : ` (version ${s.source.versionId})`}
          {s.source === null ? null : (
            <>
              {' '}
              <a href={replicasHref(s.source)} aria-label="Replicas of this source object">
                Replicas
              </a>
            </>
          )}
        </dd>
        <dt>Started</dt>
        <dd>
          {formatTime(s.startDate)}, {s.stopDate === null ? 'running' : `ran ${formatDuration(s.durationMs)}`}
        </dd>
        <dt>Redrives</dt>
        <dd>{s.redriveCount}</dd>
        <dt>Targets</dt>
        <dd data-fact="targets">
          {s.targets === null
            ? UNKNOWN
            : `${s.targets.total}: ${s.targets.ok} ok, ${s.targets.failed} failed, ${s.targets.skipped} superseded, ${s.targets.pending} pending`}
        </dd>
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
      {runsDistributedMap(view.definition) ? (
        <p role="note">
          This execution runs a Distributed Map:{' '}
          <a href={backfillHref(s.executionArn)}>its map run, child executions and failed items</a>.
        </p>
      ) : null}
      <div class="toolbar">
        <RedriveControl view={view} onRedriven={(before) => setWatching(before)} />
        <StopControl view={view} onStopped={() => setTick((n) => n + 1)} />
        <RelayAgainControl view={view} />
      </div>
      {settling ? null : (
        <ApprovalPanel
          view={view}
          onDecided={(d) => {
            setDecided(d);
            setTick((n) => n + 1);
          }}
        />
      )}
      <h2>Targets</h2>
      {view.outputShape === 'unknown' ? (
        <p class="dim" role="note">
          This execution's output is of a shape this console does not read (an older or hand-made one): what
          it cannot read shows as {UNKNOWN}. The input and output are below as they are.
        </p>
      ) : null}
      <ResultsTable
        targets={view.targets}
        outputShape={view.outputShape}
        selected={selected}
        onSelect={setSelected}
      />
      <ApprovalHistory view={view} decided={decided} />
      <h2>State graph</h2>
      {target === undefined ? (
        <p class="dim">Every target's iterations; choose "Show path" on a target to follow one.</p>
      ) : (
        <p>
          Following target {target.index + 1}.{' '}
          <button type="button" onClick={() => setSelected(undefined)}>
            Show every target
          </button>
        </p>
      )}
      <StateGraph
        definition={view.definition}
        events={view.events}
        status={s.status}
        target={target?.index}
      />
      {target === undefined ? null : (
        <TargetPath definition={view.definition} events={view.events} status={s.status} target={target} />
      )}
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
