import { type ConfigProblem, formatPath } from './problems.ts';

/**
 * Bounds on a configuration file, so that a hostile or broken one fails with a message that
 * names it instead of exhausting memory or the stack: a size limit checked while reading, and a
 * nesting limit checked without recursion — on the YAML syntax tree before the document is built
 * (building a deep YAML document overflows the stack; core/config/yaml.ts) and on every parsed value
 * before the schema walks it.
 */

/** The largest configuration file read: far above any real one (a few KiB). */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The deepest nesting of objects and arrays accepted. A valid configuration nests 8 levels (the
 * file → sources → source → rules → rule → targets → target → encryption), so this only stops
 * broken or hostile files.
 */
export const MAX_CONFIG_DEPTH = 32;

/** The most alias nodes a YAML file may use (the `yaml` parser's own bound on alias expansion). */
export const MAX_YAML_ALIASES = 100;

/** The problem of a file larger than {@link MAX_CONFIG_BYTES}. */
export function sizeProblem(bytes: number | undefined): ConfigProblem {
  return {
    path: '(root)',
    message: `the file is ${bytes === undefined ? `larger than ${MAX_CONFIG_BYTES} bytes` : `${bytes} bytes long`}; a relay configuration is at most ${MAX_CONFIG_BYTES} bytes (1 MiB)`,
    showGot: false,
    allowed: 'a file of at most 1 MiB',
  };
}

/** The problem of nesting past {@link MAX_CONFIG_DEPTH}, at `where`; `found` says where in the text, if known. */
export function deepProblem(where: string, found: string): ConfigProblem {
  return {
    path: where,
    message: `the configuration is nested more than ${MAX_CONFIG_DEPTH} levels deep${found}; a relay configuration needs 8`,
    showGot: false,
    allowed: `at most ${MAX_CONFIG_DEPTH} levels of objects and arrays`,
  };
}

/**
 * The problem of a value nested deeper than {@link MAX_CONFIG_DEPTH}, at the path of its first
 * value past the limit; `undefined` when it is within. Iterative: any depth is safe to check.
 */
export function depthProblem(value: unknown): ConfigProblem | undefined {
  const stack: { value: unknown; path: readonly PropertyKey[] }[] = [{ value, path: [] }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const current = entry.value;
    if (typeof current !== 'object' || current === null) continue;
    if (entry.path.length >= MAX_CONFIG_DEPTH) return deepProblem(formatPath(entry.path), '');
    const children: [PropertyKey, unknown][] = Array.isArray(current)
      ? current.map((item, index) => [index, item])
      : Object.entries(current);
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child !== undefined && typeof child[1] === 'object' && child[1] !== null) {
        stack.push({ value: child[1], path: [...entry.path, child[0]] });
      }
    }
  }
  return undefined;
}
