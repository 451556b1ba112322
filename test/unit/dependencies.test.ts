import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * package.json's `dependencies` are exactly what the shipped code loads at run time, so that
 * `npm ci --omit=dev` installs everything `relay …`, the console and `cdk synth` need and nothing else;
 * test and build-only libraries live in `devDependencies`.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The code that runs after `npm ci --omit=dev`: the CLI (bin/relay.mjs runs it through tsx), the local
 * stack, the task functions, the CDK app (it bundles the functions with esbuild at synth), the console's
 * server, and the console's UI, which the server bundles with esbuild when it starts (console/server/bundle.ts).
 */
const SHIPPED = [
  'bin',
  'cli',
  'core',
  'functions',
  'infra',
  'local',
  'state-machine',
  'console/server',
  'console/ui',
];

/** Source files (console/screenshots.ts, a developer's script, sits outside the shipped folders). */
const SOURCE_FILE = /\.(ts|mts|tsx|mjs|js)$/;

interface PackageImport {
  /** The importing file, relative to the repository root. */
  readonly file: string;
  /** The package the specifier names (`@scope/name` or `name`). */
  readonly packageName: string;
}

interface PackageJson {
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
}

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && SOURCE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/**
 * Static imports and re-exports. `import type` / `export type` are erased and load nothing; everything else
 * is kept as written (tsconfig's verbatimModuleSyntax), so it counts.
 */
const STATIC_IMPORT = /^[ \t]*(?:import|export)\b(\s+type\b)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm;
/** `import 'x'` for its side effects. */
const BARE_IMPORT = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
/** `import('x')`, `require('x')` and `createRequire(…)('x')` with a literal specifier. */
const CALL_IMPORT = /(?:\b(?:import|require)|\bcreateRequire\([^)]*\))\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The package a bare specifier names; undefined for a relative path or a Node built-in. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
  return builtinModules.includes(name) ? undefined : name;
}

/** The runtime package specifiers a source text names. */
function runtimeSpecifiers(text: string): string[] {
  const statics = [...text.matchAll(STATIC_IMPORT)]
    .filter((match) => match[1] === undefined)
    .map((match) => match[2] ?? '');
  const bare = [...text.matchAll(BARE_IMPORT)].map((match) => match[1] ?? '');
  const calls = [...text.matchAll(CALL_IMPORT)].map((match) => match[1] ?? '');
  return [...statics, ...bare, ...calls];
}

function runtimeImports(): PackageImport[] {
  return SHIPPED.flatMap(sourceFiles).flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const names = runtimeSpecifiers(text).map(packageOf);
    // A .tsx file with JSX also loads the automatic runtime (console/server/bundle.ts: jsxImportSource preact).
    if (file.endsWith('.tsx') && /<[A-Za-z]/.test(text)) names.push('preact');
    return names
      .filter((name): name is string => name !== undefined)
      .map((packageName) => ({ file, packageName }));
  });
}

describe('package.json dependencies', () => {
  it('reads type-only imports as loading nothing and every other import form as a runtime load', () => {
    // Arrange
    const text = [
      "import type { Handler } from 'aws-lambda';",
      "import {\n  type A,\n  b,\n} from '@scope/pkg/sub';",
      "export type { C } from 'types-only';",
      "export { d } from 're-exported';",
      "import 'side-effect';",
      "const e = await import('dynamic');",
      "const f = createRequire(import.meta.url)('required');",
      "import { g } from './relative.ts';",
      "import { h } from 'node:fs';",
    ].join('\n');

    // Act
    const names = runtimeSpecifiers(text).map(packageOf);

    // Assert
    expect(names.filter((name) => name !== undefined).sort()).toEqual([
      '@scope/pkg',
      'dynamic',
      're-exported',
      'required',
      'side-effect',
    ]);
  });

  it('sees the runtime imports it checks, across the shipped folders', () => {
    // Act
    const seen = new Set(
      runtimeImports().map((entry) => `${entry.file.split('/')[0]} → ${entry.packageName}`),
    );

    // Assert
    expect(seen).toContain('bin → tsx');
    expect(seen).toContain('console → esbuild');
    expect(seen).toContain('console → preact');
    expect(seen).toContain('infra → aws-cdk-lib');
    expect(seen).toContain('functions → @middy/core');
    expect(seen).toContain('local → aws-local-stepfunctions');
  });

  it('lists every package the shipped code loads at run time under dependencies', () => {
    // Act
    const missing = runtimeImports()
      .filter((entry) => packageJson.dependencies[entry.packageName] === undefined)
      .map((entry) => `${entry.file} → ${entry.packageName}`);

    // Assert
    expect(missing).toEqual([]);
  });

  it('lists under dependencies no package the shipped code never loads', () => {
    // Arrange
    const used = new Set(runtimeImports().map((entry) => entry.packageName));

    // Act
    const unused = Object.keys(packageJson.dependencies).filter((name) => !used.has(name));

    // Assert
    expect(unused).toEqual([]);
  });

  it('never lists a package under both dependencies and devDependencies', () => {
    // Act
    const both = Object.keys(packageJson.dependencies).filter((name) => name in packageJson.devDependencies);

    // Assert
    expect(both).toEqual([]);
  });
});
