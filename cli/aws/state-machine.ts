/**
 * Finds the relay's state machine: `--state-machine ARN|name`, else (against AWS) the state machine ARN
 * among the outputs of the CloudFormation stack `--stack` (default `ArtifactRelay`, what `npx cdk deploy`
 * creates), else the one named `artifact-relay` (what `relay local` and the CDK app deploy), else the only
 * one whose name looks like the relay's.
 * The region: the ARN's, else `--region`, else — locally — the configuration's first source region
 * (where `relay local` deploys it), else the SDK's default (AWS_REGION, the profile).
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListStateMachinesCommand, type StateMachineListItem } from '@aws-sdk/client-sfn';
import { BACKFILL_STATE_MACHINE_OUTPUT } from '../../core/backfill.ts';
import { CliError } from '../errors.ts';
import { parseStateMachineArn, type StateMachineRef } from './arn.ts';
import type { Connection } from './connection.ts';
import { outputValue } from './outputs.ts';

/** The name the relay's state machine has unless told otherwise (DEFAULT_STATE_MACHINE_NAME in local/relay.ts). */
export const DEFAULT_STATE_MACHINE_NAME = 'artifact-relay';

/** The stack `npx cdk deploy` creates unless told otherwise (DEFAULT_STACK_NAME in infra/relay-app.ts). */
export const DEFAULT_STACK_NAME = 'ArtifactRelay';

const LOOKS_LIKE_RELAY = /artifact-?relay/i;

/** The backfill's state machine (issue #15) looks like the relay's too, and is never it. */
const LOOKS_LIKE_BACKFILL = /backfill/i;

export interface StateMachineOptions {
  /** `--state-machine`. */
  readonly stateMachine?: string | undefined;
  /** `--stack`: the CloudFormation stack whose outputs name the state machine. */
  readonly stack?: string | undefined;
  /** The region of the configuration's first source, when a configuration is at hand. */
  readonly configRegion?: string | undefined;
}

/** The region to look in, or a CliError saying how to give one. */
export async function resolveRegion(conn: Connection, configRegion: string | undefined): Promise<string> {
  if (conn.region !== undefined) return conn.region;
  const region = conn.isLocal
    ? (configRegion ?? (await conn.defaultRegion()))
    : ((await conn.defaultRegion()) ?? configRegion);
  if (region === undefined) {
    throw new CliError(
      'no AWS region — pass --region <region> or set AWS_REGION (or use --local for the local stack)',
    );
  }
  return region;
}

async function listAll(conn: Connection, region: string): Promise<StateMachineListItem[]> {
  const all: StateMachineListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await conn.sfn(region).send(new ListStateMachinesCommand({ maxResults: 1000, nextToken }));
    all.push(...(page.stateMachines ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return all;
}

/**
 * The state machine ARN among a stack's outputs, or undefined when the stack or the output is not there
 * (or CloudFormation may not be read): the name lookup comes next. A stack named explicitly must exist.
 */
async function fromStackOutput(
  conn: Connection,
  region: string,
  stack: string | undefined,
): Promise<StateMachineRef | undefined> {
  if (conn.isLocal && stack === undefined) return undefined;
  try {
    const { Stacks } = await conn
      .cloudFormation(region)
      .send(new DescribeStacksCommand({ StackName: stack ?? DEFAULT_STACK_NAME }));
    for (const output of Stacks?.[0]?.Outputs ?? []) {
      if (LOOKS_LIKE_BACKFILL.test(output.OutputKey ?? '')) continue;
      const ref = output.OutputValue === undefined ? undefined : parseStateMachineArn(output.OutputValue);
      if (ref !== undefined) return ref;
    }
    if (stack !== undefined) {
      throw new CliError(
        `stack ${stack} in ${region} has no state machine ARN among its outputs — pass --state-machine`,
      );
    }
    return undefined;
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (stack !== undefined) {
      throw new CliError(
        `could not read stack ${stack} in ${region}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    return undefined;
  }
}

function refOf(item: StateMachineListItem): StateMachineRef {
  const ref = item.stateMachineArn === undefined ? undefined : parseStateMachineArn(item.stateMachineArn);
  if (ref === undefined)
    throw new CliError(`the service returned an unexpected state machine ARN: ${item.stateMachineArn}`);
  return ref;
}

export async function resolveStateMachine(
  conn: Connection,
  options: StateMachineOptions,
): Promise<StateMachineRef> {
  const given = options.stateMachine;
  if (given?.startsWith('arn:')) {
    const ref = parseStateMachineArn(given);
    if (ref === undefined) {
      throw new CliError(
        `--state-machine ${given} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`,
      );
    }
    return ref;
  }
  const region = await resolveRegion(conn, options.configRegion);
  if (given === undefined) {
    const fromStack = await fromStackOutput(conn, region, options.stack);
    if (fromStack !== undefined) return fromStack;
  }
  const machines = await listAll(conn, region);
  const wanted = given ?? DEFAULT_STATE_MACHINE_NAME;
  const exact = machines.find((m) => m.name === wanted);
  if (exact !== undefined) return refOf(exact);
  if (given === undefined) {
    const likely = machines.filter(
      (m) => m.name !== undefined && LOOKS_LIKE_RELAY.test(m.name) && !LOOKS_LIKE_BACKFILL.test(m.name),
    );
    if (likely.length === 1) return refOf(likely[0]!);
    if (likely.length > 1) {
      throw new CliError(
        `several state machines in ${region} look like the relay (${likely.map((m) => m.name).join(', ')}) — pass --state-machine <arn|name>`,
      );
    }
  }
  const where = conn.endpoint === undefined ? region : `${region} at ${conn.endpoint}`;
  const hint = conn.isLocal
    ? '— start the local stack with the relay deployed (`npx relay local`), or pass --region / --state-machine'
    : '— deploy it (`npx cdk deploy`), or pass --region / --state-machine <arn|name>';
  throw new CliError(`state machine not found: no state machine named ${wanted} in ${where} ${hint}`);
}

/**
 * Finds the backfill's state machine (issue #15): `--backfill-state-machine ARN|name`, else the stack's
 * `BackfillStateMachineArn` output (AWS), else the one named `<relay>-backfill` (what `relay local`
 * deploys), else the only one in the relay's region whose name says backfill.
 */
export async function resolveBackfillStateMachine(
  conn: Connection,
  relay: StateMachineRef,
  options: { readonly backfillStateMachine?: string | undefined; readonly stack?: string | undefined },
): Promise<StateMachineRef> {
  const given = options.backfillStateMachine;
  if (given?.startsWith('arn:')) {
    const ref = parseStateMachineArn(given);
    if (ref === undefined) throw new CliError(`--backfill-state-machine ${given} is not a state machine ARN`);
    return ref;
  }
  if (given === undefined && !(conn.isLocal && options.stack === undefined)) {
    try {
      const { Stacks } = await conn
        .cloudFormation(relay.region)
        .send(new DescribeStacksCommand({ StackName: options.stack ?? DEFAULT_STACK_NAME }));
      const value = outputValue(Stacks?.[0]?.Outputs, BACKFILL_STATE_MACHINE_OUTPUT);
      const ref = value === undefined ? undefined : parseStateMachineArn(value);
      if (ref !== undefined) return ref;
    } catch {
      // no stack, or not readable: the name lookup comes next
    }
  }
  const machines = await listAll(conn, relay.region);
  const wanted = given ?? `${relay.name}-backfill`;
  const exact = machines.find((m) => m.name === wanted);
  if (exact !== undefined) return refOf(exact);
  if (given === undefined) {
    const likely = machines.filter((m) => m.name !== undefined && LOOKS_LIKE_BACKFILL.test(m.name));
    if (likely.length === 1) return refOf(likely[0]!);
  }
  throw new CliError(
    `the backfill state machine was not found in ${relay.region} (looked for ${wanted}) — deploy the relay with its backfill (the CDK construct's default; \`relay local\` deploys it too), or pass --backfill-state-machine <arn|name>`,
  );
}
