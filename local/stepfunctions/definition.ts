/**
 * Reading and validating Amazon States Language definitions. Validation is aws-local-stepfunctions'
 * (asl-validator with ARN and JSONPath checks); its findings become `InvalidDefinition` errors.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { invalidDefinition } from './errors.ts';
import { type AslScope, type AslState, asLibraryDefinition, isRecord } from './library.ts';

const LIBRARY_PREFIX = /^State machine definition is invalid, see error\(s\) below:\s*/;

/**
 * Definitions (by text) that passed validation. Validating compiles asl-validator's schemas — tens of
 * milliseconds of CPU — and every StartExecution and redrive parses its state machine's definition, so
 * a definition is validated once, not once per execution. Bounded: a long-lived stack whose state
 * machines keep changing starts over.
 */
const validated = new Set<string>();
const MAX_VALIDATED = 64;

function asScope(value: unknown): AslScope | undefined {
  if (!isRecord(value) || typeof value.StartAt !== 'string' || !isRecord(value.States)) return undefined;
  return value as unknown as AslScope;
}

/**
 * Parses and validates a definition. Throws `InvalidDefinition` with the validator's findings (the codes
 * AWS uses: `INVALID_JSON_DESCRIPTION`, `SCHEMA_VALIDATION_FAILED`, `DUPLICATE_STATE_NAMES`, …).
 */
export function parseDefinition(text: string): AslScope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw invalidDefinition(`INVALID_JSON_DESCRIPTION: ${(cause as Error).message}`);
  }
  const scope = asScope(parsed);
  if (!scope) {
    throw invalidDefinition(
      'SCHEMA_VALIDATION_FAILED: the definition must be an object with StartAt and States',
    );
  }
  if (validated.has(text)) return scope;
  try {
    // The validator fills in defaults (QueryLanguage) on what it is given: hand it a copy.
    new StateMachine(asLibraryDefinition(structuredClone(scope)), {
      validationOptions: { checkArn: true, checkPaths: true },
    });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw invalidDefinition(message.replace(LIBRARY_PREFIX, '').trim());
  }
  if (validated.size >= MAX_VALIDATED) validated.clear();
  validated.add(text);
  return scope;
}

/** The iterator of a Map state (`ItemProcessor`, or the older `Iterator`). */
export function mapIterator(state: AslState): AslScope {
  const scope = asScope(state.ItemProcessor ?? state.Iterator);
  if (!scope) throw invalidDefinition(`SCHEMA_VALIDATION_FAILED: Map state without ItemProcessor`);
  return scope;
}

/** The branches of a Parallel state. */
export function parallelBranches(state: AslState): AslScope[] {
  const branches = Array.isArray(state.Branches) ? state.Branches : [];
  return branches.map((branch) => {
    const scope = asScope(branch);
    if (!scope) throw invalidDefinition('SCHEMA_VALIDATION_FAILED: Parallel branch without StartAt/States');
    return scope;
  });
}

/** Compares two definitions as JSON documents (white space and key order do not matter). */
export function sameDefinition(a: string, b: string): boolean {
  return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
