/**
 * Case 3 — cold start of the five task Lambdas. Each `functions/<name>/handler.ts` is bundled with esbuild
 * as deployed (platform node, target node22, ESM, minified, the AWS SDK bundled) and its size taken. Module
 * initialisation is timed in a fresh `node` process: import the bundle and build the handler's SDK client
 * (the clients are created on first use, so the probe asks the handler's own factory for one), the median
 * of 20 runs (quick: 5) — against the same handler bundled with `@aws-sdk/*` and `@smithy/*` external and
 * loaded from node_modules, as the Lambda runtime's own SDK would be. Runs of the two variants alternate.
 */
import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { REPO_ROOT } from '../lib/child.ts';
import { type CaseContext, type CaseResult, type Figure, figure } from '../lib/result.ts';
import { median, round } from '../lib/stats.ts';

const run = promisify(execFile);

const HANDLERS = [
  { name: 'resolve-targets', client: 'defaultS3ClientFor', module: 's3-default.ts' },
  { name: 'copy-object', client: 'defaultS3ClientFor', module: 's3-default.ts' },
  { name: 'verify-copy', client: 'defaultS3ClientFor', module: 's3-default.ts' },
  { name: 'start-deployment', client: 'defaultCodeDeployClientFor', module: 'codedeploy-default.ts' },
  { name: 'check-deployment', client: 'defaultCodeDeployClientFor', module: 'codedeploy-default.ts' },
] as const;

const SDK_EXTERNAL = ['@aws-sdk/*', '@smithy/*'];
/** ESM output needs `require` for the CommonJS packages it bundles. */
const REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";
const KB = 1024;

/** Single dependencies bundled the same way, to show what a bundle cannot go below. */
const REFERENCE_ENTRIES: Record<string, string> = {
  'S3Client + HeadObjectCommand': [
    "import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';",
    "export const send = () => new S3Client({}).send(new HeadObjectCommand({ Bucket: 'b', Key: 'k' }));",
  ].join('\n'),
  'CodeDeployClient + GetDeploymentCommand': [
    "import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';",
    "export const send = () => new CodeDeployClient({}).send(new GetDeploymentCommand({ deploymentId: 'd' }));",
  ].join('\n'),
  'zod (z.object().parse)': [
    "import { z } from 'zod';",
    'export const parse = (v: unknown) => z.object({ a: z.string() }).parse(v);',
  ].join('\n'),
  'zod/mini (z.object().parse)': [
    "import * as z from 'zod/mini';",
    'export const parse = (v: unknown) => z.object({ a: z.string() }).parse(v);',
  ].join('\n'),
};
const SIZE_GOAL_KB = 300;

interface Built {
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

async function bundle(
  entry: { path: string } | { contents: string },
  outfile: string,
  external: boolean,
): Promise<Built> {
  const result = await build({
    ...('path' in entry
      ? { entryPoints: [entry.path] }
      : {
          stdin: {
            contents: entry.contents,
            resolveDir: REPO_ROOT,
            sourcefile: 'probe-entry.ts',
            loader: 'ts',
          },
        }),
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: false,
    outfile,
    metafile: true,
    banner: { js: REQUIRE_BANNER },
    external: external ? SDK_EXTERNAL : [],
    logLevel: 'error',
  });
  return { file: outfile, bytes: (await stat(outfile)).size, metafile: result.metafile };
}

/** Output bytes by package (node_modules name) or `(relay)` for our own sources, largest first. */
function composition(metafile: Metafile): Array<{ part: string; kib: number }> {
  const by: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const part = m ? m[1]! : '(relay)';
      by[part] = (by[part] ?? 0) + input.bytesInOutput;
    }
  }
  return Object.entries(by)
    .sort((a, b) => b[1] - a[1])
    .map(([part, bytes]) => ({ part, kib: round(bytes / KB, 1) }));
}

interface Probe {
  readonly importMs: number;
  readonly clientMs: number;
  readonly initMs: number;
  readonly processMs: number;
}

/** A fresh node process: import the bundle, build one client; reports its own timings. */
async function probe(file: string): Promise<Probe> {
  const script = [
    'const t0 = performance.now();',
    `const m = await import(${JSON.stringify(file)});`,
    'const t1 = performance.now();',
    "const c = m.clientFor('us-east-1');",
    'const t2 = performance.now();',
    "if (typeof m.handler !== 'function' || !c) throw new Error('probe: no handler or client');",
    'process.stdout.write(JSON.stringify({ importMs: t1 - t0, clientMs: t2 - t1, initMs: t2 - t0, processMs: t2 }));',
  ].join('\n');
  const { stdout } = await run(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', TZ: 'UTC' },
  });
  return JSON.parse(stdout) as Probe;
}

export async function coldStartCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const runs = ctx.quick ? 5 : 20;
  const outDir = join(REPO_ROOT, 'bench', '.out', 'bundles');
  await mkdir(outDir, { recursive: true });

  const figures: Figure[] = [];
  const perHandler: Record<string, unknown> = {};
  const ratios: number[] = [];
  for (const h of HANDLERS) {
    ctx.progress(`${h.name}: bundling and ${runs} cold starts per variant`);
    const handlerPath = join(REPO_ROOT, 'functions', h.name, 'handler.ts');
    const deployed = await bundle({ path: handlerPath }, join(outDir, `${h.name}.mjs`), false);
    const deployedExternal = await bundle(
      { path: handlerPath },
      join(outDir, `${h.name}.external.mjs`),
      true,
    );
    // The probe entry: the deployed handler plus the client factory it uses (same modules, same bundle).
    const contents = [
      `export { handler } from ${JSON.stringify(handlerPath)};`,
      `export { ${h.client} as clientFor } from ${JSON.stringify(join(REPO_ROOT, 'functions/shared', h.module))};`,
    ].join('\n');
    const probeBundled = await bundle({ contents }, join(outDir, `${h.name}.probe.mjs`), false);
    const probeExternal = await bundle({ contents }, join(outDir, `${h.name}.probe.external.mjs`), true);

    await probe(probeBundled.file);
    await probe(probeExternal.file);
    const bundled: Probe[] = [];
    const external: Probe[] = [];
    for (let i = 0; i < runs; i++) {
      bundled.push(await probe(probeBundled.file));
      external.push(await probe(probeExternal.file));
    }
    const initBundled = median(bundled.map((p) => p.initMs));
    const initExternal = median(external.map((p) => p.initMs));
    const ratio = initBundled / initExternal;
    ratios.push(ratio);
    const kib = deployed.bytes / KB;
    figures.push(
      figure(`${h.name}: bundle size (SDK bundled, minified)`, Math.round(kib), 'KiB', {
        op: '<=',
        value: SIZE_GOAL_KB,
      }),
    );
    figures.push(
      figure(`${h.name}: init bundled ÷ init SDK external`, round(ratio, 2), '×', { op: '<=', value: 1 }),
    );
    perHandler[h.name] = {
      bundleBytes: deployed.bytes,
      externalBundleBytes: deployedExternal.bytes,
      probeBundleBytes: probeBundled.bytes,
      initMsMedian: { bundled: round(initBundled, 1), external: round(initExternal, 1) },
      importMsMedian: {
        bundled: round(median(bundled.map((p) => p.importMs)), 1),
        external: round(median(external.map((p) => p.importMs)), 1),
      },
      clientMsMedian: {
        bundled: round(median(bundled.map((p) => p.clientMs)), 2),
        external: round(median(external.map((p) => p.clientMs)), 2),
      },
      processMsMedian: {
        bundled: round(median(bundled.map((p) => p.processMs)), 1),
        external: round(median(external.map((p) => p.processMs)), 1),
      },
      composition: composition(deployed.metafile).slice(0, 12),
    };
  }

  // Reference points: what single dependencies cost when bundled the same way.
  const references: Record<string, number> = {};
  for (const [label, contents] of Object.entries(REFERENCE_ENTRIES)) {
    const built = await bundle(
      { contents },
      join(outDir, `reference-${label.replace(/[^a-z0-9]+/gi, '-')}.mjs`),
      false,
    );
    references[label] = built.bytes;
  }

  return {
    id: 'cold-start',
    title: 'Cold start',
    inputs: {
      handlers: HANDLERS.map((h) => h.name),
      esbuild: { platform: 'node', target: 'node22', format: 'esm', minify: true, sourcemap: false },
      external: SDK_EXTERNAL,
      runsPerVariant: runs,
      statistic: 'median',
      measuredBy:
        'fresh `node --input-type=module` process: performance.now() before import() to after the handler’s client factory built its first client (env: PATH, AWS_REGION only)',
      nodeRunningTheProbes: process.version,
    },
    figures,
    details: {
      handlers: perHandler,
      initRatioMedianAcrossHandlers: round(median(ratios), 2),
      referenceBundleBytes: references,
    },
    notes: [
      'Sizes are of functions/<name>/handler.ts alone; the probe bundle re-exports the client factory too and is the same size within a few bytes.',
    ],
    durationMs: performance.now() - started,
  };
}
