import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency directions of DESIGN.md §4: `core` ← `functions` ← `local`; `core`,
 * `state-machine` ← `infra`; `core` ← `cli`; `infra` and `local` never import each other.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Packages only the deployment side (infra/) or the task code may use, never core. */
const AWS_PACKAGES = /^(aws-cdk-lib|constructs|cdk-nag|@aws-sdk\/|@aws-lambda-powertools\/|@middy\/)/;

interface Import {
  /** The importing file, relative to the repository root. */
  readonly file: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** A relative import resolved against the repository root; undefined for a package. */
  readonly target?: string;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

const IMPORT_PATTERN = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function importsOf(folder: string): Import[] {
  return sourceFiles(folder).flatMap((file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    return [...text.matchAll(IMPORT_PATTERN)].map((match) => {
      const specifier = match[1] ?? '';
      if (!specifier.startsWith('.')) return { file, specifier };
      const target = relative(ROOT, resolve(ROOT, dirname(file), specifier));
      return { file, specifier, target };
    });
  });
}

/** The top-level folder of a repository path (`core`, `infra` …). */
function topFolder(path: string): string {
  return path.split(sep)[0] ?? path;
}

function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}${sep}`);
}

function offending(folder: string, allowed: readonly string[]): string[] {
  return importsOf(folder)
    .filter((entry) => entry.target !== undefined && !allowed.includes(topFolder(entry.target)))
    .map((entry) => `${entry.file} → ${entry.specifier}`);
}

describe('dependency direction', () => {
  it('sees the imports it checks', () => {
    // Act
    const infraToCore = importsOf('infra').filter((entry) => entry.target?.startsWith(`core${sep}`));

    // Assert
    expect(infraToCore.length).toBeGreaterThan(0);
  });

  it('core imports nothing of ours outside core', () => {
    // Act
    const found = offending('core', ['core']);

    // Assert
    expect(found).toEqual([]);
  });

  it('core uses no AWS client, CDK or Lambda middleware package', () => {
    // Act
    const found = importsOf('core')
      .filter((entry) => entry.target === undefined && AWS_PACKAGES.test(entry.specifier))
      .map((entry) => `${entry.file} → ${entry.specifier}`);

    // Assert
    expect(found).toEqual([]);
  });

  it('functions import only core (and their own shared code)', () => {
    // Act
    const found = offending('functions', ['functions', 'core']);

    // Assert
    expect(found).toEqual([]);
  });

  it('cli imports core, local, the state machine, the console it starts and its own code — never the task functions', () => {
    // Act
    const found = offending('cli', ['cli', 'console', 'core', 'local', 'state-machine']);

    // Assert
    expect(found).toEqual([]);
  });

  it('the state machine definition imports only core', () => {
    // Act
    const found = offending('state-machine', ['state-machine', 'core']);

    // Assert
    expect(found).toEqual([]);
  });

  it('infra and local never import each other', () => {
    // Act
    const found = [
      ...offending('infra', ['infra', 'core', 'state-machine']),
      ...importsOf('local')
        .filter((entry) => entry.target !== undefined && topFolder(entry.target) === 'infra')
        .map((entry) => `${entry.file} → ${entry.specifier}`),
    ];

    // Assert
    expect(found).toEqual([]);
  });

  it('the local policy evaluator reads the permission plan from core, never from infra', () => {
    // Act
    const found = importsOf(join('local', 'iam'))
      .filter(
        (entry) =>
          (entry.target !== undefined &&
            !within(entry.target, join('local', 'iam')) &&
            topFolder(entry.target) !== 'core') ||
          (entry.target === undefined && AWS_PACKAGES.test(entry.specifier)),
      )
      .map((entry) => `${entry.file} → ${entry.specifier}`);

    // Assert
    expect(found).toEqual([]);
  });
});
