/**
 * The console's UI: a hash-routed single page (`#/` the list, `#/executions/<arn>` one execution,
 * `#/replicas?bucket=&key=` one object's replicas, `#/deployments` the CodeDeploy deployments).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
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
    default:
      return <ExecutionsList />;
  }
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
        </nav>
      </header>
      <main>
        <Page route={route} />
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
