/**
 * Builds the console's UI (console/ui, Preact and elkjs) into one script and one stylesheet with esbuild,
 * in memory, when the server starts: no build step to remember, no CDN, works offline.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface UiBundle {
  readonly script: string;
  readonly style: string;
}

const ENTRY = fileURLToPath(new URL('../ui/main.tsx', import.meta.url));

/** Raised when the UI sources do not build. */
export class UiBuildError extends Error {
  override readonly name = 'UiBuildError';
}

export async function buildUi(): Promise<UiBundle> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // elkjs only loads it when asked to lay out in a worker; the console lays out in the page.
    external: ['web-worker'],
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((err: unknown) => {
    throw new UiBuildError(
      `the console UI does not build: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  const script = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text;
  const style = result.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  if (script === undefined) throw new UiBuildError('the console UI build produced no script');
  return { script, style };
}
