/**
 * Bundling a relay Lambda the way the CDK app does, and the reference bundle its size is judged against
 * (case 3): the AWS SDK clients and commands the handler's own bundle contains, bundled alone the same
 * way — what any handler making those calls carries, whatever else it does.
 */
import { stat } from 'node:fs/promises';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { RELAY_BUNDLING } from '../../infra/relay-function.ts';
import { REPO_ROOT } from './child.ts';

/** What a bundle is made of. */
export interface Bundled {
  readonly file: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/** Where the entry comes from: a file, or source text resolved from the repository root. */
export type BundleEntry = { readonly path: string } | { readonly contents: string };

/** How to vary a bundle from the deployed one. */
export interface BundleVariant {
  /** Leave `@aws-sdk/*` and `@smithy/*` out, to be loaded from node_modules (a runtime's own SDK). */
  readonly sdkExternal?: boolean;
  /** Replace the Powertools tracer by a no-op, to measure what tracing adds (never deployed). */
  readonly withoutTracer?: boolean;
}

/** The packages a runtime's own SDK would provide. */
export const SDK_PACKAGES = ['@aws-sdk/*', '@smithy/*'] as const;

/**
 * esbuild's options for a relay Lambda, from the CDK app's own (infra/relay-function.ts `RELAY_BUNDLING`,
 * the one home of how functions are bundled): platform node, its target, format, `mainFields` (ES module
 * builds first, which is what lets esbuild keep only the SDK commands a handler imports), banner, minified,
 * nothing external. Source maps, which the CDK app writes next to the bundle, are left out of the size.
 */
export function relayBuildOptions(): BuildOptions {
  const { format, target, mainFields, banner, minify, externalModules } = RELAY_BUNDLING;
  return {
    bundle: true,
    platform: 'node',
    ...(format === undefined ? {} : { format: format === 'esm' ? 'esm' : 'cjs' }),
    ...(target === undefined ? {} : { target }),
    ...(mainFields === undefined ? {} : { mainFields: [...mainFields] }),
    ...(banner === undefined ? {} : { banner: { js: banner } }),
    minify: minify ?? false,
    external: [...(externalModules ?? [])],
    sourcemap: false,
    metafile: true,
    logLevel: 'error',
  };
}

/** A no-op Powertools tracer: the same exports the relay uses, doing nothing. */
const noTracer: Plugin = {
  name: 'relay-bench-no-tracer',
  setup(b) {
    b.onResolve({ filter: /^@aws-lambda-powertools\/tracer(\/middleware)?$/ }, (args) => ({
      path: args.path,
      namespace: 'relay-bench-no-tracer',
    }));
    b.onLoad({ filter: /.*/, namespace: 'relay-bench-no-tracer' }, (args) => ({
      contents: args.path.endsWith('/middleware')
        ? 'export const captureLambdaHandler = () => ({});'
        : 'export class Tracer { captureAWSv3Client(client) { return client; } }',
      loader: 'js',
    }));
  },
};

/** Bundles `entry` into `outfile` as the CDK app would (or as `variant` says). */
export async function bundleLambda(
  entry: BundleEntry,
  outfile: string,
  variant: BundleVariant = {},
): Promise<Bundled> {
  const base = relayBuildOptions();
  const result = await build({
    ...base,
    ...('path' in entry
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.contents, resolveDir: REPO_ROOT, sourcefile: 'entry.ts', loader: 'ts' } }),
    outfile,
    external: [...(base.external ?? []), ...(variant.sdkExternal ? SDK_PACKAGES : [])],
    plugins: variant.withoutTracer ? [noTracer] : [],
  });
  if (result.metafile === undefined) throw new Error(`esbuild gave no metafile for ${outfile}`);
  return { file: outfile, bytes: (await stat(outfile)).size, metafile: result.metafile };
}

/** An SDK client package's exports a bundle uses: its client classes and commands. */
export type SdkUsage = ReadonlyMap<string, readonly string[]>;

/** A client's class or a command, in the ES module build of an `@aws-sdk/client-*` package. */
const SDK_EXPORT =
  /node_modules\/(@aws-sdk\/client-[^/]+)\/dist-es\/(?:commands\/(\w+Command)|(\w+Client))\.js$/;

/**
 * The SDK clients and commands a bundle contains, read from its metafile: each client class and command
 * module of an `@aws-sdk/client-*` package that put bytes into the output — those the handler imports,
 * and those its clients use themselves (S3's CreateSession). Sorted, for a stable reference.
 *
 * @throws Error when the bundle contains none (the reference would be empty: the bundle did not use the
 *   packages' ES module builds, or the handler makes no AWS call)
 */
export function sdkUsageOf(metafile: Metafile): SdkUsage {
  const found = new Map<string, Set<string>>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const match = SDK_EXPORT.exec(path);
      if (match === null || input.bytesInOutput === 0) continue;
      const [, pkg, command, client] = match;
      const name = command ?? client;
      if (pkg === undefined || name === undefined) continue;
      let names = found.get(pkg);
      if (names === undefined) {
        names = new Set();
        found.set(pkg, names);
      }
      names.add(name);
    }
  }
  if (found.size === 0) {
    throw new Error(
      'No AWS SDK client or command found in the bundle: the reference bundle needs the ES module builds of @aws-sdk/client-* (mainFields with "module" first)',
    );
  }
  return new Map(
    [...found].sort(([a], [b]) => a.localeCompare(b)).map(([pkg, names]) => [pkg, [...names].sort()]),
  );
}

/** The source of the reference bundle: re-exports of exactly `usage`, so esbuild keeps all of it. */
export function referenceEntryOf(usage: SdkUsage): string {
  return [...usage].map(([pkg, names]) => `export { ${names.join(', ')} } from '${pkg}';`).join('\n');
}
