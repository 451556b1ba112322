/**
 * Names and ARNs of Step Functions resources: `arn:aws:states:<region>:<account>:stateMachine:<name>` and
 * `arn:aws:states:<region>:<account>:execution:<stateMachineName>:<executionName>`.
 */

/** The longest state machine or execution name Step Functions accepts. */
export const MAX_NAME_LENGTH = 80;

const FORBIDDEN_CHARACTERS = new Set(' <>{}[]?*"#%\\^|~`$&,;:/');

function isForbidden(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  const control = code <= 0x1f || (code >= 0x7f && code <= 0x9f);
  return control || FORBIDDEN_CHARACTERS.has(char) || /\s/u.test(char);
}

/**
 * Whether `name` is a valid state machine or execution name: 1–80 characters, no white space, brackets,
 * wildcards, special characters (`" # % \ ^ | ~ \` $ & , ; : /`) or control characters.
 */
export function isValidName(name: string): boolean {
  const chars = [...name];
  return chars.length >= 1 && chars.length <= MAX_NAME_LENGTH && !chars.some(isForbidden);
}

/** What a state machine ARN names. */
export interface StateMachineArnParts {
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
}

/** What an execution ARN names. */
export interface ExecutionArnParts extends StateMachineArnParts {
  readonly stateMachineName: string;
}

const STATE_MACHINE_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:aws:states:([a-z0-9-]+):(\d{12}):execution:([^:]+):([^:]+)$/;

export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
}

export function executionArn(
  region: string,
  accountId: string,
  stateMachineName: string,
  name: string,
): string {
  return `arn:aws:states:${region}:${accountId}:execution:${stateMachineName}:${name}`;
}

/** Splits a state machine ARN; `undefined` when it is not one (versions and aliases included). */
export function parseStateMachineArn(arn: string): StateMachineArnParts | undefined {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) return undefined;
  const [, region, accountId, name] = match;
  return region && accountId && name ? { region, accountId, name } : undefined;
}

/** Splits an execution ARN; `undefined` when it is not one. */
export function parseExecutionArn(arn: string): ExecutionArnParts | undefined {
  const match = EXECUTION_ARN.exec(arn);
  if (!match) return undefined;
  const [, region, accountId, stateMachineName, name] = match;
  return region && accountId && stateMachineName && name
    ? { region, accountId, stateMachineName, name }
    : undefined;
}
