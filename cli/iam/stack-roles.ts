/**
 * The relay's task role ARNs of a deployed stack, read from CloudFormation: the stack outputs
 * (`CopyRoleArn`, `VerifyRoleArn`, or `<Task>RoleArn`), else the stack's `AWS::IAM::Role` resources,
 * whose CDK logical ids end in `<Task>Role` + an 8-hex-digit hash (the role's name is its physical id;
 * CDK creates the roles at path `/`). The relay's account is the stack's (from its stack id).
 */
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { type RelayRoleArns, rolePascalName } from '../../core/permissions/cross-account.ts';
import type { PlannedRole } from '../../core/permissions/plan.ts';
import { PLANNED_ROLES } from '../../core/permissions/plan.ts';
import { partitionOf } from '../../core/regions.ts';
import type { Connection } from '../aws/connection.ts';
import { CliError } from '../errors.ts';

/** The output names of the stack that carry a role ARN (infra/relay-outputs.ts), by role. */
const OUTPUT_NAMES: Readonly<Partial<Record<PlannedRole, string>>> = {
  'copy-object': 'CopyRoleArn',
  'verify-copy': 'VerifyRoleArn',
};

/** What the stack tells. */
export interface StackRoles {
  readonly roleArns: RelayRoleArns;
  /** The stack's account. */
  readonly account: string | undefined;
}

function outputRole(key: string): PlannedRole | undefined {
  return PLANNED_ROLES.find((role) => {
    const names = [OUTPUT_NAMES[role], `${rolePascalName(role)}RoleArn`].filter((n) => n !== undefined);
    return names.some((name) => new RegExp(`(^|[a-z0-9])${name}([0-9A-F]{8})?$`).test(key));
  });
}

function resourceRole(logicalId: string): PlannedRole | undefined {
  return PLANNED_ROLES.find((role) => new RegExp(`${rolePascalName(role)}Role[0-9A-F]{8}$`).test(logicalId));
}

/**
 * Reads the role ARNs of stack `stack` in `region`.
 *
 * @throws CliError when the stack cannot be read
 */
export async function rolesFromStack(conn: Connection, region: string, stack: string): Promise<StackRoles> {
  const client = conn.cloudFormation(region);
  const roleArns: Partial<Record<PlannedRole, string>> = {};
  let account: string | undefined;
  try {
    const described = await client.send(new DescribeStacksCommand({ StackName: stack }));
    const found = described.Stacks?.[0];
    account = found?.StackId?.split(':')[4];
    for (const output of found?.Outputs ?? []) {
      const role = output.OutputKey === undefined ? undefined : outputRole(output.OutputKey);
      if (role !== undefined && output.OutputValue?.startsWith('arn:')) roleArns[role] ??= output.OutputValue;
    }
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new ListStackResourcesCommand({
          StackName: stack,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      );
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType !== 'AWS::IAM::Role' || resource.PhysicalResourceId === undefined) continue;
        const role = resourceRole(resource.LogicalResourceId ?? '');
        if (role === undefined || account === undefined) continue;
        roleArns[role] ??= `arn:${partitionOf(region)}:iam::${account}:role/${resource.PhysicalResourceId}`;
      }
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
  } catch (err) {
    throw new CliError(
      `could not read stack ${stack} in ${region}: ${err instanceof Error ? err.message : String(err)} — pass --region, or give the roles with --role-arn <task>=<arn>`,
      undefined,
      { cause: err },
    );
  }
  return { roleArns, account };
}
