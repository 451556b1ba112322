/**
 * The relay deployed on the local stack the way `npm start` deploys it — the state machine from the
 * shared definition, the five task functions in-process with real SDK clients, one EventBridge rule per
 * source bucket — plus what the workflow tests need around it: buckets, deployment groups, objects
 * uploaded through the SDK, executions found, awaited and read back through @aws-sdk/client-sfn, and a
 * count of the S3 requests the stack served.
 *
 * One stack serves a whole test file; each test deploys its own relay (its own state machine, rules and
 * buckets), so tests do not see each other's executions.
 */
import { createHash } from 'node:crypto';
import {
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  type DeploymentInfo,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetObjectCommand,
  type GetObjectCommandInput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectVersionsCommand,
  type ObjectVersion,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type PutObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { parseConfig } from '../../../core/config/parse.ts';
import { type RelayConfig, type RelayConfigInput, relayConfigSchema } from '../../../core/config/schema.ts';
import {
  type RelayOutput,
  type ResolveTargetsOutput,
  relayOutputSchema,
  resolveTargetsOutputSchema,
  type TargetResult,
} from '../../../core/workflow.ts';
import { type DeployedRelay, deployRelay } from '../../../local/relay.ts';
import { createLocalTaskHandlers, type LocalHandlerOptions } from '../../../local/relay-handlers.ts';
import type { S3ObjectCreatedEvent, TaskHandler } from '../../../local/types.ts';
import type { TaskRole } from '../../../state-machine/index.ts';
import { startTestStack, TEST_AUTH, type TestStack } from '../../helpers/local-stack.ts';

export type { S3ObjectCreatedEvent } from '../../../local/types.ts';

/** Waits and retry pauses of the state machine and CodeDeploy's lifecycle run this much faster. */
const TIME_SCALE = 0.001;

/**
 * Deployment phases before the time scale: 50 ms Created and 150 ms InProgress once scaled. Real
 * deployments outlast a task call by minutes — which is what makes CodeDeploy's one-active-deployment
 * rule close the gap between StartDeployment's look for an existing deployment and its create — so
 * the lifecycle here must outlast a few task calls too (the default 3 s would end in 3 ms).
 */
const DEPLOYMENT_PHASES = { createdMs: 50_000, inProgressMs: 150_000 } as const;

/** A target as a test's configuration writes it. */
export type TargetInput = RelayConfigInput['sources'][number]['rules'][number]['targets'][number];

/** Rounds of "wait for what S3 events started" before {@link Relay.settle} calls it a loop. */
const MAX_SETTLE_ROUNDS = 10;

/** Called after a task of the deployed relay: a seam to change the world between two steps. */
export type TaskHook = (role: TaskRole, input: unknown, output?: unknown) => Promise<void>;

export interface DeployOptions {
  /** Options of the in-process task handlers (time budget, part concurrency). */
  readonly handlers?: LocalHandlerOptions;
  /** Runs after a task returned, before the state machine sees its result. */
  readonly afterTask?: TaskHook;
  /**
   * Parse the configuration with the schema alone, skipping the cross-field checks — to prove what the
   * relay does at run time with a configuration validation refuses (an A→B→A loop).
   */
  readonly schemaOnly?: true;
}

/** An execution as DescribeExecution (through the SDK) reports it once it ended. */
export interface Execution {
  readonly arn: string;
  readonly status: DescribeExecutionCommandOutput['status'];
  readonly described: DescribeExecutionCommandOutput;
}

/** A relay deployed on the stack: its state machine, rules and helpers to drive and inspect it. */
export interface Relay {
  readonly deployed: DeployedRelay;
  readonly config: RelayConfig;
  /** StartExecution through the SDK with `input` as the execution input; the execution ARN. */
  start(input: unknown): Promise<string>;
  /** StartExecution, then wait for the execution to end. */
  run(input: unknown): Promise<Execution>;
  /**
   * The executions S3 events started since the last call (oldest first), once EventBridge has
   * delivered every pending event.
   */
  triggered(): Promise<string[]>;
  /** Waits for the execution to end; DescribeExecution through the SDK. */
  wait(arn: string): Promise<Execution>;
  /**
   * Waits for every execution S3 events start — including executions started by objects the relay
   * itself writes — until no new one starts; all of them, oldest first.
   */
  settle(): Promise<Execution[]>;
  /** Every event of the execution's history (GetExecutionHistory, all pages). */
  history(arn: string): Promise<HistoryEvent[]>;
  /** How many times the task function of `role` was invoked (LambdaFunctionScheduled events). */
  taskCalls(arn: string, role: TaskRole): Promise<number>;
  /** The results a task function of `role` returned, in order (LambdaFunctionSucceeded events). */
  taskOutputs(arn: string, role: TaskRole): Promise<unknown[]>;
}

export interface WorkflowHarness {
  readonly stack: TestStack;
  s3(region: string): S3Client;
  sfn(region: string): SFNClient;
  codeDeploy(region: string): ReturnType<TestStack['codeDeployClient']>;
  /** A bucket name unique in this stack, starting with `prefix`. */
  name(prefix: string): string;
  /** Creates a bucket in `region` (versioned unless told otherwise). */
  bucket(name: string, region: string, options?: { versioned?: boolean }): Promise<void>;
  /** Creates a CodeDeploy application and deployment group in `region`. */
  deploymentGroup(region: string, application: string, group: string): Promise<void>;
  /** Validates the configuration and deploys a relay for it under a fresh state machine name. */
  deploy(config: RelayConfigInput, options?: DeployOptions): Promise<Relay>;
  /** PutObject through the SDK. */
  put(
    region: string,
    input: Omit<PutObjectCommandInput, 'Body'> & { Body: Buffer | string },
  ): Promise<PutObjectCommandOutput>;
  /** HeadObject through the SDK (checksums included). */
  head(region: string, bucket: string, key: string, versionId?: string): Promise<HeadObjectCommandOutput>;
  /** The object's bytes, read with GetObject. */
  read(region: string, bucket: string, key: string, extra?: Partial<GetObjectCommandInput>): Promise<Buffer>;
  /** Every version of `key` in a versioned bucket (newest first). */
  versions(region: string, bucket: string, key: string): Promise<ObjectVersion[]>;
  /** Deployments of a group (ListDeployments, then GetDeployment each). */
  deployments(region: string, application: string, group: string): Promise<DeploymentInfo[]>;
  /** The S3 "Object Created" events published so far for `bucket`, oldest first. */
  events(bucket: string): S3ObjectCreatedEvent[];
  /** How many `operation` requests for objects in `bucket` the stack answered with `status`. */
  s3Requests(operation: string, bucket: string, status?: number): number;
  dispose(): Promise<void>;
}

/** SHA-256 of bytes, hex: compares contents in assertions without printing megabytes. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The output of an execution that relayed, validated against the workflow contract. */
export function relayOutput(execution: Execution): RelayOutput {
  if (execution.described.output === undefined) {
    throw new Error(
      `${execution.arn} has no output: ${execution.status} ${execution.described.error ?? ''} ${execution.described.cause ?? ''}`,
    );
  }
  return relayOutputSchema.parse(JSON.parse(execution.described.output));
}

/** The output of an execution that had nothing to relay (NothingToRelay), validated. */
export function nothingToRelay(execution: Execution): ResolveTargetsOutput {
  if (execution.described.output === undefined) throw new Error(`${execution.arn} has no output`);
  return resolveTargetsOutputSchema.parse(JSON.parse(execution.described.output));
}

/** The result for the target bucket `bucket`. */
export function resultFor(output: RelayOutput, bucket: string): TargetResult {
  const result = output.results.find((r) => r.target.bucket === bucket);
  if (result === undefined) throw new Error(`no result for ${bucket}: ${JSON.stringify(output.results)}`);
  return result;
}

/** Lines the local S3 logs: `S3 <Operation> <bucket>[/<key>] <status> <ms>ms`. */
const S3_LOG_LINE = /^S3 (\S+) (.+) (\S+) \d+ms$/;

function withHook(role: TaskRole, handler: TaskHandler, hook: TaskHook | undefined): TaskHandler {
  if (hook === undefined) return handler;
  return async (input, context) => {
    const output = await handler(input, context);
    await hook(role, input, output);
    return output;
  };
}

export async function startWorkflowHarness(): Promise<WorkflowHarness> {
  const s3Log: string[] = [];
  const stack = await startTestStack({
    timeScale: TIME_SCALE,
    auth: TEST_AUTH,
    codeDeploy: { durations: DEPLOYMENT_PHASES },
    log: (line) => s3Log.push(line),
  });
  const recorded: S3ObjectCreatedEvent[] = [];
  // Every S3 event, whichever relay (if any) it starts: tests replay them in another order.
  stack.events.addRule({
    name: 'test-recorder',
    eventPattern: { source: ['aws.s3'] },
    target: async (event) => {
      if (event['detail-type'] === 'Object Created') recorded.push(event);
    },
  });

  const clients = new Map<string, unknown>();
  function cached<C>(kind: string, region: string, create: (region: string) => C): C {
    const id = `${kind}:${region}`;
    let client = clients.get(id) as C | undefined;
    if (client === undefined) {
      client = create(region);
      clients.set(id, client);
    }
    return client;
  }
  const s3 = (region: string): S3Client => cached('s3', region, stack.s3Client);
  const sfn = (region: string): SFNClient => cached('sfn', region, stack.sfnClient);
  const codeDeploy = (region: string) => cached('codedeploy', region, stack.codeDeployClient);
  let counter = 0;

  async function executionArns(relay: DeployedRelay): Promise<Array<{ arn: string; started: number }>> {
    const found: Array<{ arn: string; started: number }> = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn(relay.region).send(
        new ListExecutionsCommand({
          stateMachineArn: relay.stateMachineArn,
          maxResults: 100,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
      for (const execution of page.executions ?? []) {
        if (execution.executionArn !== undefined) {
          found.push({ arn: execution.executionArn, started: execution.startDate?.getTime() ?? 0 });
        }
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return found;
  }

  async function history(relay: DeployedRelay, arn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn(relay.region).send(
        new GetExecutionHistoryCommand({
          executionArn: arn,
          maxResults: 1000,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return events;
  }

  function relayFor(deployed: DeployedRelay, config: RelayConfig): Relay {
    const seen = new Set<string>();
    const client = sfn(deployed.region);
    const wait = async (arn: string): Promise<Execution> => {
      await stack.stepFunctions.waitForExecution(arn);
      const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
      return { arn, status: described.status, described };
    };
    const start = async (input: unknown): Promise<string> => {
      const started = await client.send(
        new StartExecutionCommand({
          stateMachineArn: deployed.stateMachineArn,
          input: JSON.stringify(input),
        }),
      );
      if (started.executionArn === undefined) throw new Error('StartExecution returned no ARN');
      seen.add(started.executionArn);
      return started.executionArn;
    };
    const scheduled = async (arn: string, role: TaskRole) => {
      const events = await history(deployed, arn);
      const resource = deployed.functionArns[role];
      const ids = new Set(
        events
          .filter(
            (e) =>
              e.type === 'LambdaFunctionScheduled' &&
              e.lambdaFunctionScheduledEventDetails?.resource === resource,
          )
          .map((e) => e.id),
      );
      return { events, ids };
    };
    const triggered = async (): Promise<string[]> => {
      await stack.events.idle();
      const fresh = (await executionArns(deployed)).filter((e) => !seen.has(e.arn));
      for (const e of fresh) seen.add(e.arn);
      return fresh.sort((a, b) => a.started - b.started).map((e) => e.arn);
    };
    return {
      deployed,
      config,
      start,
      run: async (input) => wait(await start(input)),
      triggered,
      wait,
      async settle() {
        const all: Execution[] = [];
        for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
          const fresh = await triggered();
          if (fresh.length === 0) return all;
          for (const arn of fresh) all.push(await wait(arn));
        }
        throw new Error(`executions kept starting after ${MAX_SETTLE_ROUNDS} rounds: the relay loops`);
      },
      history: (arn) => history(deployed, arn),
      async taskCalls(arn, role) {
        return (await scheduled(arn, role)).ids.size;
      },
      async taskOutputs(arn, role) {
        const { events, ids } = await scheduled(arn, role);
        // An attempt's Started event follows its Scheduled one; its Succeeded event follows Started.
        const started = new Set(
          events
            .filter((e) => e.type === 'LambdaFunctionStarted' && ids.has(e.previousEventId))
            .map((e) => e.id),
        );
        return events
          .filter((e) => e.type === 'LambdaFunctionSucceeded' && started.has(e.previousEventId))
          .map((e) => JSON.parse(e.lambdaFunctionSucceededEventDetails?.output ?? 'null') as unknown);
      },
    };
  }

  return {
    stack,
    s3,
    sfn,
    codeDeploy,
    name: (prefix) => `${prefix}-${++counter}`,
    async bucket(name, region, options = {}) {
      await s3(region).send(
        new CreateBucketCommand({
          Bucket: name,
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      );
      if (options.versioned !== false) {
        await s3(region).send(
          new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
        );
      }
    },
    async deploymentGroup(region, application, group) {
      const client = codeDeploy(region);
      await client.send(new CreateApplicationCommand({ applicationName: application }));
      await client.send(
        new CreateDeploymentGroupCommand({
          applicationName: application,
          deploymentGroupName: group,
          serviceRoleArn: `arn:aws:iam::${stack.accountId}:role/CodeDeployServiceRole`,
        }),
      );
    },
    async deploy(input, options = {}) {
      const config = options.schemaOnly
        ? relayConfigSchema.parse(input)
        : parseConfig(input, 'workflow test');
      const local = createLocalTaskHandlers(stack, config, { asRoles: true, ...options.handlers });
      const handlers = Object.fromEntries(
        (Object.entries(local) as Array<[TaskRole, TaskHandler]>).map(([role, handler]) => [
          role,
          withHook(role, handler, options.afterTask),
        ]),
      ) as Record<TaskRole, TaskHandler>;
      const deployed = await deployRelay(stack, { config, handlers, name: `relay-${++counter}` });
      return relayFor(deployed, config);
    },
    async put(region, input) {
      return s3(region).send(new PutObjectCommand(input));
    },
    async head(region, bucket, key, versionId) {
      return s3(region).send(
        new HeadObjectCommand({
          Bucket: bucket,
          Key: key,
          ChecksumMode: 'ENABLED',
          ...(versionId === undefined ? {} : { VersionId: versionId }),
        }),
      );
    },
    async read(region, bucket, key, extra = {}) {
      const response = await s3(region).send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
      return Buffer.from((await response.Body?.transformToByteArray()) ?? new Uint8Array());
    },
    async versions(region, bucket, key) {
      const listed = await s3(region).send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key }));
      return (listed.Versions ?? []).filter((v) => v.Key === key);
    },
    async deployments(region, application, group) {
      const client = codeDeploy(region);
      const listed = await client.send(
        new ListDeploymentsCommand({ applicationName: application, deploymentGroupName: group }),
      );
      const infos: DeploymentInfo[] = [];
      for (const deploymentId of listed.deployments ?? []) {
        const got = await client.send(new GetDeploymentCommand({ deploymentId }));
        if (got.deploymentInfo !== undefined) infos.push(got.deploymentInfo);
      }
      return infos;
    },
    events: (bucket) => recorded.filter((e) => e.detail.bucket.name === bucket),
    s3Requests(operation, bucket, status = 200) {
      let count = 0;
      for (const line of s3Log) {
        const match = S3_LOG_LINE.exec(line);
        if (match === null) continue;
        const [, op, target, answered] = match;
        if (op === operation && target?.startsWith(`${bucket}/`) && answered === String(status)) count++;
      }
      return count;
    },
    dispose: () => stack.dispose(),
  };
}
