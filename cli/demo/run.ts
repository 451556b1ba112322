/**
 * `relay demo` (what `npm start` runs): the whole relay on the embedded local stack. It creates the
 * buckets and deployment groups of examples/relay.config.json, deploys the relay, uploads a fresh build
 * artifact (SSE-KMS in the source region), lets the S3 event start the execution and prints the outcome
 * per target.
 */
import { resolve } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../../core/config/load.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import { relayOutputSchema } from '../../core/workflow.ts';
import { LOCAL_DEFAULTS, startLocalStack } from '../../local/index.ts';
import { deployRelay } from '../../local/relay.ts';
import { createLocalTaskHandlers } from '../../local/relay-handlers.ts';
import { createKmsKey, provisionConfig } from '../local-relay/provision.ts';
import { buildArtifact } from './artifact.ts';
import { renderDemoReport, type TargetTiming } from './report.ts';

export interface DemoOptions {
  readonly configPath: string;
  readonly dataDir: string;
  /** Multiplies Step Functions waits and CodeDeploy durations, so the demo takes seconds. */
  readonly timeScale: number;
  readonly write: (text: string) => void;
  /**
   * Runs once the result is printed, with the stack still up (the console, `npm start` on a terminal);
   * the stack stops when it resolves.
   */
  readonly hold?: (demo: DemoRun) => Promise<void>;
}

/** The demo's stack and execution, for {@link DemoOptions.hold}. */
export interface DemoRun {
  readonly endpoint: string;
  readonly stateMachineArn: string;
  readonly executionArn: string;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The key a fresh artifact gets: it must match the first rule of the first source. */
function artifactKey(config: RelayConfig, buildId: string): { bucket: string; region: string; key: string } {
  const source = config.sources[0];
  const rule = source?.rules[0];
  if (!source || !rule) throw new Error('the demo config needs a source with at least one rule');
  return {
    bucket: source.bucket,
    region: source.region,
    key: `${rule.prefix ?? ''}web-${buildId}${rule.suffix ?? '.zip'}`,
  };
}

/** Runs the demo; resolves with the process exit code (0 when every target succeeded). */
export async function runDemo(options: DemoOptions): Promise<number> {
  const started = Date.now();
  const config = await loadConfig(resolve(options.configPath));
  const stack = await startLocalStack({ port: 0, dataDir: options.dataDir, timeScale: options.timeScale });
  try {
    const write = options.write;
    write(`Local stack on ${stack.endpoint} (data in ${options.dataDir})\n`);
    await provisionConfig(stack.endpoint, config, stack.accountId);
    const relay = await deployRelay(stack, {
      config,
      handlers: createLocalTaskHandlers(stack, config, { asRoles: true }),
    });
    write(`Relay deployed: ${relay.stateMachineArn}\n`);

    const artifact = await buildArtifact();
    const where = artifactKey(config, artifact.buildId);
    const sourceKey = `arn:aws:kms:${where.region}:${stack.accountId}:key/0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40`;
    // The local KMS knows only keys that were created, as on AWS; the source key is the demo's own.
    await createKmsKey(stack.endpoint, sourceKey);
    const s3 = new S3Client({
      endpoint: stack.endpoint,
      region: where.region,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: where.bucket,
          Key: where.key,
          Body: artifact.bytes,
          ContentType: 'application/zip',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: sourceKey,
          Metadata: { 'build-id': artifact.buildId },
        }),
      );
    } finally {
      s3.destroy();
    }
    write(
      `Uploaded s3://${where.bucket}/${where.key} (${artifact.bytes.length} bytes, SSE-KMS) in ${where.region}\n`,
    );

    // The S3 event reaches the EventBridge rule, which starts the execution.
    await stack.events.idle();
    const failedDelivery = stack.events.deliveries().find((d) => !d.ok);
    if (failedDelivery) throw new Error(`the S3 event did not start an execution: ${failedDelivery.error}`);
    const executionArn = await findExecution(stack, relay.stateMachineArn, where.key);
    const done = await stack.stepFunctions.waitForExecution(executionArn);
    const timings = await targetTimings(stack, executionArn);
    const output = done.output ? relayOutputSchema.safeParse(JSON.parse(done.output)).data : undefined;
    write(
      renderDemoReport({
        execution: done,
        output,
        timings,
        elapsedMs: Date.now() - started,
        endpointHint: `http://127.0.0.1:${LOCAL_DEFAULTS.port}`,
        dataDir: options.dataDir,
      }),
    );
    const anyFailed = output?.results.some((r) => r.status === 'failed') ?? true;
    await options.hold?.({ endpoint: stack.endpoint, stateMachineArn: relay.stateMachineArn, executionArn });
    return done.status === 'SUCCEEDED' && !anyFailed ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

async function findExecution(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  stateMachineArn: string,
  key: string,
): Promise<string> {
  const ctx = {
    region: stateMachineArn.split(':')[3] ?? 'us-east-1',
    accountId: stack.accountId,
    requestId: 'demo',
  };
  const listed = (await stack.stepFunctions.handle(
    'ListExecutions',
    { stateMachineArn, maxResults: 20 },
    ctx,
  )) as {
    executions: Array<{ executionArn: string }>;
  };
  for (const { executionArn } of listed.executions) {
    const described = (await stack.stepFunctions.handle('DescribeExecution', { executionArn }, ctx)) as {
      input?: string;
    };
    const input = described.input
      ? (JSON.parse(described.input) as { detail?: { object?: { key?: string } } })
      : {};
    if (input.detail?.object?.key === key) return executionArn;
  }
  throw new Error(`no execution was started for ${key}: check the rule's prefix and suffix in the config`);
}

async function targetTimings(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  executionArn: string,
): Promise<TargetTiming[]> {
  const ctx = {
    region: executionArn.split(':')[3] ?? 'us-east-1',
    accountId: stack.accountId,
    requestId: 'demo',
  };
  const history = (await stack.stepFunctions.handle(
    'GetExecutionHistory',
    { executionArn, maxResults: 1000 },
    ctx,
  )) as {
    events: Array<{ type: string; timestamp: Date; [k: string]: unknown }>;
  };
  const started = new Map<number, number>();
  const timings: TargetTiming[] = [];
  for (const event of history.events) {
    const details = (event.mapIterationStartedEventDetails ??
      event.mapIterationSucceededEventDetails ??
      event.mapIterationFailedEventDetails) as { name?: string; index?: number } | undefined;
    if (details?.name !== 'RelayToTargets' || details.index === undefined) continue;
    const at = new Date(event.timestamp).getTime();
    if (event.type === 'MapIterationStarted') started.set(details.index, at);
    else timings.push({ index: details.index, ms: at - (started.get(details.index) ?? at) });
  }
  return timings;
}
