import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { relayBuildOptions } from '../../../bench/lib/lambda-bundle.ts';

/**
 * What the Lambda bundles must not carry (issue #14: smaller bundles, faster cold starts), checked on
 * each `functions/<name>/handler.ts` bundled as the CDK app bundles it. Sizes themselves are the
 * benchmark's (case 3), never asserted here.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const HANDLERS = readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'functions', entry.name, 'handler.ts')))
  .map((entry) => entry.name)
  .sort();

/** The inputs (repository-relative paths) that put bytes into the handler's bundle. */
async function bundledInputs(handler: string): Promise<string[]> {
  const result = await build({
    ...relayBuildOptions(),
    entryPoints: [join(ROOT, 'functions', handler, 'handler.ts')],
    outfile: join(ROOT, 'bench', '.out', 'test-bundles', `${handler}.mjs`),
    write: false,
  });
  return Object.values(result.metafile?.outputs ?? {}).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
}

describe('the Lambda bundles', () => {
  it('are every folder of functions/ with a handler', () => {
    // Arrange / Act / Assert
    expect(HANDLERS).toEqual(expect.arrayContaining(['resolve-targets', 'copy-object', 'notify']));
  });

  it.each(HANDLERS)('%s carries no YAML parser (the Lambdas read JSON configuration)', async (handler) => {
    // Arrange / Act
    const inputs = await bundledInputs(handler);

    // Assert
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((path) => path.includes('node_modules/yaml/'))).toEqual([]);
  });

  it.each(HANDLERS)(
    '%s parses with zod/mini only, not the classic API (which does not tree-shake)',
    async (handler) => {
      // Arrange / Act
      const inputs = await bundledInputs(handler);

      // Assert
      expect(inputs.some((path) => path.includes('node_modules/zod/v4/mini/'))).toBe(true);
      expect(inputs.filter((path) => path.includes('node_modules/zod/v4/classic/'))).toEqual([]);
    },
  );
});
