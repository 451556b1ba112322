/**
 * Case 1 — orchestration overhead. N artifacts of 1 MiB, each to 3 targets, through the whole relay on the
 * local stack (PutObject → S3 event → EventBridge rule → state machine → Copy → Verify) versus a plain loop
 * that makes the CopyObject + HeadObject calls directly with the SDK against the same local S3.
 *
 * Same concurrency by construction: both sides use one uploader keeping K PutObjects in flight; as each
 * upload lands, its artifact's three targets start at once (the relay: an execution whose Map relays the
 * three targets in parallel; the plain loop: three CopyObject → HeadObject chains). Both run in this process
 * against an in-process stack, so the relay's task handlers and the plain loop's SDK calls share the same
 * event loop and CPU. Order: warm-up of both, plain, uploads only, pipeline, plain again; the plain wall is
 * the mean of its two runs.
 */
import { join } from 'node:path';
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startLocalStack } from '../../local/index.ts';
import { deployRelay } from '../../local/relay.ts';
import { createLocalTaskHandlers } from '../../local/relay-handlers.ts';
import { definitionValidationMs } from '../lib/definition-cost.ts';
import { allTargetsVerified, relayOutputOf } from '../lib/executions.ts';
import { benchConfig, RULE_PREFIX, SOURCE_REGION, sourceBucketOf, targetsOf } from '../lib/relay-config.ts';
import { type CaseContext, type CaseResult, figure } from '../lib/result.ts';
import { createVersionedBucket, distinctBodies, LocalClients, provisionConfig } from '../lib/s3.ts';
import { mapLimit, mean, median, percentile, round } from '../lib/stats.ts';
import { MIB } from '../lib/units.ts';

const NAME = 'orch';
const TARGETS = 3;
const SIZE = MIB;
const UPLOAD_CONCURRENCY = 8;
const TIME_SCALE = 0.001;

/** Counts the local S3's requests by operation (the stack logs one line per request). */
class RequestCounter {
  #counts: Record<string, number> = {};
  readonly record = (line: string): void => {
    const m = /^S3 (\S+) /.exec(line);
    if (m) this.#counts[m[1]!] = (this.#counts[m[1]!] ?? 0) + 1;
  };
  take(): Record<string, number> {
    const counts = this.#counts;
    this.#counts = {};
    return counts;
  }
}

interface PhaseResult {
  readonly wallMs: number;
  /** Per artifact: from its PutObject's answer to the last target verified (ms). */
  readonly latenciesMs: readonly number[];
  readonly requests: Record<string, number>;
  readonly verified: number;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export async function orchestrationCase(ctx: CaseContext): Promise<CaseResult> {
  const started = performance.now();
  const artifacts = ctx.quick ? 20 : 200;
  const warmup = ctx.quick ? 4 : 10;
  const requests = new RequestCounter();
  const stack = await startLocalStack({
    port: 0,
    dataDir: join(ctx.workDir, 'stack'),
    timeScale: TIME_SCALE,
    log: requests.record,
  });
  const clients = new LocalClients(stack.endpoint);
  try {
    const config = benchConfig({ name: NAME, targets: TARGETS });
    await provisionConfig(clients, config, stack.accountId);
    const plainSource = `${NAME}-plain-src`;
    await createVersionedBucket(clients, plainSource, SOURCE_REGION);
    const relay = await deployRelay(stack, { config, handlers: createLocalTaskHandlers(stack, config) });
    const source = sourceBucketOf(NAME);
    const targets = targetsOf(NAME, TARGETS);
    const bodies = distinctBodies(artifacts, SIZE);

    const put = (bucket: string, key: string, body: Buffer) =>
      clients
        .s3(SOURCE_REGION)
        .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/zip' }));

    /** The plain loop: upload, then per target CopyObject (pinned, re-encrypted, checksum) → HeadObject. */
    const plain = async (label: string, count: number): Promise<PhaseResult> => {
      requests.take();
      const latencies: number[] = [];
      const work: Promise<void>[] = [];
      let verified = 0;
      const start = Date.now();
      await mapLimit(bodies.slice(0, count), UPLOAD_CONCURRENCY, async (body, i) => {
        const key = `${label}/artifact-${i}.zip`;
        const uploaded = await put(plainSource, key, body);
        const landed = Date.now();
        const chains = Promise.all(
          targets.map(async (t) => {
            const s3 = clients.s3(t.region);
            await s3.send(
              new CopyObjectCommand({
                Bucket: t.bucket,
                Key: key,
                CopySource: `${plainSource}/${key}?versionId=${uploaded.VersionId}`,
                MetadataDirective: 'REPLACE',
                ContentType: 'application/zip',
                Metadata: {
                  'relay-source': `${plainSource}/${key}`,
                  'relay-version': uploaded.VersionId ?? '',
                },
                ServerSideEncryption: 'AES256',
                ChecksumAlgorithm: 'CRC32',
              }),
            );
            const head = await s3.send(
              new HeadObjectCommand({ Bucket: t.bucket, Key: key, ChecksumMode: 'ENABLED' }),
            );
            if (head.ContentLength !== body.length || head.ChecksumCRC32 !== uploaded.ChecksumCRC32) {
              throw new Error(`plain loop: ${t.bucket}/${key} differs from its source`);
            }
          }),
        ).then(() => {
          verified++;
          latencies.push(Date.now() - landed);
        });
        chains.catch(() => undefined); // awaited below; marked handled so a failure cannot crash the run early
        work.push(chains);
      });
      await Promise.all(work);
      return { wallMs: Date.now() - start, latenciesMs: latencies, requests: requests.take(), verified };
    };

    /** Uploads alone (no rule matches the plain source bucket): the floor both sides share. */
    const uploadsOnly = async (label: string, count: number): Promise<PhaseResult> => {
      requests.take();
      const start = Date.now();
      await mapLimit(bodies.slice(0, count), UPLOAD_CONCURRENCY, (body, i) =>
        put(plainSource, `${label}/artifact-${i}.zip`, body),
      );
      return { wallMs: Date.now() - start, latenciesMs: [], requests: requests.take(), verified: count };
    };

    /** The relay: upload into the source bucket; the event starts an execution per artifact. */
    const pipeline = async (label: string, count: number): Promise<PhaseResult> => {
      const before = new Set(await listArns());
      requests.take();
      const start = Date.now();
      await mapLimit(bodies.slice(0, count), UPLOAD_CONCURRENCY, (body, i) =>
        put(source, `${RULE_PREFIX}${label}/artifact-${i}.zip`, body),
      );
      await stack.events.idle();
      const arns = (await listArns()).filter((arn) => !before.has(arn));
      if (arns.length !== count)
        throw new Error(`pipeline: ${arns.length} executions started for ${count} uploads`);
      const done = await Promise.all(arns.map((arn) => stack.stepFunctions.waitForExecution(arn)));
      const end = Math.max(...done.map((d) => (d.stopDate ? new Date(d.stopDate).getTime() : Date.now())));
      const counts = requests.take();
      const verified = done.filter(
        (d) => d.status === 'SUCCEEDED' && allTargetsVerified(relayOutputOf(d.output), TARGETS),
      ).length;
      const latencies = done.map(
        (d) => new Date(d.stopDate ?? Date.now()).getTime() - new Date(d.startDate).getTime(),
      );
      return { wallMs: end - start, latenciesMs: latencies, requests: counts, verified };
    };

    const listArns = async (): Promise<string[]> => {
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = (await stack.stepFunctions.handle(
          'ListExecutions',
          { stateMachineArn: relay.stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) },
          { region: relay.region, accountId: stack.accountId, requestId: 'bench' },
        )) as { executions: Array<{ executionArn: string }>; nextToken?: string };
        arns.push(...page.executions.map((e) => e.executionArn));
        nextToken = page.nextToken;
      } while (nextToken);
      return arns;
    };

    ctx.progress(`warm-up: ${warmup} artifacts each way`);
    await plain('warm', warmup);
    await pipeline('warm', warmup);

    ctx.progress(`plain loop (1/2): ${artifacts} artifacts × ${TARGETS} targets`);
    const plainA = await plain('plain-a', artifacts);
    ctx.progress(`uploads only: ${artifacts} artifacts`);
    const uploads = await uploadsOnly('uploads', artifacts);
    ctx.progress(`pipeline: ${artifacts} artifacts × ${TARGETS} targets`);
    const relayed = await pipeline('pipe', artifacts);
    ctx.progress(`plain loop (2/2)`);
    const plainB = await plain('plain-b', artifacts);

    const validationMs = definitionValidationMs();
    const plainWall = mean([plainA.wallMs, plainB.wallMs]);
    const ratio = relayed.wallMs / plainWall;
    const beyondUpload = (relayed.wallMs - uploads.wallMs) / (plainWall - uploads.wallMs);
    const perArtifact = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).map(([op, n]) => [op, round(n / artifacts, 2)]));

    return {
      id: 'orchestration',
      title: 'Orchestration overhead',
      inputs: {
        artifacts,
        objectBytes: SIZE,
        targetsPerArtifact: TARGETS,
        uploadConcurrency: UPLOAD_CONCURRENCY,
        warmupArtifacts: warmup,
        timeScale: TIME_SCALE,
        deployment: false,
        stack: 'in-process (startLocalStack), handlers in-process (createLocalTaskHandlers)',
        order: 'warm-up, plain, uploads only, pipeline, plain',
      },
      figures: [
        figure('pipeline wall ÷ plain loop wall', round(ratio, 2), '×', { op: '<=', value: 1.5 }),
        figure('pipeline wall', Math.round(relayed.wallMs), 'ms'),
        figure('plain loop wall (mean of 2)', Math.round(plainWall), 'ms'),
        figure('uploads-only wall', Math.round(uploads.wallMs), 'ms'),
        figure('beyond-upload ratio (pipeline − uploads) ÷ (plain − uploads)', round(beyondUpload, 2), '×'),
        figure('S3 requests per artifact: pipeline', round(total(relayed.requests) / artifacts, 1), 'req'),
        figure('S3 requests per artifact: plain loop', round(total(plainA.requests) / artifacts, 1), 'req'),
      ],
      details: {
        wallMs: {
          plainA: plainA.wallMs,
          plainB: plainB.wallMs,
          uploadsOnly: uploads.wallMs,
          pipeline: relayed.wallMs,
        },
        verified: {
          pipeline: relayed.verified,
          plainA: plainA.verified,
          plainB: plainB.verified,
          of: artifacts,
        },
        latencyMs: {
          pipelineExecution: { p50: median(relayed.latenciesMs), p95: percentile(relayed.latenciesMs, 95) },
          plainAfterUpload: {
            p50: median([...plainA.latenciesMs, ...plainB.latenciesMs]),
            p95: percentile([...plainA.latenciesMs, ...plainB.latenciesMs], 95),
          },
        },
        s3RequestsPerArtifact: {
          pipeline: perArtifact(relayed.requests),
          plain: perArtifact(plainA.requests),
        },
        definitionValidation: {
          msPerExecution: round(validationMs, 1),
          estimatedTotalMs: Math.round(validationMs * artifacts),
          shareOfPipelineWall: round((validationMs * artifacts) / relayed.wallMs, 2),
        },
      },
      notes: [
        'Both walls include the uploads (K=8 PutObjects in flight); an artifact’s targets start as soon as its upload lands. "Beyond-upload" subtracts the uploads-only wall from both sides.',
        `Pipeline ${relayed.verified}/${artifacts} executions SUCCEEDED with every target copied and verified; plain loop ${plainA.verified}+${plainB.verified}/${2 * artifacts} artifacts checked by size and CRC32.`,
      ],
      durationMs: performance.now() - started,
    };
  } finally {
    clients.destroy();
    await stack.stop();
  }
}
