/**
 * The backfill's own results bucket, as the CLI finds it (issue #15): the bucket the work-list builder
 * writes into when a request names none, and may read S3 Inventory reports from. Locally, the bucket
 * `relay local` creates for the relay (core/backfill.ts `localResultsBucket`); against AWS, the stack
 * output `…BackfillResultsBucket…` of `--stack` (default `ArtifactRelay`). `undefined` when neither tells —
 * a construct deployed without outputs, or a stack that cannot be read.
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { BACKFILL_RESULTS_OUTPUT, localResultsBucket } from '../../core/backfill.ts';
import type { StateMachineRef } from '../aws/arn.ts';
import type { Connection } from '../aws/connection.ts';
import { outputValue } from '../aws/outputs.ts';
import { DEFAULT_STACK_NAME } from '../aws/state-machine.ts';

/**
 * The results bucket of the backfill beside `relay` (the relay state machine), or `undefined` when it cannot
 * be told.
 */
export async function findBackfillResultsBucket(
  conn: Connection,
  relay: StateMachineRef,
  options: { readonly stack?: string | undefined },
): Promise<string | undefined> {
  if (conn.isLocal && options.stack === undefined) return localResultsBucket(relay.name, relay.account);
  try {
    const { Stacks } = await conn
      .cloudFormation(relay.region)
      .send(new DescribeStacksCommand({ StackName: options.stack ?? DEFAULT_STACK_NAME }));
    return outputValue(Stacks?.[0]?.Outputs, BACKFILL_RESULTS_OUTPUT);
  } catch {
    // No such stack, or not readable: the bucket is not known.
    return undefined;
  }
}
