/**
 * EventBridge event-pattern matching (content filtering), as documented in the EventBridge user guide:
 * a pattern is a JSON object whose leaves are arrays of matchers; a field matches when any matcher of its
 * array matches; every field of the pattern must match; fields the pattern leaves out are ignored.
 *
 * Supported: exact string/number/boolean/null values, `prefix`, `suffix` (both also with
 * `equals-ignore-case`), `equals-ignore-case`, `wildcard`, `anything-but` (value, list, `prefix`,
 * `suffix`, `equals-ignore-case`, `wildcard`), `exists`, `numeric` and `$or`. Not supported: `cidr`.
 */

/** A JSON scalar as it appears in an event. */
export type EventPatternScalar = string | number | boolean | null;

/** `{ "equals-ignore-case": "…" }`, usable inside `prefix` and `suffix`. */
export interface IgnoreCaseOperand {
  readonly 'equals-ignore-case': string;
}

/** What `anything-but` excludes. */
export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

/** A content-filter operator object (exactly one key). */
export type EventPatternOperator =
  | { readonly prefix: string | IgnoreCaseOperand }
  | { readonly suffix: string | IgnoreCaseOperand }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly exists: boolean }
  | { readonly numeric: readonly (string | number)[] };

/** One element of a leaf array. */
export type EventPatternMatcher = EventPatternScalar | EventPatternOperator;

/** A field of a pattern: a leaf array, a nested pattern, or (under `$or`) a list of patterns. */
export type EventPatternField = readonly EventPatternMatcher[] | EventPattern | readonly EventPattern[];

/** An EventBridge event pattern, as given to PutRule or the CDK's `events.Rule`. */
export interface EventPattern {
  readonly [field: string]: EventPatternField;
}

/** The pattern is not a valid EventBridge pattern; `path` names the offending place (`detail.object.key[0]`). */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Invalid event pattern at ${path}: ${reason}`);
  }
}

type Leaf = string | number | boolean | null;
type ValueTest = (value: Leaf) => boolean;
type FieldTest =
  | { readonly kind: 'value'; readonly test: ValueTest }
  | { readonly kind: 'exists'; readonly expected: boolean };
type ObjectTest = (object: Readonly<Record<string, unknown>>) => boolean;

const NUMERIC_OPERATORS = new Set(['<', '<=', '=', '>', '>=']);

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function fieldPath(base: string, field: string): string {
  return base === '' ? field : `${base}.${field}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function fail(path: string, reason: string): never {
  throw new InvalidEventPatternError(path === '' ? '(root)' : path, reason);
}

function lower(value: string): string {
  return value.toLowerCase();
}

// ---------------------------------------------------------------------------------------------------
// Wildcards: `*` is any run of characters (also none); `\*` a literal star; `\\` a literal backslash.

function compileWildcard(pattern: unknown, path: string): (value: string) => boolean {
  if (typeof pattern !== 'string') fail(path, `wildcard must be a string, got ${describe(pattern)}`);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        fail(
          path,
          `invalid escape at position ${i} of wildcard ${JSON.stringify(pattern)} (only \\* and \\\\)`,
        );
      }
      source += `\\${next}`;
      i++;
    } else if (char === '*') {
      if (pattern[i + 1] === '*') {
        fail(path, `consecutive wildcard characters at position ${i} of ${JSON.stringify(pattern)}`);
      }
      source += '[\\s\\S]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]/-]/g, '\\$&');
    }
  }
  const regex = new RegExp(`^${source}$`);
  return (value) => regex.test(value);
}

// ---------------------------------------------------------------------------------------------------
// Operators.

function compileAffix(operand: unknown, path: string, op: 'prefix' | 'suffix'): (value: string) => boolean {
  const check = (value: string, affix: string): boolean =>
    op === 'prefix' ? value.startsWith(affix) : value.endsWith(affix);
  if (typeof operand === 'string') return (value) => check(value, operand);
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const ignoreCase = operand['equals-ignore-case'];
    if (keys.length === 1 && typeof ignoreCase === 'string') {
      const folded = lower(ignoreCase);
      return (value) => check(lower(value), folded);
    }
  }
  return fail(path, `${op} takes a string or { "equals-ignore-case": string }, got ${describe(operand)}`);
}

function stringsOrOne(operand: unknown, path: string, what: string): string[] {
  const list = Array.isArray(operand) ? (operand as unknown[]) : [operand];
  if (list.length === 0) fail(path, `${what} must not be an empty list`);
  return list.map((item, index) => {
    if (typeof item !== 'string') {
      fail(
        Array.isArray(operand) ? `${path}[${index}]` : path,
        `${what} takes strings, got ${describe(item)}`,
      );
    }
    return item;
  });
}

function compileAnythingBut(operand: unknown, path: string): ValueTest {
  if (typeof operand === 'string' || typeof operand === 'number') {
    return (value) => value !== operand;
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) fail(path, 'anything-but must not be an empty list');
    const allStrings = operand.every((v) => typeof v === 'string');
    const allNumbers = operand.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!allStrings && !allNumbers) fail(path, 'anything-but takes a list of only strings or only numbers');
    const excluded = new Set<unknown>(operand);
    return (value) => !excluded.has(value);
  }
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    if (keys.length !== 1) {
      fail(
        path,
        `anything-but takes exactly one of prefix, suffix, equals-ignore-case, wildcard; got ${keys.join(', ') || 'none'}`,
      );
    }
    const key = keys[0]!;
    const inner = operand[key];
    const innerPath = `${path}.${key}`;
    switch (key) {
      case 'prefix':
      case 'suffix': {
        if (typeof inner !== 'string')
          fail(innerPath, `anything-but ${key} takes one string, got ${describe(inner)}`);
        const test = compileAffix(inner, innerPath, key);
        return (value) => typeof value !== 'string' || !test(value);
      }
      case 'equals-ignore-case': {
        const excluded = new Set(
          stringsOrOne(inner, innerPath, 'anything-but equals-ignore-case').map(lower),
        );
        return (value) => typeof value !== 'string' || !excluded.has(lower(value));
      }
      case 'wildcard': {
        const tests = stringsOrOne(inner, innerPath, 'anything-but wildcard').map((w, i) =>
          compileWildcard(w, Array.isArray(inner) ? `${innerPath}[${i}]` : innerPath),
        );
        return (value) => typeof value !== 'string' || !tests.some((test) => test(value));
      }
      default:
        return fail(innerPath, `anything-but does not support ${JSON.stringify(key)}`);
    }
  }
  return fail(
    path,
    `anything-but takes a string, a number, a list of either, or an operator object; got ${describe(operand)}`,
  );
}

function compileNumeric(operand: unknown, path: string): ValueTest {
  if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    return fail(path, 'numeric takes [op, number] or [op, number, op, number]');
  }
  const comparisons: Array<{ op: string; bound: number }> = [];
  for (let i = 0; i < operand.length; i += 2) {
    const op: unknown = operand[i];
    const bound: unknown = operand[i + 1];
    if (typeof op !== 'string' || !NUMERIC_OPERATORS.has(op)) {
      fail(`${path}[${i}]`, `numeric operator must be one of <, <=, =, >, >=; got ${describe(op)}`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      fail(`${path}[${i + 1}]`, `numeric bound must be a finite number, got ${describe(bound)}`);
    }
    comparisons.push({ op, bound });
  }
  if (comparisons.length === 2) {
    const [a, b] = comparisons as [{ op: string; bound: number }, { op: string; bound: number }];
    const lowerBound = a.op.startsWith('>') ? a : b.op.startsWith('>') ? b : undefined;
    const upperBound = a.op.startsWith('<') ? a : b.op.startsWith('<') ? b : undefined;
    if (lowerBound === undefined || upperBound === undefined) {
      fail(path, 'a numeric range needs one lower bound (> or >=) and one upper bound (< or <=)');
    }
    if (lowerBound.bound >= upperBound.bound) fail(path, 'the lower bound must be less than the upper bound');
  }
  return (value) =>
    typeof value === 'number' &&
    comparisons.every(({ op, bound }) => {
      switch (op) {
        case '<':
          return value < bound;
        case '<=':
          return value <= bound;
        case '=':
          return value === bound;
        case '>':
          return value > bound;
        default:
          return value >= bound;
      }
    });
}

function compileOperator(matcher: Readonly<Record<string, unknown>>, path: string): FieldTest {
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    fail(
      path,
      `a matcher object takes exactly one operator, got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    );
  }
  const op = keys[0]!;
  const operand = matcher[op];
  const opPath = `${path}.${op}`;
  switch (op) {
    case 'prefix':
    case 'suffix': {
      const test = compileAffix(operand, opPath, op);
      return { kind: 'value', test: (value) => typeof value === 'string' && test(value) };
    }
    case 'equals-ignore-case': {
      if (typeof operand !== 'string')
        fail(opPath, `equals-ignore-case takes a string, got ${describe(operand)}`);
      const folded = lower(operand);
      return { kind: 'value', test: (value) => typeof value === 'string' && lower(value) === folded };
    }
    case 'wildcard': {
      const test = compileWildcard(operand, opPath);
      return { kind: 'value', test: (value) => typeof value === 'string' && test(value) };
    }
    case 'anything-but':
      return { kind: 'value', test: compileAnythingBut(operand, opPath) };
    case 'numeric':
      return { kind: 'value', test: compileNumeric(operand, opPath) };
    case 'exists':
      if (typeof operand !== 'boolean') fail(opPath, `exists takes true or false, got ${describe(operand)}`);
      return { kind: 'exists', expected: operand };
    case 'cidr':
      return fail(opPath, 'cidr matching is not supported by the local EventBridge bridge');
    default:
      return fail(opPath, `unknown operator ${JSON.stringify(op)}`);
  }
}

function compileMatcher(matcher: unknown, path: string): FieldTest {
  if (matcher === null || typeof matcher === 'string' || typeof matcher === 'boolean') {
    return { kind: 'value', test: (value) => value === matcher };
  }
  if (typeof matcher === 'number') {
    if (!Number.isFinite(matcher)) fail(path, 'numbers must be finite');
    return { kind: 'value', test: (value) => value === matcher };
  }
  if (isPlainObject(matcher)) return compileOperator(matcher, path);
  return fail(path, `a matcher must be a JSON scalar or an operator object, got ${describe(matcher)}`);
}

// ---------------------------------------------------------------------------------------------------
// Structure.

/** The leaf values of an event field: scalars, with arrays flattened and objects skipped. */
function leavesOf(value: unknown, into: Leaf[] = []): Leaf[] {
  if (value === undefined) return into;
  if (Array.isArray(value)) {
    for (const item of value) leavesOf(item, into);
  } else if (value === null || typeof value !== 'object') {
    into.push(value as Leaf);
  }
  return into;
}

/** The objects of an event field (arrays flattened); none means the nested path is absent. */
function objectsOf(value: unknown, into: Array<Readonly<Record<string, unknown>>> = []) {
  if (Array.isArray(value)) {
    for (const item of value) objectsOf(item, into);
  } else if (isPlainObject(value)) {
    into.push(value);
  }
  return into;
}

const ABSENT: Readonly<Record<string, unknown>> = Object.freeze({});

function compileLeafArray(matchers: readonly unknown[], path: string): (value: unknown) => boolean {
  if (matchers.length === 0) fail(path, 'a field must list at least one value to match');
  const tests = matchers.map((m, i) => compileMatcher(m, `${path}[${i}]`));
  return (value) => {
    const leaves = leavesOf(value);
    return tests.some((t) =>
      t.kind === 'exists' ? leaves.length > 0 === t.expected : leaves.some((leaf) => t.test(leaf)),
    );
  };
}

function compileObject(pattern: unknown, path: string): ObjectTest {
  if (!isPlainObject(pattern)) return fail(path, `a pattern must be a JSON object, got ${describe(pattern)}`);
  const fields = Object.keys(pattern);
  if (fields.length === 0) fail(path, 'a pattern object must name at least one field');
  const tests: ObjectTest[] = fields.map((field) => {
    const value = pattern[field];
    const here = fieldPath(path, field);
    if (field === '$or') {
      if (!Array.isArray(value) || value.length === 0 || !value.every(isPlainObject)) {
        fail(here, '$or takes a non-empty list of pattern objects');
      }
      const branches = value.map((branch, i) => compileObject(branch, `${here}[${i}]`));
      return (object) => branches.some((branch) => branch(object));
    }
    if (Array.isArray(value)) {
      const test = compileLeafArray(value, here);
      return (object) => test(Object.hasOwn(object, field) ? object[field] : undefined);
    }
    if (isPlainObject(value)) {
      const nested = compileObject(value, here);
      return (object) => {
        const candidates = objectsOf(Object.hasOwn(object, field) ? object[field] : undefined);
        return candidates.length === 0 ? nested(ABSENT) : candidates.some((candidate) => nested(candidate));
      };
    }
    return fail(
      here,
      `a field must be an array of values or a nested pattern object, got ${describe(value)}`,
    );
  });
  return (object) => tests.every((test) => test(object));
}

const compiled = new WeakMap<object, ObjectTest>();

/**
 * Checks a pattern and compiles it once (patterns are treated as immutable and cached by identity).
 * @throws InvalidEventPatternError naming the path of the first problem.
 */
export function compileEventPattern(pattern: EventPattern): (event: unknown) => boolean {
  let test = compiled.get(pattern);
  if (test === undefined) {
    test = compileObject(pattern, '');
    compiled.set(pattern, test);
  }
  const ready = test;
  return (event) => ready(isPlainObject(event) ? event : ABSENT);
}

/**
 * Validates an untyped value (a rule read from JSON) as an event pattern.
 * @throws InvalidEventPatternError naming the path of the first problem.
 */
export function parseEventPattern(value: unknown): EventPattern {
  if (!isPlainObject(value)) fail('', `a pattern must be a JSON object, got ${describe(value)}`);
  compileEventPattern(value as EventPattern);
  return value as EventPattern;
}

/**
 * Whether `event` matches `pattern` under EventBridge's content-filtering rules.
 * @throws InvalidEventPatternError when the pattern is invalid.
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return compileEventPattern(pattern)(event);
}
