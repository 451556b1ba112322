/**
 * Replicas: for one source object, each target's replica — version, encryption and whether it is in
 * sync, as `relay status s3://bucket/key` says it. A form names the object when no link did.
 */
import { useEffect, useState } from 'preact/hooks';
import type { EncryptionView, ReplicasView } from '../api-types.ts';
import { getReplicas } from './client.ts';
import { DeployControl } from './deploy-control.tsx';
import { formatBytes } from './format.ts';
import { parseS3Url, replicasHref } from './routes.ts';

/** `relay status`'s words for its verdicts. */
const VERDICT: Record<string, string> = {
  'in-sync': 'IN SYNC',
  superseded: 'SUPERSEDED',
  missing: 'MISSING',
  different: 'DIFFERENT',
  error: 'ERROR',
};

function encryptionText(encryption: EncryptionView | null): string {
  if (encryption === null) return '';
  return encryption.kmsKeyId === null ? encryption.type : `${encryption.type} (${encryption.kmsKeyId})`;
}

function ObjectForm({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const submit = (event: Event): void => {
    event.preventDefault();
    const object = parseS3Url(text);
    if (object === undefined) {
      setProblem('Name one object: s3://bucket/key');
      return;
    }
    setProblem(undefined);
    location.hash = replicasHref(object);
  };
  return (
    <form class="toolbar" onSubmit={submit}>
      <label for="replicas-object">Source object</label>
      <input
        id="replicas-object"
        class="mono"
        size={60}
        placeholder="s3://bucket/key"
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit">Show replicas</button>
      {problem === undefined ? null : (
        <span role="alert" class="bad">
          {problem}
        </span>
      )}
    </form>
  );
}

export function ReplicasPage({
  object,
}: {
  object: { bucket: string; key: string; versionId?: string } | undefined;
}) {
  const [view, setView] = useState<ReplicasView | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const bucket = object?.bucket;
  const key = object?.key;
  const versionId = object?.versionId;

  useEffect(() => {
    setView(undefined);
    setError(undefined);
    if (bucket === undefined || key === undefined) return;
    let live = true;
    getReplicas({ bucket, key, versionId })
      .then((v) => live && setView(v))
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [bucket, key, versionId, tick]);

  const named = object === undefined ? '' : `s3://${object.bucket}/${object.key}`;
  return (
    <section aria-labelledby="replicas-heading">
      <h1 id="replicas-heading">Replicas</h1>
      <ObjectForm initial={named} key={named} />
      {object === undefined ? (
        <p>Name a source object to see each target's replica and whether it is in sync.</p>
      ) : error !== undefined ? (
        <p role="alert" class="bad">
          {error}
        </p>
      ) : view === undefined ? (
        <p>Checking every target…</p>
      ) : (
        <>
          <p>
            Source <span class="mono">{named}</span>{' '}
            {view.source.versionId === null ? `ETag ${view.source.etag}` : `version ${view.source.versionId}`}
            , {formatBytes(view.source.size)}
            {view.source.encryption === null ? '' : `, ${encryptionText(view.source.encryption)}`} in{' '}
            {view.source.region}.{' '}
            <button type="button" onClick={() => setTick((n) => n + 1)}>
              Check again
            </button>
          </p>
          <table aria-label="Replicas">
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Region</th>
                <th scope="col">Replica</th>
                <th scope="col">Version</th>
                <th scope="col">Size</th>
                <th scope="col">Encryption</th>
                <th scope="col">Evidence / detail</th>
                <th scope="col">Deploy</th>
              </tr>
            </thead>
            <tbody>
              {view.targets.map((t) => (
                <tr key={t.target} data-replica={t.target} data-status={t.status}>
                  <td>
                    <span class={`badge status-${t.status}`}>{VERDICT[t.status] ?? t.status}</span>
                  </td>
                  <td>{t.region}</td>
                  <td class="mono">{`s3://${t.bucket}/${t.key}`}</td>
                  <td class="mono">{t.versionId ?? (t.etag === null ? '' : `ETag ${t.etag}`)}</td>
                  <td>{formatBytes(t.size)}</td>
                  <td>{encryptionText(t.encryption)}</td>
                  <td>{t.detail}</td>
                  <td>
                    <DeployControl replica={t} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p role="status" class={view.inSync ? 'ok' : 'bad'}>
            {view.inSync
              ? `All ${view.targets.length} targets in sync.`
              : `${view.targets.filter((t) => t.status === 'in-sync').length} of ${view.targets.length} targets in sync.`}
          </p>
        </>
      )}
    </section>
  );
}
