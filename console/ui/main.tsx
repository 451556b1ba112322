/**
 * The console's UI: a hash-routed single page (`#/` the list, `#/executions/<arn>` one execution,
 * `#/replicas?bucket=&key=` one object's replicas, `#/deployments` the CodeDeploy deployments,
 * `#/backfills` the backfills and `#/backfills/<arn>` one backfill with its map run).
 */
import { render } from 'preact';
import { useEffect, useErrorBoundary, useState } from 'preact/hooks';
import { BackfillPage } from './backfill-page.tsx';
import { BackfillsList } from './backfills-list.tsx';
import { DeploymentsPage } from './deployments-page.tsx';
import { ExecutionPage } from './execution-page.tsx';
import { ExecutionsList } from './executions-list.tsx';
import { ReplicasPage } from './replicas-page.tsx';
import { parseRoute, type Route } from './routes.ts';
import './styles.css';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'execution':
      return <ExecutionPage arn={route.arn} />;
    case 'replicas':
      return <ReplicasPage object={route.object} />;
    case 'deployments':
      return <DeploymentsPage />;
    case 'backfills':
      return <BackfillsList />;
    case 'backfill':
      return <BackfillPage arn={route.arn} />;
    default:
      return <ExecutionsList />;
  }
}

/** A view that throws while drawing says so (and offers to try again) instead of leaving a blank page. */
function Guarded({ route }: { route: Route }) {
  const [error, reset] = useErrorBoundary();
  if (error !== undefined) {
    return (
      <div role="alert" class="bad">
        <p>This view cannot be shown: {error instanceof Error ? error.message : String(error)}</p>
        <button type="button" onClick={reset}>
          Try again
        </button>
      </div>
    );
  }
  return <Page route={route} />;
}

function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = (): void => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const route = parseRoute(hash);
  return (
    <>
      <header class="top">
        <a href="#/" class="brand">
          artifact-relay console
        </a>
        <nav aria-label="Views">
          <a href="#/" aria-current={route.page === 'executions' ? 'page' : undefined}>
            Executions
          </a>
          <a href="#/replicas" aria-current={route.page === 'replicas' ? 'page' : undefined}>
            Replicas
          </a>
          <a href="#/deployments" aria-current={route.page === 'deployments' ? 'page' : undefined}>
            Deployments
          </a>
          <a
            href="#/backfills"
            aria-current={route.page === 'backfills' || route.page === 'backfill' ? 'page' : undefined}
          >
            Backfills
          </a>
        </nav>
      </header>
      <main>
        <Guarded route={route} key={hash} />
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
