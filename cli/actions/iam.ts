/**
 * `relay iam cross-account`: the bucket policy and key policy statements that targets in other
 * accounts need (core/permissions/cross-account.ts), with the role ARNs filled in from `--role-arn`,
 * else from the deployed stack (`--stack`), else as placeholders.
 */
import type { RelayConfig } from '../../core/config/schema.ts';
import {
  accountOfRoleArn,
  type CrossAccountGrants,
  crossAccountGrants,
  type RelayRoleArns,
} from '../../core/permissions/cross-account.ts';
import { PLANNED_ROLES, type PlannedRole } from '../../core/permissions/plan.ts';
import { type Connection, type ConnectionOptions, createConnection } from '../aws/connection.ts';
import { DEFAULT_STACK_NAME, resolveRegion } from '../aws/state-machine.ts';
import type { JsonFlag } from '../common-options.ts';
import { requireConfig } from '../config-file.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import { renderGrantsMarkdown } from '../iam/render.ts';
import { rolesFromStack } from '../iam/stack-roles.ts';
import { createOutput } from '../output/output.ts';

/** The flags of `relay iam cross-account`. */
export interface CrossAccountFlags extends ConnectionOptions, JsonFlag {
  readonly config?: string;
  /** `--stack` alone is `true` (the default stack name). */
  readonly stack?: string | boolean;
  readonly roleArn?: readonly string[];
  readonly relayAccount?: string;
}

/** Parses `--role-arn <task>=<arn>` values. */
export function parseRoleArnFlags(values: readonly string[]): Partial<Record<PlannedRole, string>> {
  const roles: Partial<Record<PlannedRole, string>> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const task = value.slice(0, at);
    const arn = value.slice(at + 1);
    const role = PLANNED_ROLES.find((r) => r === task);
    if (at < 0 || role === undefined) {
      throw new CliError(
        `--role-arn ${value}: expected <task>=<role ARN> with a task of ${PLANNED_ROLES.join(', ')}`,
        EXIT_CODES.usage,
      );
    }
    if (accountOfRoleArn(arn) === undefined) {
      throw new CliError(
        `--role-arn ${value}: ${arn} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
        EXIT_CODES.usage,
      );
    }
    roles[role] = arn;
  }
  return roles;
}

/** What the command found: the grants and how the roles were filled in. */
export interface CrossAccountReport {
  readonly grants: CrossAccountGrants;
  readonly relayAccount: string | undefined;
  readonly roleArns: RelayRoleArns;
  /** Roles the grants name without a known ARN. */
  readonly placeholderRoles: readonly PlannedRole[];
}

/** Computes the report; reads the stack only when `--stack` is given and `--role-arn` leaves a role open. */
export async function crossAccountReport(
  config: RelayConfig,
  flags: CrossAccountFlags,
  connect: () => Connection = () => createConnection(flags),
): Promise<CrossAccountReport> {
  const given = parseRoleArnFlags(flags.roleArn ?? []);
  let roleArns: RelayRoleArns = given;
  let stackAccount: string | undefined;
  if (flags.stack !== undefined && flags.stack !== false) {
    const conn = connect();
    try {
      const region = await resolveRegion(conn, config.sources[0]?.region);
      const stack = flags.stack === true ? DEFAULT_STACK_NAME : flags.stack;
      const found = await rolesFromStack(conn, region, stack);
      roleArns = { ...found.roleArns, ...given };
      stackAccount = found.account;
    } finally {
      conn.destroy();
    }
  }
  const fromRoles = Object.values(roleArns)
    .map((arn) => (arn === undefined ? undefined : accountOfRoleArn(arn)))
    .find((account) => account !== undefined);
  const relayAccount = flags.relayAccount ?? fromRoles ?? stackAccount;
  const grants = crossAccountGrants({ config, relayAccount, roleArns });
  const named = new Set([...grants.buckets, ...grants.keys].flatMap((grant) => grant.roles));
  const placeholderRoles = PLANNED_ROLES.filter((role) => named.has(role) && roleArns[role] === undefined);
  return { grants, relayAccount, roleArns, placeholderRoles };
}

export async function runIamCrossAccount(flags: CrossAccountFlags): Promise<void> {
  const out = createOutput(flags);
  if (flags.relayAccount !== undefined && !/^\d{12}$/.test(flags.relayAccount)) {
    throw new CliError(`--relay-account ${flags.relayAccount}: not a 12-digit account id`, EXIT_CODES.usage);
  }
  const { config, choice } = await requireConfig(flags.config, { allowExample: false });
  const report = await crossAccountReport(config, flags);
  out.document(report);
  out.line(
    renderGrantsMarkdown(report.grants, {
      configName: choice.display,
      relayAccount: report.relayAccount,
      placeholderRoles: report.placeholderRoles,
    }).trimEnd(),
  );
}
