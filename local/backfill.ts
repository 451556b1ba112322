/**
 * Deploys the backfill workflow (issue #15, state-machine/backfill.ts) onto the local stack beside a
 * deployed relay, the way the CDK app deploys it to AWS: the state machine `<relay>-backfill` from the same
 * definition, the work-list builder (functions/build-work-list) as an in-process handler writing into the
 * backfill's results bucket, and every object relayed by a child workflow that starts the relay's own state
 * machine (the stack's `states:startExecution.sync:2` integration).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_RESULTS_PREFIX, type ResultsLocation } from '../core/backfill.ts';
import type { RelayConfig } from '../core/config/schema.ts';
import { createBuildWorkListHandler } from '../functions/build-work-list/index.ts';
import { createS3ClientFactory } from '../functions/index.ts';
import { buildBackfillDefinition, renderBackfillDefinition } from '../state-machine/backfill.ts';
import type { LocalStack } from './index.ts';
import { createOrUpdateStateMachine, type DeployedRelay } from './relay.ts';
import type { TaskHandler } from './types.ts';

export interface DeployBackfillOptions {
  readonly config: RelayConfig;
  /** The relay the backfill starts, one execution per object. */
  readonly relay: DeployedRelay;
  /** The relay state machine's name (the backfill is `<name>-backfill`). */
  readonly relayName: string;
  /** The bucket work lists and results go to when a request names none (it must exist, in the relay's region). */
  readonly resultsBucket: string;
  /** Options of the builder (tests lower the part size and the time budget). */
  readonly builder?: {
    readonly partBytes?: number;
    readonly budgetMs?: number;
    readonly headConcurrency?: number;
  };
}

export interface DeployedBackfill {
  readonly stateMachineArn: string;
  readonly functionArn: string;
  readonly results: ResultsLocation;
}

/** The bucket `relay local` creates for the backfill's work lists and results. */
export function localResultsBucket(relayName: string, accountId: string): string {
  return `${relayName}-backfill-${accountId}`.toLowerCase().slice(0, 63);
}

/** The builder as an in-process handler, signing as the account administrator with a key pair of its own. */
export function createLocalBuildWorkListHandler(
  stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals'>,
  config: RelayConfig,
  region: string,
  results: ResultsLocation,
  builder: DeployBackfillOptions['builder'] = {},
): TaskHandler {
  const credentials = {
    accessKeyId: `relay-build-work-list-${randomUUID().slice(0, 8)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  stack.principals.registerAdministrator({ ...credentials, account: stack.accountId });
  const s3ClientFor = createS3ClientFactory({ endpoint: stack.endpoint, forcePathStyle: true, credentials });
  const handler = createBuildWorkListHandler({
    s3ClientFor,
    loadConfig: async () => config,
    resultsRegion: region,
    defaultResults: results,
    ...(builder.partBytes === undefined ? {} : { partBytes: builder.partBytes }),
    ...(builder.budgetMs === undefined ? {} : { budgetMs: builder.budgetMs }),
    ...(builder.headConcurrency === undefined ? {} : { headConcurrency: builder.headConcurrency }),
  });
  return (input, { signal }) => handler(input, { signal });
}

export async function deployBackfill(
  stack: LocalStack,
  options: DeployBackfillOptions,
): Promise<DeployedBackfill> {
  const { relay, relayName } = options;
  const name = `${relayName}-backfill`;
  const region = relay.region;
  const functionArn = `arn:aws:lambda:${region}:${stack.accountId}:function:${relayName}-build-work-list`;
  const results = { bucket: options.resultsBucket, prefix: DEFAULT_RESULTS_PREFIX };
  stack.stepFunctions.registerTaskHandler(
    functionArn,
    createLocalBuildWorkListHandler(stack, options.config, region, results, options.builder),
  );
  const definition = renderBackfillDefinition(buildBackfillDefinition(), {
    BuildWorkListFunctionArn: functionArn,
    RelayStateMachineArn: relay.stateMachineArn,
  });
  const stateMachineArn = await createOrUpdateStateMachine(stack, name, region, definition);
  return { stateMachineArn, functionArn, results };
}
