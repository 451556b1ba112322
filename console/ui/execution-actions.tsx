/**
 * The execution page's Stop (a running execution) and Relay again (its source object, as `relay replay`
 * would): each asks first, then calls the API with the page's token and says what happened.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ExecutionDetailView, RelayAgainAnswer } from '../api-types.ts';
import { relayAgain, stopExecution } from './client.ts';
import { executionHref } from './routes.ts';

/**
 * A button that asks before it acts; the question takes the focus, so the keyboard goes on from there,
 * and once answered (or cancelled) the focus returns to the button. (The backfill page's Redrive asks so too.)
 */
export function Confirmed({
  label,
  text,
  question,
  confirmText,
  act,
  offered = true,
}: {
  /** Whether the action applies now; when it does not, only what it said last stays. */
  offered?: boolean;
  label: string;
  text: string;
  question: string;
  confirmText: string;
  act: () => Promise<ComponentChildren>;
}) {
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useState<ComponentChildren>(undefined);
  const confirm = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) {
      asked.current = true;
      confirm.current?.focus();
    } else if (asked.current) {
      asked.current = false;
      opener.current?.focus();
    }
  }, [confirming]);
  const go = async (): Promise<void> => {
    setConfirming(false);
    try {
      setMessage(await act());
    } catch (err) {
      setMessage(<span class="bad">{err instanceof Error ? err.message : String(err)}</span>);
    }
  };
  return (
    <div class="actions">
      {confirming && offered ? (
        <fieldset>
          <legend>{question}</legend>
          <button type="button" class="primary" ref={confirm} onClick={() => void go()}>
            {confirmText}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </fieldset>
      ) : offered ? (
        <button
          type="button"
          aria-label={label}
          ref={opener}
          onClick={() => {
            // A new question: what the last answer said goes, so the next answer is the one shown.
            setMessage(undefined);
            setConfirming(true);
          }}
        >
          {text}
        </button>
      ) : null}
      {message === undefined ? null : <p role="status">{message}</p>}
    </div>
  );
}

export function StopControl({ view, onStopped }: { view: ExecutionDetailView; onStopped: () => void }) {
  return (
    <Confirmed
      offered={view.summary.status === 'RUNNING'}
      label="Stop this execution"
      text="Stop…"
      question="Stop this execution? Targets not yet relayed will not be."
      confirmText="Stop now"
      act={async () => {
        const answer = await stopExecution(view.summary.executionArn);
        onStopped();
        return answer.action === 'stopped' ? 'Stopped.' : `Not stopped: ${answer.reason ?? ''}`;
      }}
    />
  );
}

function relayedText(answer: RelayAgainAnswer) {
  const version = answer.versionId === null ? 'its current content' : `version ${answer.versionId}`;
  const link =
    answer.executionArn === null ? null : (
      <a href={executionHref(answer.executionArn)}>{answer.executionArn.split(':').at(-1)}</a>
    );
  switch (answer.status) {
    case 'started':
      return (
        <>
          Relaying {version} again: {link}
        </>
      );
    case 'already-relayed':
      return (
        <>
          {version} was already relayed by {link}
          {answer.detail === null ? '' : ` (${answer.detail})`}: a replay starts nothing for it.
        </>
      );
    default:
      return <span class="bad">Not started: {answer.detail ?? ''}</span>;
  }
}

export function RelayAgainControl({ view }: { view: ExecutionDetailView }) {
  const source = view.summary.source;
  if (source === null) return null;
  const url = `s3://${source.bucket}/${source.key}`;
  return (
    <Confirmed
      label={`Relay ${url} again (its current version, as relay replay does)`}
      text="Relay again…"
      question={`Relay the current version of ${url} again, as relay replay would?`}
      confirmText="Relay now"
      act={async () => relayedText(await relayAgain(source.bucket, source.key))}
    />
  );
}
