/**
 * Deployments: per region, the CodeDeploy deployments of each deployment group a configured target
 * deploys to — revision (bucket, key, version, ETag), status, created and completed. Each group shows
 * its newest page; "Older deployments" reads that group's next page.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DeploymentGroupPage, DeploymentView } from '../api-types.ts';
import { getDeploymentGroupPage, getDeployments } from './client.ts';
import { formatTime } from './format.ts';

function revisionText(d: DeploymentView): string {
  const r = d.revision;
  if (r === null) return '';
  const where = `s3://${r.bucket ?? ''}/${r.key ?? ''}`;
  return [where, r.version === null ? '' : `version ${r.version}`, r.eTag === null ? '' : `ETag ${r.eTag}`]
    .filter((part) => part !== '')
    .join(', ');
}

function GroupTable({ initial }: { initial: DeploymentGroupPage }) {
  const [rows, setRows] = useState<readonly DeploymentView[]>(initial.deployments);
  const [next, setNext] = useState<string | null>(initial.nextToken);
  const [error, setError] = useState<string | undefined>(initial.error?.message);
  const caption = `${initial.application} / ${initial.deploymentGroup} in ${initial.region}`;
  const more = async (): Promise<void> => {
    if (next === null) return;
    try {
      const page = await getDeploymentGroupPage({
        region: initial.region,
        application: initial.application,
        deploymentGroup: initial.deploymentGroup,
        next,
      });
      setRows([...rows, ...page.deployments]);
      setNext(page.nextToken);
      setError(page.error?.message);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section
      class="deployment-group"
      data-group={`${initial.region}/${initial.application}/${initial.deploymentGroup}`}
    >
      <h3>{caption}</h3>
      {error === undefined ? null : (
        <p role="alert" class="bad">
          {error}
        </p>
      )}
      {rows.length === 0 ? (
        error === undefined ? (
          <p>No deployments.</p>
        ) : null
      ) : (
        <table aria-label={`Deployments of ${caption}`}>
          <thead>
            <tr>
              <th scope="col">Deployment</th>
              <th scope="col">Status</th>
              <th scope="col">Revision</th>
              <th scope="col">Created</th>
              <th scope="col">Completed</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.deploymentId} data-deployment={d.deploymentId}>
                <td class="mono">{d.deploymentId}</td>
                <td>
                  <span class={`badge status-${d.status.toLowerCase()}`}>{d.status}</span>
                </td>
                <td class="mono">{revisionText(d)}</td>
                <td>{d.createTime === null ? '' : formatTime(d.createTime)}</td>
                <td>{d.completeTime === null ? '' : formatTime(d.completeTime)}</td>
                <td class="bad">{d.errorMessage ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next === null ? null : (
        <button type="button" onClick={() => void more()} aria-label={`Older deployments of ${caption}`}>
          Older deployments
        </button>
      )}
    </section>
  );
}

export function DeploymentsPage() {
  const [groups, setGroups] = useState<readonly DeploymentGroupPage[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    getDeployments()
      .then((view) => {
        if (!live) return;
        setGroups(view.groups);
        setError(undefined);
      })
      .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      live = false;
    };
  }, [tick]);

  const regions = [...new Set((groups ?? []).map((g) => g.region))];
  return (
    <section aria-labelledby="deployments-heading">
      <h1 id="deployments-heading">Deployments</h1>
      <div class="toolbar">
        <button type="button" onClick={() => setTick((n) => n + 1)}>
          Refresh
        </button>
      </div>
      {error !== undefined ? (
        <p role="alert" class="bad">
          {error}
        </p>
      ) : groups === undefined ? (
        <p>Loading…</p>
      ) : groups.length === 0 ? (
        <p>No configured target deploys with CodeDeploy.</p>
      ) : (
        regions.map((region) => (
          <section key={region} aria-label={`Deployments in ${region}`}>
            <h2>{region}</h2>
            {groups
              .filter((g) => g.region === region)
              .map((g) => (
                <GroupTable initial={g} key={`${tick}/${g.application}/${g.deploymentGroup}`} />
              ))}
          </section>
        ))
      )}
    </section>
  );
}
