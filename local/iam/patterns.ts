/**
 * IAM's matching of actions, resource ARNs and string/ARN condition values: `*` (any run of
 * characters) and `?` (any one character), policy variables `${key}` (`${key, 'default'}`) taken
 * from the request context, and the escapes `${*}`, `${?}`, `${$}` that stand for the characters
 * themselves (what `core/permissions/arns.ts#escapeIamLiteral` writes). Actions compare
 * case-insensitively; resources and condition values case-sensitively.
 */

/** A request context: condition key → value(s). Keys compare case-insensitively. */
export type RequestContext = ReadonlyMap<string, readonly string[]>;

/** One piece of a pattern. */
type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'any' }
  | { readonly kind: 'one' };

/** What a pattern may contain besides literal text. */
export interface PatternOptions {
  /** `*` and `?` are wildcards (StringLike, ArnLike, Action, Resource); else literal. */
  readonly wildcards: boolean;
  /** Substitute `${…}`: only in policies of version 2012-10-17. */
  readonly variables: boolean;
  /** The request context the variables read. */
  readonly context: RequestContext;
}

const VARIABLE = /^\$\{([^}]*)\}/;
const DEFAULTED = /^\s*([^,]+?)\s*,\s*'([^']*)'\s*$/;

/** The value of `${body}`: an escape, a context key (single-valued) or its default; undefined if absent. */
function variableValue(body: string, context: RequestContext): string | undefined {
  if (body === '*' || body === '?' || body === '$') return body;
  const defaulted = DEFAULTED.exec(body);
  const key = (defaulted?.[1] ?? body).trim().toLowerCase();
  const values = context.get(key);
  if (values !== undefined && values.length === 1) return values[0];
  return defaulted?.[2];
}

/**
 * A pattern as tokens, split into colon-delimited segments when `segments` > 1 (the first
 * `segments - 1` colons of the pattern itself, not of substituted values, start a new one).
 * Undefined when a variable has no value in the context: such an element matches nothing.
 */
function tokenize(pattern: string, options: PatternOptions, segments = 1): Token[][] | undefined {
  const result: Token[][] = [[]];
  let index = 0;
  while (index < pattern.length) {
    const rest = pattern.slice(index);
    const variable = options.variables ? VARIABLE.exec(rest) : null;
    const current = result[result.length - 1]!;
    if (variable !== null) {
      const value = variableValue(variable[1] ?? '', options.context);
      if (value === undefined) return undefined;
      current.push({ kind: 'literal', text: value });
      index += variable[0].length;
      continue;
    }
    const char = pattern[index]!;
    if (options.wildcards && char === '*') current.push({ kind: 'any' });
    else if (options.wildcards && char === '?') current.push({ kind: 'one' });
    else if (char === ':' && result.length < segments) result.push([]);
    else current.push({ kind: 'literal', text: char });
    index += 1;
  }
  return result;
}

function regExpOf(tokens: readonly Token[], ignoreCase: boolean): RegExp {
  const source = tokens
    .map((token) => {
      if (token.kind === 'any') return '.*';
      if (token.kind === 'one') return '.';
      return token.text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'si' : 's');
}

/** A pattern compiled: one expression per segment, and whether the last segment ends with `*`. */
interface Compiled {
  readonly segments: readonly RegExp[];
  readonly endsWithAny: boolean;
}

/**
 * Patterns without variables compile the same for every request: kept here (every request evaluates the same
 * few policies again). Bounded — cleared when full, so odd inputs cannot grow it without end.
 */
const compiledPatterns = new Map<string, Compiled>();
const COMPILED_PATTERNS_LIMIT = 10_000;

/** The pattern compiled for matching; undefined when a variable has no value in the context. */
function compile(
  pattern: string,
  options: PatternOptions,
  segments: number,
  ignoreCase: boolean,
): Compiled | undefined {
  const cacheable = !options.variables || !pattern.includes('${');
  const cacheKey = `${options.wildcards ? 'w' : '-'}${ignoreCase ? 'i' : '-'}${segments}:${pattern}`;
  if (cacheable) {
    const known = compiledPatterns.get(cacheKey);
    if (known !== undefined) return known;
  }
  const tokens = tokenize(pattern, options, segments);
  if (tokens === undefined) return undefined;
  const last = tokens[tokens.length - 1] ?? [];
  const result: Compiled = {
    segments: tokens.map((segment) => regExpOf(segment, ignoreCase)),
    endsWithAny: last[last.length - 1]?.kind === 'any',
  };
  if (cacheable) {
    if (compiledPatterns.size >= COMPILED_PATTERNS_LIMIT) compiledPatterns.clear();
    compiledPatterns.set(cacheKey, result);
  }
  return result;
}

/** Whether `value` matches `pattern` as a whole (StringLike / StringEquals semantics). */
export function matchesString(
  pattern: string,
  value: string,
  options: PatternOptions,
  ignoreCase = false,
): boolean {
  const compiled = compile(pattern, options, 1, ignoreCase);
  return compiled !== undefined && (compiled.segments[0]?.test(value) ?? false);
}

/** Whether the action `value` (`service:Name`) matches the policy's action `pattern`. */
export function matchesAction(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  return matchesString(pattern, value, { wildcards: true, variables: false, context: new Map() }, true);
}

const ARN_SEGMENTS = 6;

function splitArn(value: string): string[] {
  const parts = value.split(':');
  if (parts.length <= ARN_SEGMENTS) return parts;
  return [...parts.slice(0, ARN_SEGMENTS - 1), parts.slice(ARN_SEGMENTS - 1).join(':')];
}

/**
 * Whether the ARN `value` matches the ARN `pattern` (Resource, NotResource, ArnLike): each of the
 * six colon-delimited segments is matched on its own, wildcards within a segment; a `*` that ends
 * a pattern of fewer segments runs on across the colons that follow. `*` alone matches any
 * resource.
 */
export function matchesArn(
  pattern: string,
  value: string,
  options: Omit<PatternOptions, 'wildcards'>,
): boolean {
  if (pattern === '*') return true;
  const compiled = compile(pattern, { ...options, wildcards: true }, ARN_SEGMENTS, false);
  if (compiled === undefined) return false;
  const { segments } = compiled;
  const values = splitArn(value);
  if (segments.length === values.length) return segments.every((re, i) => re.test(values[i] ?? ''));
  if (segments.length > values.length || !compiled.endsWithAny) return false;
  const head = segments.slice(0, -1);
  const tail = values.slice(head.length).join(':');
  return head.every((re, i) => re.test(values[i] ?? '')) && (segments.at(-1)?.test(tail) ?? false);
}
