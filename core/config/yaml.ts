import { Parser } from 'yaml';
import { deepProblem, MAX_CONFIG_DEPTH } from './limits.ts';
import type { ConfigProblem } from './problems.ts';

/**
 * The nesting bound of core/config/limits.ts for YAML text, checked on its concrete syntax tree before
 * the document is built. A module of its own so that only the YAML reader (core/config/load.ts) brings
 * the `yaml` package: the task Lambdas read JSON only (core/config/read.ts).
 */

interface CstNode {
  readonly type?: string;
  readonly offset?: number;
  readonly value?: unknown;
  readonly key?: unknown;
  readonly items?: readonly { readonly key?: unknown; readonly value?: unknown }[];
}

const COLLECTIONS: ReadonlySet<string> = new Set(['block-map', 'block-seq', 'flow-collection']);

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return `line ${line}, column ${offset - start + 1}`;
}

/**
 * The problem of YAML text whose collections nest deeper than {@link MAX_CONFIG_DEPTH}, read from
 * its concrete syntax tree (built without recursion) so that the document is never built.
 */
export function yamlDepthProblem(text: string): ConfigProblem | undefined {
  for (const document of new Parser().parse(text)) {
    const stack: { node: unknown; depth: number }[] = [{ node: document, depth: 0 }];
    for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
      if (typeof entry.node !== 'object' || entry.node === null) continue;
      const node = entry.node as CstNode;
      const depth = node.type !== undefined && COLLECTIONS.has(node.type) ? entry.depth + 1 : entry.depth;
      if (depth > MAX_CONFIG_DEPTH) {
        return deepProblem('(root)', ` (at ${lineAndColumn(text, node.offset ?? 0)})`);
      }
      if (node.value !== undefined) stack.push({ node: node.value, depth });
      for (const item of node.items ?? []) {
        if (item.key !== undefined) stack.push({ node: item.key, depth });
        if (item.value !== undefined) stack.push({ node: item.value, depth });
      }
    }
  }
  return undefined;
}
