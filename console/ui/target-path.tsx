/**
 * One target's path through the workflow: each state its Map iterations entered (Copy → Verify →
 * Deploy, and the second pass or a redrive's runs after), with task attempts and errors.
 */
import type { HistoryEventView, TargetRow } from '../api-types.ts';
import { type StateRun, targetPath } from './graph-model.ts';

const RUN_TEXT: Record<StateRun, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  caught: 'failed, caught',
  running: 'in progress',
  'not-run': 'not run',
};

/** A Lambda task's cause is often its error as JSON: show its message. */
function readableCause(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      const message = (parsed as { errorMessage: unknown }).errorMessage;
      if (typeof message === 'string') return message;
    }
  } catch {
    // Not JSON: shown as it is.
  }
  return cause;
}

export function TargetPath({
  definition,
  events,
  status,
  target,
}: {
  definition: unknown;
  events: readonly HistoryEventView[];
  status: string;
  target: TargetRow;
}) {
  const steps = targetPath(definition, events, status, target.index);
  return (
    <section aria-labelledby="path-heading" class="target-path">
      <h3 id="path-heading">
        Path of target {target.index + 1}: {target.label}
      </h3>
      {steps.length === 0 ? (
        <p>No state of this target has run yet.</p>
      ) : (
        <ol>
          {steps.map((step, i) => (
            <li key={i} class={`run-${step.run}`} data-path-state={step.state} data-run={step.run}>
              <span class="step-state">{step.state}</span> <span class="dim">{step.iteration}</span> —{' '}
              {RUN_TEXT[step.run]}
              {step.attempts > 1 ? `, ${step.attempts} attempts` : step.attempts === 1 ? ', 1 attempt' : ''}
              {step.error === null ? null : (
                <div class="bad">
                  {step.error}
                  {step.cause === null ? '' : `: ${readableCause(step.cause)}`}
                </div>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
