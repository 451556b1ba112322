import type { ConditionBlock, ConditionValue, OneOrMany } from '../../core/permissions/policy-document.ts';
import { matchesArn, matchesString, type RequestContext } from './patterns.ts';
import { UnsupportedPolicy } from './unsupported-policy.ts';

/**
 * The `Condition` element: operators are ANDed, the keys of one operator are ANDed, the values of
 * one key are ORed (NORed for a negated operator). A key missing from the request context makes a
 * positive operator false and a negated one true; `…IfExists` makes it true; `Null` tests just
 * that. `ForAnyValue:` is true when some value of a multivalued key matches (false when the key is
 * missing), `ForAllValues:` when every value does (true when the key is missing or empty).
 *
 * Operators: String(Not)Equals(IgnoreCase), String(Not)Like, Arn(Not)Equals, Arn(Not)Like,
 * Numeric(Not)Equals / LessThan(Equals) / GreaterThan(Equals), Bool, Null — with IfExists and the
 * set qualifiers. Date, IpAddress and Binary operators are refused ({@link UnsupportedPolicy}):
 * neither the relay's policies nor the documented bucket and key policies use them.
 */

/** What a policy value may refer to: the context, through variables when the version allows them. */
interface Scope {
  readonly context: RequestContext;
  readonly variables: boolean;
}

interface Operator {
  /** Whether one context value matches one policy value (the positive sense). */
  readonly matches: (policyValue: string, contextValue: string, scope: Scope) => boolean;
  /** StringNotEquals, ArnNotLike …: true when no policy value matches. */
  readonly negated: boolean;
}

function number(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function numeric(compare: (context: number, policy: number) => boolean): Operator['matches'] {
  return (policyValue, contextValue) => {
    const policy = number(policyValue);
    const context = number(contextValue);
    return policy !== undefined && context !== undefined && compare(context, policy);
  };
}

const stringEquals: Operator['matches'] = (policy, value, scope) =>
  matchesString(policy, value, { ...scope, wildcards: false });
const stringEqualsIgnoreCase: Operator['matches'] = (policy, value, scope) =>
  matchesString(policy, value, { ...scope, wildcards: false }, true);
const stringLike: Operator['matches'] = (policy, value, scope) =>
  matchesString(policy, value, { ...scope, wildcards: true });
const arnLike: Operator['matches'] = (policy, value, scope) => matchesArn(policy, value, scope);

const OPERATORS: Readonly<Record<string, Operator>> = {
  stringequals: { matches: stringEquals, negated: false },
  stringnotequals: { matches: stringEquals, negated: true },
  stringequalsignorecase: { matches: stringEqualsIgnoreCase, negated: false },
  stringnotequalsignorecase: { matches: stringEqualsIgnoreCase, negated: true },
  stringlike: { matches: stringLike, negated: false },
  stringnotlike: { matches: stringLike, negated: true },
  // ArnEquals and ArnLike behave alike (each segment may hold wildcards).
  arnequals: { matches: arnLike, negated: false },
  arnlike: { matches: arnLike, negated: false },
  arnnotequals: { matches: arnLike, negated: true },
  arnnotlike: { matches: arnLike, negated: true },
  numericequals: { matches: numeric((c, p) => c === p), negated: false },
  numericnotequals: { matches: numeric((c, p) => c === p), negated: true },
  numericlessthan: { matches: numeric((c, p) => c < p), negated: false },
  numericlessthanequals: { matches: numeric((c, p) => c <= p), negated: false },
  numericgreaterthan: { matches: numeric((c, p) => c > p), negated: false },
  numericgreaterthanequals: { matches: numeric((c, p) => c >= p), negated: false },
  bool: { matches: (policy, value) => policy.toLowerCase() === value.toLowerCase(), negated: false },
};

type SetQualifier = 'ForAnyValue' | 'ForAllValues' | undefined;

interface ParsedOperator {
  readonly qualifier: SetQualifier;
  readonly name: string;
  readonly ifExists: boolean;
}

function parseOperator(text: string): ParsedOperator {
  const [first, second] = text.split(':');
  const qualified = second !== undefined;
  const qualifier = qualified ? first?.toLowerCase() : undefined;
  if (qualified && qualifier !== 'foranyvalue' && qualifier !== 'forallvalues') {
    throw new UnsupportedPolicy(
      `the condition operator ${text} (set qualifiers are ForAnyValue and ForAllValues)`,
    );
  }
  const base = (qualified ? second : first) ?? '';
  const ifExists = /IfExists$/i.test(base);
  return {
    qualifier:
      qualifier === undefined ? undefined : qualifier === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues',
    name: (ifExists ? base.slice(0, -'IfExists'.length) : base).toLowerCase(),
    ifExists,
  };
}

function asStrings(value: OneOrMany<ConditionValue>): string[] {
  return (Array.isArray(value) ? value : [value]).map((item) => String(item));
}

/** Whether one condition key holds: `values` from the policy against the context. */
function keyHolds(operatorText: string, key: string, policyValues: readonly string[], scope: Scope): boolean {
  const parsed = parseOperator(operatorText);
  const present = scope.context.get(key.toLowerCase());
  if (parsed.name === 'null') {
    if (parsed.qualifier !== undefined || parsed.ifExists)
      throw new UnsupportedPolicy(`the operator ${operatorText}`);
    const absent = present === undefined || present.length === 0;
    return policyValues.some((value) => (value.toLowerCase() === 'true') === absent);
  }
  const operator = OPERATORS[parsed.name];
  if (operator === undefined) {
    throw new UnsupportedPolicy(
      `the condition operator ${operatorText} (the local evaluator knows the String, Arn, Numeric, Bool and Null operators)`,
    );
  }
  const matchesAny = (value: string): boolean =>
    policyValues.some((policyValue) => operator.matches(policyValue, value, scope));
  const satisfies = (value: string): boolean => (operator.negated ? !matchesAny(value) : matchesAny(value));
  if (present === undefined || present.length === 0) {
    if (parsed.ifExists) return true;
    if (parsed.qualifier === 'ForAllValues') return true;
    if (parsed.qualifier === 'ForAnyValue') return false;
    return operator.negated;
  }
  if (parsed.qualifier === 'ForAllValues') return present.every(satisfies);
  if (parsed.qualifier === 'ForAnyValue') return present.some(satisfies);
  // No qualifier: a positive operator holds when some value matches, a negated one when none does.
  return operator.negated ? !present.some(matchesAny) : present.some(matchesAny);
}

/**
 * Whether a statement's `Condition` holds for the request context (no condition: it does).
 *
 * @param variables whether `${…}` in values is a policy variable (policy version 2012-10-17)
 * @throws UnsupportedPolicy for an operator outside the supported grammar
 */
export function conditionHolds(
  block: ConditionBlock | undefined,
  context: RequestContext,
  variables: boolean,
): boolean {
  if (block === undefined) return true;
  const scope: Scope = { context, variables };
  return Object.entries(block).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => keyHolds(operator, key, asStrings(values), scope)),
  );
}
