/**
 * A Map state's `ResultSelector`, applied by the local engine itself with Step Functions' answer for
 * indefinite paths — a documented narrowing of what aws-local-stepfunctions does.
 *
 * The library evaluates every path with jsonpath-plus `wrap: false`, which gives `undefined` for a
 * filter that matches nothing (the library then fails the state: "does not point to a value") and the
 * bare element for a filter that matches one. Step Functions answers a list for an indefinite path
 * (a filter `[?(…)]`, a wildcard, a slice, a union or `..`): empty when nothing matches, a list of one
 * when one matches — the behaviour moto's Step Functions parser reproduces from AWS ("filters that
 * match nothing produce an empty list rather than an error"). The relay's first pass lists its failed
 * targets with such a filter (state-machine/build.ts), and "nothing failed" is its common case.
 *
 * Only templates made of constants and paths are taken over; one holding an intrinsic function
 * (`States.…`) stays with the library ({@link ownsResultSelector}).
 */
import { JSONPath } from 'jsonpath-plus';
import { StatesRuntimeError } from './errors.ts';
import { isRecord, type JsonValue } from './library.ts';

const PATH_SUFFIX = '.$';

/** Whether a path segment (jsonpath-plus `toPathArray`) makes the path indefinite. */
function indefiniteSegment(segment: string): boolean {
  return (
    segment === '*' ||
    segment === '..' ||
    segment.startsWith('?(') ||
    segment.includes(':') ||
    segment.includes(',')
  );
}

/** Whether `path` may select several nodes (Step Functions then answers a list). */
export function isIndefinitePath(path: string): boolean {
  return JSONPath.toPathArray(path).some(indefiniteSegment);
}

function pathValues(template: unknown): string[] {
  if (Array.isArray(template)) return template.flatMap(pathValues);
  if (!isRecord(template)) return [];
  return Object.entries(template).flatMap(([key, value]) =>
    key.endsWith(PATH_SUFFIX) && typeof value === 'string' ? [value] : pathValues(value),
  );
}

/** Whether the local engine applies `template` itself: it holds paths and constants only. */
export function ownsResultSelector(template: unknown): boolean {
  return isRecord(template) && pathValues(template).every((value) => value.startsWith('$'));
}

/** One path evaluated with Step Functions' semantics. */
export function evaluatePath(path: string, json: JsonValue): JsonValue {
  const matches = JSONPath({ path, json, wrap: true }) as JsonValue[];
  if (isIndefinitePath(path)) return matches;
  const [value] = matches;
  if (value === undefined) {
    throw new StatesRuntimeError(
      `The JSONPath '${path}' specified in the ResultSelector could not be found in the result`,
    );
  }
  return value;
}

function applyTemplate(template: JsonValue, result: JsonValue, context: JsonValue): JsonValue {
  if (Array.isArray(template)) return template.map((item) => applyTemplate(item, result, context));
  if (!isRecord(template)) return template;
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith(PATH_SUFFIX) && typeof value === 'string') {
      out[key.slice(0, -PATH_SUFFIX.length)] = value.startsWith('$$')
        ? evaluatePath(value.slice(1), context)
        : evaluatePath(value, result);
    } else {
      out[key] = applyTemplate(value as JsonValue, result, context);
    }
  }
  return out;
}

/**
 * `template` applied to a Map state's result (the array of iteration outputs); `$$.` paths read the
 * Context Object.
 *
 * @throws StatesRuntimeError when a definite path selects nothing, as Step Functions fails the state
 */
export function applyResultSelector(template: unknown, result: JsonValue, context: JsonValue): JsonValue {
  return applyTemplate(template as JsonValue, result, context);
}
