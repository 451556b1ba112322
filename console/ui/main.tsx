/** The console's UI: a hash-routed single page (`#/` the list, `#/executions/<arn>` one execution). */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ExecutionPage } from './execution-page.tsx';
import { ExecutionsList } from './executions-list.tsx';
import './styles.css';

const EXECUTION_ROUTE = /^#\/executions\/(.+)$/;

function App() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = (): void => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  const match = EXECUTION_ROUTE.exec(hash);
  return (
    <>
      <header class="top">
        <a href="#/" class="brand">
          artifact-relay console
        </a>
      </header>
      <main>
        {match === null ? <ExecutionsList /> : <ExecutionPage arn={decodeURIComponent(match[1] ?? '')} />}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
