/**
 * The Replicas view's Deploy…: for a replica in sync, `relay deploy` from the page — application and
 * deployment group prefilled from the target's `deploy` settings (else typed), then the deployment's id
 * and status followed until it ends. When newest-wins leaves the group alone (it has a newer build), a
 * second, explicit confirmation says the deployment is a rollback and from what, as `--rollback` does.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { DeployAnswer, DeploymentStatusAnswer, ReplicaView } from '../api-types.ts';
import { type DeployRequestView, deployReplica, getDeploymentStatus } from './client.ts';
import { POLL_MS } from './format.ts';

type Step =
  | { readonly kind: 'closed' }
  | { readonly kind: 'form' }
  | { readonly kind: 'working' }
  | { readonly kind: 'rollback'; readonly refused: DeployAnswer }
  | { readonly kind: 'following'; readonly started: DeployAnswer }
  | { readonly kind: 'said'; readonly text: string; readonly bad: boolean };

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The deployment's status, looked at every POLL_MS until it ends. */
function Following({ started }: { started: DeployAnswer }) {
  const id = started.deploymentId ?? '';
  const [seen, setSeen] = useState<DeploymentStatusAnswer | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const ended = seen?.ended ?? (started.done && started.status === 'Succeeded');
  useEffect(() => {
    if (ended) return;
    let live = true;
    const timer = setTimeout(() => {
      getDeploymentStatus(started.region, id)
        .then((answer) => {
          if (!live) return;
          setSeen(answer);
          setError(undefined);
          setTick((n) => n + 1);
        })
        .catch((err: unknown) => {
          if (!live) return;
          setError(messageOf(err));
          setTick((n) => n + 1);
        });
    }, POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, tick, ended, started.region]);
  const status = seen?.status ?? started.status;
  const verb = started.rollback ? 'Rolling back' : 'Deploying';
  return (
    <p role="status" data-deployment={id} data-deployment-status={status}>
      {verb} to {started.application}/{started.deploymentGroup} in {started.region}: deployment{' '}
      <span class="mono">{id}</span> <span class={seen?.failed === true ? 'bad' : 'ok'}>{status}</span>
      {ended ? '' : ' (following…)'}
      {seen?.message === null || seen?.message === undefined ? null : (
        <span class="bad"> {seen.message}</span>
      )}
      {error === undefined ? null : <span class="bad"> {error}</span>}
    </p>
  );
}

export function DeployControl({ replica }: { replica: ReplicaView }) {
  const [step, setStep] = useState<Step>({ kind: 'closed' });
  const [application, setApplication] = useState(replica.deploy?.application ?? '');
  const [group, setGroup] = useState(replica.deploy?.deploymentGroup ?? '');
  const first = useRef<HTMLInputElement>(null);
  const rollbackButton = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const opened = useRef(false);
  // Each step takes the focus where the keyboard goes on: the form's first field, the rollback question's
  // confirmation, and — cancelled or answered — the Deploy… button again.
  useEffect(() => {
    if (step.kind === 'form') first.current?.focus();
    if (step.kind === 'rollback') rollbackButton.current?.focus();
    if (step.kind === 'form' || step.kind === 'rollback') opened.current = true;
    if ((step.kind === 'closed' || step.kind === 'said') && opened.current) {
      opened.current = false;
      opener.current?.focus();
    }
  }, [step.kind]);
  if (replica.status !== 'in-sync') return null;

  const url = `s3://${replica.bucket}/${replica.key}`;
  const ownGroup =
    replica.deploy !== null &&
    replica.deploy.application === application &&
    replica.deploy.deploymentGroup === group;
  const request = (rollback: boolean): DeployRequestView => ({
    bucket: replica.bucket,
    key: replica.key,
    region: replica.region,
    versionId: replica.versionId,
    application: application.trim(),
    deploymentGroup: group.trim(),
    bundleType: ownGroup ? (replica.deploy?.bundleType ?? null) : null,
    deploymentConfigName: ownGroup ? (replica.deploy?.deploymentConfigName ?? null) : null,
    rollback,
  });
  const go = async (rollback: boolean): Promise<void> => {
    setStep({ kind: 'working' });
    try {
      const answer = await deployReplica(request(rollback));
      if (answer.action === 'started') setStep({ kind: 'following', started: answer });
      else if (rollback)
        setStep({ kind: 'said', text: `Not deployed: ${answer.detail ?? answer.status}`, bad: true });
      else setStep({ kind: 'rollback', refused: answer });
    } catch (err) {
      setStep({ kind: 'said', text: messageOf(err), bad: true });
    }
  };
  const version = replica.versionId === null ? '' : ` (version ${replica.versionId})`;

  switch (step.kind) {
    case 'closed':
    case 'said':
      return (
        <div class="actions">
          <button
            type="button"
            ref={opener}
            aria-label={`Deploy ${url}${version} with CodeDeploy`}
            onClick={() => setStep({ kind: 'form' })}
          >
            Deploy…
          </button>
          {step.kind === 'said' ? (
            <p role="status" class={step.bad ? 'bad' : ''}>
              {step.text}
            </p>
          ) : null}
        </div>
      );
    case 'form':
      return (
        <form
          class="actions"
          onSubmit={(event) => {
            event.preventDefault();
            if (application.trim() === '' || group.trim() === '') return;
            void go(false);
          }}
        >
          <fieldset>
            <legend>
              Deploy {url}
              {version} in {replica.region}, as relay deploy does?
            </legend>
            <label for={`deploy-app-${replica.target}`}>Application</label>{' '}
            <input
              id={`deploy-app-${replica.target}`}
              ref={first}
              required
              value={application}
              onInput={(e) => setApplication((e.currentTarget as HTMLInputElement).value)}
            />{' '}
            <label for={`deploy-group-${replica.target}`}>Deployment group</label>{' '}
            <input
              id={`deploy-group-${replica.target}`}
              required
              value={group}
              onInput={(e) => setGroup((e.currentTarget as HTMLInputElement).value)}
            />{' '}
            <button type="submit" class="primary">
              Deploy now
            </button>{' '}
            <button type="button" onClick={() => setStep({ kind: 'closed' })}>
              Cancel
            </button>
          </fieldset>
        </form>
      );
    case 'working':
      return <p role="status">Starting the deployment…</p>;
    case 'rollback':
      return (
        <div class="actions">
          <fieldset>
            <legend>This is a rollback</legend>
            <p class="bad">
              Not deployed: {step.refused.detail ?? 'the group has a newer build'}. Deploying {url}
              {version} to {step.refused.application}/{step.refused.deploymentGroup} rolls the group back from
              that newer build, and is recorded as a rollback: from then on newest-wins compares against it.
            </p>
            <button type="button" class="primary" ref={rollbackButton} onClick={() => void go(true)}>
              Roll back to this build
            </button>{' '}
            <button type="button" onClick={() => setStep({ kind: 'closed' })}>
              Cancel
            </button>
          </fieldset>
        </div>
      );
    case 'following':
      return <Following started={step.started} />;
  }
}
