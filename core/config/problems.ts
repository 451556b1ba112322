import {
  $ZodArray,
  $ZodDefault,
  $ZodDiscriminatedUnion,
  type $ZodError,
  $ZodLiteral,
  $ZodNullable,
  $ZodObject,
  $ZodOptional,
  $ZodPrefault,
  type $ZodType,
} from 'zod/v4/core';

/** One thing wrong with a configuration. */
export interface ConfigProblem {
  /** Where, as a JSON path such as `sources[0].rules[1].targets[0].region` (`(root)` for the whole file). */
  readonly path: string;
  /** What is wrong. */
  readonly message: string;
  /** The offending value, when there is one (`undefined` prints as "nothing"). */
  readonly got?: unknown;
  /** Whether `got` should be printed at all. */
  readonly showGot?: boolean;
  /** What would be allowed instead. */
  readonly allowed?: string;
}

/** Formats a path of keys and indexes as `a.b[0].c` (keys that are not identifiers as `["key"]`). */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)
        ? out === ''
          ? key
          : `.${key}`
        : `[${JSON.stringify(key)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Renders a problem as `path: what is wrong (got X; allowed: …)`. */
export function renderProblem(problem: ConfigProblem): string {
  const details = [
    problem.showGot === false ? undefined : `got ${formatValue(problem.got)}`,
    problem.allowed === undefined ? undefined : `allowed: ${problem.allowed}`,
  ].filter((d): d is string => d !== undefined);
  return `${problem.path}: ${problem.message}${details.length === 0 ? '' : ` (${details.join('; ')})`}`;
}

/*
 * The schema walk below uses zod's core classes, which classic and `zod/mini` schemas both are
 * instances of, so the formatter works for either API (and keeps classic zod out of a bundle that
 * uses `zod/mini`).
 */

function unwrap(schema: $ZodType): $ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof $ZodOptional ||
      current instanceof $ZodDefault ||
      current instanceof $ZodPrefault ||
      current instanceof $ZodNullable
    ) {
      current = current._zod.def.innerType;
    } else {
      return current;
    }
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** The object schema an issue path points at, following the input through discriminated unions. */
function objectSchemaAt(
  root: $ZodType,
  path: readonly PropertyKey[],
  input: unknown,
): $ZodObject | undefined {
  let schema = unwrap(root);
  const resolveUnion = (at: readonly PropertyKey[]): void => {
    if (!(schema instanceof $ZodDiscriminatedUnion)) return;
    const value = valueAt(input, at);
    const { discriminator, options } = schema._zod.def;
    const tag =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[discriminator]
        : undefined;
    const option = options.find((o) => {
      const literal = o instanceof $ZodObject ? o._zod.def.shape[discriminator] : undefined;
      return literal instanceof $ZodLiteral && literal._zod.values.has(tag as never);
    });
    const chosen = option ?? options[0];
    if (chosen !== undefined) schema = unwrap(chosen);
  };
  resolveUnion([]);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (schema instanceof $ZodArray && typeof segment === 'number') schema = unwrap(schema._zod.def.element);
    else if (
      schema instanceof $ZodObject &&
      typeof segment === 'string' &&
      segment in schema._zod.def.shape
    ) {
      schema = unwrap(schema._zod.def.shape[segment] as $ZodType);
    } else return undefined;
    resolveUnion(path.slice(0, i + 1));
  }
  return schema instanceof $ZodObject ? schema : undefined;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      const left = previous[j - 1] ?? 0;
      previous[j] = Math.min(
        above + 1,
        left + 1,
        diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/** The candidate nearest to `word` within two edits (letter case ignored), for a did-you-mean. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function typeName(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'array':
    case 'object':
      return `an ${expected}`;
    default:
      return `a ${expected}`;
  }
}

function plural(count: string, noun: string): string {
  return `${count} ${noun}${count === '1' ? '' : 's'}`;
}

function sizeBound(issue: { origin?: unknown }, bound: unknown, inclusive: unknown, below: boolean): string {
  const value = typeof bound === 'bigint' ? bound.toString() : String(bound);
  const op = below ? (inclusive === false ? '>' : '>=') : inclusive === false ? '<' : '<=';
  switch (issue.origin) {
    case 'string':
      return `${op === '>=' ? 'at least' : op === '<=' ? 'at most' : op} ${plural(value, 'character')}`;
    case 'array':
    case 'set':
      return `${op === '>=' ? 'at least' : op === '<=' ? 'at most' : op} ${plural(value, 'item')}`;
    default:
      return `${op} ${value}`;
  }
}

/** Turns a zod error from `schema` into problems, with the allowed keys for unknown ones. */
export function problemsFromZod(error: $ZodError, schema: $ZodType, input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path as PropertyKey[];
    const got = 'input' in issue ? issue.input : valueAt(input, path);
    switch (issue.code) {
      case 'invalid_type':
        problems.push(
          got === undefined
            ? {
                path: formatPath(path),
                message: 'is required',
                showGot: false,
                allowed: typeName(issue.expected),
              }
            : { path: formatPath(path), message: `must be ${typeName(issue.expected)}`, got },
        );
        break;
      case 'unrecognized_keys': {
        const allowedKeys = Object.keys(objectSchemaAt(schema, path, input)?._zod.def.shape ?? {});
        for (const key of issue.keys) {
          const suggestion = closest(key, allowedKeys);
          problems.push({
            path: formatPath([...path, key]),
            message: suggestion === undefined ? 'unknown key' : `unknown key (did you mean "${suggestion}"?)`,
            got: valueAt(input, [...path, key]),
            ...(allowedKeys.length === 0 ? {} : { allowed: allowedKeys.join(', ') }),
          });
        }
        break;
      }
      case 'invalid_value':
        problems.push({
          path: formatPath(path),
          message: 'is not an allowed value',
          got,
          allowed: issue.values.map((v) => JSON.stringify(v)).join(', '),
        });
        break;
      case 'invalid_union': {
        const options = (issue as { options?: unknown }).options;
        const discriminator = (issue as { discriminator?: unknown }).discriminator;
        if (Array.isArray(options) && typeof discriminator === 'string') {
          problems.push({
            path: formatPath(path),
            message: 'is not an allowed value',
            got: valueAt(input, path),
            allowed: options.map((v) => JSON.stringify(v)).join(', '),
          });
        } else {
          problems.push({ path: formatPath(path), message: 'does not match any allowed form', got });
        }
        break;
      }
      case 'too_small':
        problems.push({
          path: formatPath(path),
          message:
            issue.origin === 'string' && issue.minimum === 1
              ? 'must not be empty (omit it instead)'
              : issue.origin === 'array'
                ? `needs ${sizeBound(issue, issue.minimum, issue.inclusive, true)}`
                : 'is too small',
          got,
          allowed: sizeBound(issue, issue.minimum, issue.inclusive, true),
        });
        break;
      case 'too_big':
        problems.push({
          path: formatPath(path),
          message: 'is too big',
          got,
          allowed: sizeBound(issue, issue.maximum, issue.inclusive, false),
        });
        break;
      case 'not_multiple_of':
        problems.push({
          path: formatPath(path),
          message: 'is not a whole multiple',
          got,
          allowed: `a multiple of ${issue.divisor}`,
        });
        break;
      case 'custom': {
        const allowed = (issue.params as { allowed?: unknown } | undefined)?.allowed;
        problems.push({
          path: formatPath(path),
          message: issue.message,
          got,
          ...(typeof allowed === 'string' ? { allowed } : {}),
        });
        break;
      }
      case 'invalid_key': {
        // A record key the key schema refused: its own message says what keys are allowed.
        const inner = (issue as { issues?: ReadonlyArray<{ message?: string }> }).issues?.[0]?.message;
        problems.push({ path: formatPath(path), message: inner ?? issue.message, showGot: false });
        break;
      }
      default:
        problems.push({ path: formatPath(path), message: issue.message, got });
    }
  }
  return problems;
}

function documentOrder(input: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const visit = (value: unknown, segments: PropertyKey[]): void => {
    order.set(formatPath(segments), order.size);
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        visit(item, [...segments, index]);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, [...segments, key]);
    }
  };
  visit(input, []);
  return order;
}

function positionOf(path: string, order: ReadonlyMap<string, number>): number {
  let current = path;
  for (;;) {
    const found = order.get(current);
    if (found !== undefined) return found;
    const parent = current.replace(/(\.[A-Za-z_$][A-Za-z0-9_$]*|\[[^\]]*\])$/, '');
    if (parent === current || parent === '') return order.get('(root)') ?? 0;
    current = parent;
  }
}

/** Orders problems as their places appear in `input` (missing keys at their parent); same-place order is kept. */
export function sortProblems(problems: readonly ConfigProblem[], input: unknown): ConfigProblem[] {
  const order = documentOrder(input);
  return problems
    .map((problem, index) => ({ problem, index, position: positionOf(problem.path, order) }))
    .sort((a, b) => a.position - b.position || a.index - b.index)
    .map((entry) => entry.problem);
}
