import { utf8Length } from '../s3-limits.ts';
import type { TargetResult } from '../workflow.ts';
import { MAX_OUTPUT_VARIABLES_BYTES, OUTPUT_VARIABLE_KEY_PATTERN } from './limits.ts';

/**
 * The relay action's output variables (PutJobSuccessResult `outputVariables`), which later actions
 * read as `#{<namespace>.<key>}`. Per target, numbered in the order of the execution's results (the
 * rule's target order): `Target<n>Bucket`, `Target<n>Region`, `Target<n>Key`, `Target<n>Status`, and —
 * when there is one — `Target<n>VersionId` and `Target<n>DeploymentId`. Besides: `TargetCount` and
 * `RelayExecutionArn`. All of them together stay within CodePipeline's size cap: targets that would
 * pass it are left out whole, and then `VariablesTruncated` is `true` and `TargetsInVariables` says
 * how many are in (their results stay in the relay execution's output).
 */

/** The outcome: the variables, and how many targets they cover. */
export interface OutputVariables {
  readonly variables: Readonly<Record<string, string>>;
  readonly targetsIncluded: number;
  readonly targetsTotal: number;
  readonly truncated: boolean;
}

/** The variable key of target `n` (1-based) and `field`. */
export function targetVariableKey(n: number, field: string): string {
  return `Target${n}${field}`;
}

function bytesOf(entries: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [key, value] of Object.entries(entries)) {
    total += utf8Length(key) + utf8Length(value);
  }
  return total;
}

function targetVariables(result: TargetResult, n: number): Record<string, string> {
  const out: Record<string, string> = {
    [targetVariableKey(n, 'Bucket')]: result.target.bucket,
    [targetVariableKey(n, 'Region')]: result.target.region,
    [targetVariableKey(n, 'Status')]: result.status,
  };
  if (result.status === 'failed') return out;
  out[targetVariableKey(n, 'Key')] = result.destination.key;
  if (result.destination.versionId !== undefined) {
    out[targetVariableKey(n, 'VersionId')] = result.destination.versionId;
  }
  const deployment = result.deployment;
  if (deployment !== undefined && 'id' in deployment)
    out[targetVariableKey(n, 'DeploymentId')] = deployment.id;
  return out;
}

function checkKeys(variables: Readonly<Record<string, string>>): void {
  for (const key of Object.keys(variables)) {
    if (!OUTPUT_VARIABLE_KEY_PATTERN.test(key))
      throw new Error(`internal: invalid output variable key ${key}`);
  }
}

/**
 * The output variables of a relay's results.
 *
 * @param maxBytes the size cap @default {@link MAX_OUTPUT_VARIABLES_BYTES}
 */
export function outputVariables(
  results: readonly TargetResult[],
  executionArn: string,
  maxBytes: number = MAX_OUTPUT_VARIABLES_BYTES,
): OutputVariables {
  const base: Record<string, string> = {
    TargetCount: String(results.length),
    RelayExecutionArn: executionArn,
  };
  // Room for the two markers a truncation adds.
  const markers = { VariablesTruncated: 'true', TargetsInVariables: String(results.length) };
  const budget = maxBytes - bytesOf(base) - bytesOf(markers);
  let used = 0;
  let included = 0;
  const perTarget: Record<string, string> = {};
  for (const [index, result] of results.entries()) {
    const entries = targetVariables(result, index + 1);
    const size = bytesOf(entries);
    if (used + size > budget) break;
    Object.assign(perTarget, entries);
    used += size;
    included++;
  }
  const truncated = included < results.length;
  const variables = {
    ...base,
    ...perTarget,
    ...(truncated ? { VariablesTruncated: 'true', TargetsInVariables: String(included) } : {}),
  };
  checkKeys(variables);
  return { variables, targetsIncluded: included, targetsTotal: results.length, truncated };
}
