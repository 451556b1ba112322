/**
 * Deploys the backfill workflow (issue #15, state-machine/backfill.ts) onto the local stack beside a
 * deployed relay, the way the CDK app deploys it to AWS: the state machine `<relay>-backfill` from the same
 * definition, the work-list builder (functions/build-work-list) as an in-process handler writing into the
 * backfill's results bucket — running as its own role with exactly the policy the CDK app synthesizes for
 * it (core/permissions/backfill.ts) — and every object relayed by a child workflow that starts the relay's
 * own state machine (the stack's `states:startExecution.sync:2` integration).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULT_RESULTS_PREFIX, type ResultsLocation } from '../core/backfill.ts';
import type { RelayConfig } from '../core/config/schema.ts';
import { s3BucketArn } from '../core/permissions/arns.ts';
import { BUILD_WORK_LIST_ROLE, planBuildWorkListPermissions } from '../core/permissions/backfill.ts';
import type { PlannedStatement } from '../core/permissions/plan.ts';
import { policyDocumentOf } from '../core/permissions/policy-document.ts';
import { partitionOf } from '../core/regions.ts';
import { createBuildWorkListHandler } from '../functions/build-work-list/index.ts';
import { createS3ClientFactory } from '../functions/index.ts';
import {
  buildBackfillDefinition,
  LOCAL_PARTITION,
  renderBackfillDefinition,
} from '../state-machine/backfill.ts';
import type { LocalStack } from './index.ts';
import { createOrUpdateStateMachine, type DeployedRelay } from './relay.ts';
import { localRoleArn } from './relay-handlers.ts';
import type { TaskHandler } from './types.ts';

/** Options of the builder itself (tests lower the part size, the page size and the time budget). */
export interface LocalBuilderSettings {
  /** Bytes that make a part of the work list. @default 5 MiB */
  readonly partBytes?: number;
  /** How long one call lists (the local handler is told no remaining time). @default 5 minutes */
  readonly budgetMs?: number;
  readonly headConcurrency?: number;
  /** Keys per listing page. @default 1,000 */
  readonly pageSize?: number;
}

/** How the local builder runs: as which principal, and with which settings. */
export interface LocalBuildWorkListOptions {
  readonly builder?: LocalBuilderSettings;
  /**
   * Run as the role `artifact-relay-build-work-list` holding exactly its planned policy
   * (`planBuildWorkListPermissions` with the results bucket), so the local S3 evaluates its requests as AWS
   * would — as the relay's task roles run (local/relay-handlers.ts `asRoles`). With signatures verified
   * (`relay local --strict-auth`) its key pair is accepted, as it is registered with its secret.
   * @default false — the builder acts as the account administrator (with a key pair of its own)
   */
  readonly asRoles?: boolean;
  /**
   * Names the builder's access key (`relay-build-work-list-<tag>`), so its requests can be told apart in
   * the stack's authorization logs. Letters, digits and `-` only. @default a random id
   */
  readonly credentialsTag?: string;
  /**
   * With `asRoles`: changes the planned statements before they are registered — the seam the
   * least-privilege proof uses to remove one grant at a time. @default the plan as it is
   */
  readonly adjustPolicy?: (statements: readonly PlannedStatement[]) => readonly PlannedStatement[];
}

export interface DeployBackfillOptions extends Omit<LocalBuildWorkListOptions, 'asRoles'> {
  readonly config: RelayConfig;
  /** The relay the backfill starts, one execution per object. */
  readonly relay: DeployedRelay;
  /** The relay state machine's name (the backfill is `<name>-backfill`). */
  readonly relayName: string;
  /** The bucket work lists and results go to when a request names none (it must exist, in the relay's region). */
  readonly resultsBucket: string;
  /**
   * Run the builder as its own role with its planned policy (see {@link LocalBuildWorkListOptions.asRoles}).
   * @default true — as `relay local` runs the relay's task functions; a request naming another results
   * bucket is then refused, as on AWS, where the builder may write to the backfill's own bucket only
   */
  readonly asRoles?: boolean;
}

export interface DeployedBackfill {
  readonly stateMachineArn: string;
  readonly functionArn: string;
  readonly results: ResultsLocation;
}

/** The bucket `relay local` creates for the backfill's work lists and results (named in core, which the CLI reads). */
export { localResultsBucket } from '../core/backfill.ts';

/** The role ARN the work-list builder runs as locally, named as the relay's task roles are. */
export function localBuildWorkListRoleArn(accountId: string): string {
  return localRoleArn(accountId, BUILD_WORK_LIST_ROLE);
}

/**
 * The builder as an in-process handler, signing with a key pair of its own (registered with the stack with
 * its secret): as its own role with exactly its planned policy when `asRoles`, else as the account
 * administrator. `region` is the backfill state machine's, where the results bucket is.
 */
export function createLocalBuildWorkListHandler(
  stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals'>,
  config: RelayConfig,
  region: string,
  results: ResultsLocation,
  options: LocalBuildWorkListOptions = {},
): TaskHandler {
  const tag = options.credentialsTag ?? randomUUID().slice(0, 8);
  if (!/^[A-Za-z0-9-]+$/.test(tag)) {
    throw new Error(`credentialsTag "${tag}" may hold only letters, digits and "-"`);
  }
  const credentials = {
    accessKeyId: `relay-${BUILD_WORK_LIST_ROLE}-${tag}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  if (options.asRoles === true) {
    const planned = planBuildWorkListPermissions(config, {
      resultsBucketArn: s3BucketArn(partitionOf(region), results.bucket),
    });
    stack.principals.register({
      ...credentials,
      arn: localBuildWorkListRoleArn(stack.accountId),
      account: stack.accountId,
      policies: [policyDocumentOf(options.adjustPolicy?.(planned) ?? planned)],
    });
  } else {
    stack.principals.registerAdministrator({ ...credentials, account: stack.accountId });
  }
  const s3ClientFor = createS3ClientFactory({ endpoint: stack.endpoint, forcePathStyle: true, credentials });
  const builder = options.builder ?? {};
  const handler = createBuildWorkListHandler({
    s3ClientFor,
    loadConfig: async () => config,
    resultsRegion: region,
    defaultResults: results,
    ...(builder.partBytes === undefined ? {} : { partBytes: builder.partBytes }),
    ...(builder.budgetMs === undefined ? {} : { budgetMs: builder.budgetMs }),
    ...(builder.headConcurrency === undefined ? {} : { headConcurrency: builder.headConcurrency }),
    ...(builder.pageSize === undefined ? {} : { pageSize: builder.pageSize }),
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
    createLocalBuildWorkListHandler(stack, options.config, region, results, {
      asRoles: options.asRoles ?? true,
      ...(options.builder === undefined ? {} : { builder: options.builder }),
      ...(options.credentialsTag === undefined ? {} : { credentialsTag: options.credentialsTag }),
      ...(options.adjustPolicy === undefined ? {} : { adjustPolicy: options.adjustPolicy }),
    }),
  );
  const definition = renderBackfillDefinition(buildBackfillDefinition(), {
    BuildWorkListFunctionArn: functionArn,
    RelayStateMachineArn: relay.stateMachineArn,
    Partition: LOCAL_PARTITION,
  });
  const stateMachineArn = await createOrUpdateStateMachine(stack, name, region, definition);
  return { stateMachineArn, functionArn, results };
}
