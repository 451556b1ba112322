import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { referenceEntryOf, relayBuildOptions, sdkUsageOf } from '../../../bench/lib/lambda-bundle.ts';

/**
 * The benchmark's size goal (case 3) judges each handler bundle against a bundle of the SDK clients and
 * commands it uses, read from the handler's own metafile. These tests hold that reading to the handlers'
 * source: it finds every command their bundled code imports from `@aws-sdk/client-*`, and nothing that
 * code does not import but what a client uses itself — so the reference is never inflated.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Commands a client sends on its own (S3Client signs S3 Express requests with CreateSession). */
const CLIENT_OWN_COMMANDS = new Set(['CreateSessionCommand']);

async function metafileOf(handler: string): Promise<Metafile> {
  const result = await build({
    ...relayBuildOptions(),
    entryPoints: [join(ROOT, 'functions', handler, 'handler.ts')],
    outfile: join(ROOT, 'bench', '.out', 'test-bundles', `${handler}.mjs`),
    write: false,
  });
  if (result.metafile === undefined) throw new Error('no metafile');
  return result.metafile;
}

/** The values (not `type`s) the relay sources in the bundle import from each `@aws-sdk/client-*` package. */
function importedSdkValues(metafile: Metafile): Map<string, Set<string>> {
  const imports = new Map<string, Set<string>>();
  const sources = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([path, input]) => input.bytesInOutput > 0 && !path.includes('node_modules'))
      .map(([path]) => path),
  );
  for (const source of sources) {
    const text = readFileSync(join(ROOT, source), 'utf8');
    for (const match of text.matchAll(
      /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/client-[^']+)'/gm,
    )) {
      if (match[1] !== undefined) continue;
      const names = (match[2] ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '' && !name.startsWith('type '));
      const pkg = match[3] ?? '';
      const set = imports.get(pkg) ?? new Set<string>();
      for (const name of names) set.add(name.split(/\s+as\s+/)[0] ?? name);
      imports.set(pkg, set);
    }
  }
  return imports;
}

describe('sdkUsageOf', () => {
  it.each([
    'check-deployment',
    'copy-object',
    'notify',
    'pipeline-action',
    'resolve-targets',
    'start-deployment',
  ])('finds in the %s bundle the commands its code imports, and only what it imports', async (handler) => {
    // Arrange
    const metafile = await metafileOf(handler);
    const imported = importedSdkValues(metafile);

    // Act
    const usage = sdkUsageOf(metafile);

    // Assert
    expect(usage.size).toBeGreaterThan(0);
    for (const [pkg, names] of usage) {
      const notImported = names.filter((name) => !imported.get(pkg)?.has(name));
      expect(notImported.filter((name) => !CLIENT_OWN_COMMANDS.has(name))).toEqual([]);
    }
    for (const [pkg, names] of imported) {
      const commands = [...names].filter((name) => name.endsWith('Command'));
      expect(usage.get(pkg) ?? []).toEqual(expect.arrayContaining(commands));
    }
  });

  it('refuses a bundle without the SDK’s ES module builds, which it cannot read commands from', () => {
    // Arrange
    const metafile: Metafile = {
      inputs: {},
      outputs: {
        'out.mjs': {
          bytes: 10,
          inputs: { 'node_modules/@aws-sdk/client-s3/dist-cjs/index.js': { bytesInOutput: 10 } },
          imports: [],
          exports: [],
        },
      },
    };

    // Act / Assert
    expect(() => sdkUsageOf(metafile)).toThrow(/ES module builds/);
  });
});

describe('referenceEntryOf', () => {
  it('re-exports each package’s clients and commands, so the reference bundle keeps all of them', () => {
    // Arrange
    const usage = new Map([
      ['@aws-sdk/client-codedeploy', ['CodeDeployClient', 'GetDeploymentCommand']],
      ['@aws-sdk/client-s3', ['HeadObjectCommand', 'S3Client']],
    ]);

    // Act
    const entry = referenceEntryOf(usage);

    // Assert
    expect(entry).toBe(
      [
        "export { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';",
        "export { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';",
      ].join('\n'),
    );
  });
});
