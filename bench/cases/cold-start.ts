/**
 * Case 3 — bundle size and cold start of every relay Lambda. Each `functions/<name>/handler.ts` is bundled
 * as the CDK app bundles it (bench/lib/lambda-bundle.ts: infra's own options — platform node, target node22,
 * ESM, ES module builds first, minified, the AWS SDK inside) and judged against a reference: a bundle of
 * just the SDK clients and commands that handler's bundle contains, made the same way. The goal is a
 * handler bundle at most 1.25 × its reference. The same handler bundled with a no-op Powertools tracer
 * shows what tracing costs (the X-Ray SDK it brings does not tree-shake).
 *
 * Module initialisation is timed in a fresh `node` process: import the bundle and, for the handlers that
 * create their clients on first use, build one (the probe asks the handler's own factory) — the median of
 * 20 runs (quick: 5), against the same handler bundled with `@aws-sdk/*` and `@smithy/*` external and
 * loaded from node_modules, as the Lambda runtime's own SDK would be. Runs of the two variants alternate.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { REPO_ROOT } from '../lib/child.ts';
import {
  type Bundled,
  bundleLambda,
  referenceEntryOf,
  relayBuildOptions,
  SDK_PACKAGES,
  sdkUsageOf,
} from '../lib/lambda-bundle.ts';
import { type CaseContext, type CaseResult, type Figure, figure } from '../lib/result.ts';
import { median, round } from '../lib/stats.ts';

const run = promisify(execFile);

/**
 * The handlers whose clients are built on first use, and the factory the probe builds one with. The others
 * (the notifier, the pipeline action) build their clients at module scope, which the import already times.
 */
const CLIENT_FACTORIES: Readonly<Record<string, { readonly client: string; readonly module: string }>> = {
  'resolve-targets': { client: 'defaultS3ClientFor', module: 's3-default.ts' },
  'copy-object': { client: 'defaultS3ClientFor', module: 's3-default.ts' },
  'verify-copy': { client: 'defaultS3ClientFor', module: 's3-default.ts' },
  'delete-replica': { client: 'defaultS3ClientFor', module: 's3-default.ts' },
  'start-deployment': { client: 'defaultCodeDeployClientFor', module: 'codedeploy-default.ts' },
  'check-deployment': { client: 'defaultCodeDeployClientFor', module: 'codedeploy-default.ts' },
};

/** A handler bundle is at most this many times the bundle of the SDK clients and commands it uses. */
export const BUNDLE_RATIO_GOAL = 1.25;
const KB = 1024;

/** Every Lambda of the relay: each folder of functions/ with a handler.ts, in name order. */
async function handlerNames(): Promise<string[]> {
  const folders = await readdir(join(REPO_ROOT, 'functions'), { withFileTypes: true });
  const names: string[] = [];
  for (const folder of folders) {
    if (!folder.isDirectory()) continue;
    const files = await readdir(join(REPO_ROOT, 'functions', folder.name));
    if (files.includes('handler.ts')) names.push(folder.name);
  }
  return names.sort();
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

/**
 * What a bundle holds beyond its reference, by package (or `(relay)`), largest first: each input's output
 * bytes less what the same input contributes to the reference.
 */
function beyondReference(bundle: Metafile, reference: Metafile): Array<{ part: string; kib: number }> {
  const inReference = new Map<string, number>();
  for (const output of Object.values(reference.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      inReference.set(path, (inReference.get(path) ?? 0) + input.bytesInOutput);
    }
  }
  const by: Record<string, number> = {};
  for (const output of Object.values(bundle.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const extra = input.bytesInOutput - (inReference.get(path) ?? 0);
      if (extra <= 0) continue;
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const part = m ? m[1]! : '(relay)';
      by[part] = (by[part] ?? 0) + extra;
    }
  }
  return Object.entries(by)
    .sort((a, b) => b[1] - a[1])
    .filter(([, bytes]) => bytes >= 512)
    .map(([part, bytes]) => ({ part, kib: round(bytes / KB, 1) }));
}

interface Probe {
  readonly importMs: number;
  readonly clientMs: number;
  readonly initMs: number;
  readonly processMs: number;
}

/** A fresh node process: import the bundle, build one client if it has a factory; reports its own timings. */
async function probe(file: string): Promise<Probe> {
  const script = [
    'const t0 = performance.now();',
    `const m = await import(${JSON.stringify(file)});`,
    'const t1 = performance.now();',
    "const c = m.clientFor === undefined ? true : m.clientFor('us-east-1');",
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

const kib = (bundled: Bundled): number => Math.round(bundled.bytes / KB);

export async function coldStartCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const runs = ctx.quick ? 5 : 20;
  const outDir = join(REPO_ROOT, 'bench', '.out', 'bundles');
  await mkdir(outDir, { recursive: true });
  const names = await handlerNames();

  const figures: Figure[] = [];
  const perHandler: Record<string, unknown> = {};
  const initRatios: number[] = [];
  for (const name of names) {
    ctx.progress(`${name}: bundling, its SDK reference, and ${runs} cold starts per variant`);
    const handlerPath = join(REPO_ROOT, 'functions', name, 'handler.ts');
    const out = (suffix: string): string => join(outDir, `${name}${suffix}.mjs`);
    const deployed = await bundleLambda({ path: handlerPath }, out(''));
    const external = await bundleLambda({ path: handlerPath }, out('.external'), { sdkExternal: true });
    const untraced = await bundleLambda({ path: handlerPath }, out('.without-tracer'), {
      withoutTracer: true,
    });
    const sdkUsage = sdkUsageOf(deployed.metafile);
    const reference = await bundleLambda({ contents: referenceEntryOf(sdkUsage) }, out('.reference'));
    const ratio = deployed.bytes / reference.bytes;

    // The probe entry: the deployed handler plus the client factory it uses (same modules, same bundle).
    const factory = CLIENT_FACTORIES[name];
    const contents = [
      `export { handler } from ${JSON.stringify(handlerPath)};`,
      ...(factory === undefined
        ? []
        : [
            `export { ${factory.client} as clientFor } from ${JSON.stringify(join(REPO_ROOT, 'functions/shared', factory.module))};`,
          ]),
    ].join('\n');
    const probeBundled = await bundleLambda({ contents }, out('.probe'));
    const probeExternal = await bundleLambda({ contents }, out('.probe.external'), { sdkExternal: true });

    await probe(probeBundled.file);
    await probe(probeExternal.file);
    const bundled: Probe[] = [];
    const externalRuns: Probe[] = [];
    for (let i = 0; i < runs; i++) {
      bundled.push(await probe(probeBundled.file));
      externalRuns.push(await probe(probeExternal.file));
    }
    const initBundled = median(bundled.map((p) => p.initMs));
    const initExternal = median(externalRuns.map((p) => p.initMs));
    initRatios.push(initBundled / initExternal);

    figures.push(figure(`${name}: bundle size (SDK bundled, minified)`, kib(deployed), 'KiB'));
    figures.push(
      figure(`${name}: bundle ÷ bundle of its SDK clients and commands`, round(ratio, 2), '×', {
        op: '<=',
        value: BUNDLE_RATIO_GOAL,
      }),
    );
    figures.push(
      figure(`${name}: init bundled ÷ init SDK external`, round(initBundled / initExternal, 2), '×', {
        op: '<=',
        value: 1,
      }),
    );
    perHandler[name] = {
      bundleBytes: deployed.bytes,
      externalBundleBytes: external.bytes,
      referenceBytes: reference.bytes,
      withoutTracerBytes: untraced.bytes,
      sdkUsage: Object.fromEntries(sdkUsage),
      probeBundleBytes: probeBundled.bytes,
      clientBuiltByProbe: factory !== undefined,
      initMsMedian: { bundled: round(initBundled, 1), external: round(initExternal, 1) },
      importMsMedian: {
        bundled: round(median(bundled.map((p) => p.importMs)), 1),
        external: round(median(externalRuns.map((p) => p.importMs)), 1),
      },
      clientMsMedian: {
        bundled: round(median(bundled.map((p) => p.clientMs)), 2),
        external: round(median(externalRuns.map((p) => p.clientMs)), 2),
      },
      processMsMedian: {
        bundled: round(median(bundled.map((p) => p.processMs)), 1),
        external: round(median(externalRuns.map((p) => p.processMs)), 1),
      },
      composition: composition(deployed.metafile).slice(0, 12),
      beyondReference: beyondReference(deployed.metafile, reference.metafile).slice(0, 16),
    };
  }

  const options = relayBuildOptions();
  return {
    id: 'cold-start',
    title: 'Cold start',
    inputs: {
      handlers: names,
      esbuild: {
        platform: options.platform,
        target: options.target,
        format: options.format,
        mainFields: options.mainFields,
        minify: options.minify,
        sourcemap: false,
        from: 'infra/relay-function.ts RELAY_BUNDLING',
      },
      external: SDK_PACKAGES,
      bundleRatioGoal: BUNDLE_RATIO_GOAL,
      reference:
        'per handler: `export { <clients and commands> } from "@aws-sdk/client-…"` for each client class and command module of an @aws-sdk/client-* package in the handler’s own bundle (its metafile), bundled the same way',
      runsPerVariant: runs,
      statistic: 'median',
      measuredBy:
        'fresh `node --input-type=module` process: performance.now() before import() to after the handler’s client factory built its first client, or after the import for handlers that build their clients at module scope (env: PATH, AWS_REGION only)',
      nodeRunningTheProbes: process.version,
    },
    figures,
    details: {
      handlers: perHandler,
      initRatioMedianAcrossHandlers: round(median(initRatios), 2),
    },
    notes: [
      'Sizes are of functions/<name>/handler.ts alone; the probe bundle re-exports the client factory too and is the same size within a few bytes.',
      '“Without tracer” replaces the Powertools tracer (and with it aws-xray-sdk-core) by a no-op: a measurement of what tracing costs, not a deployed variant.',
    ],
    durationMs: performance.now() - started,
  };
}
