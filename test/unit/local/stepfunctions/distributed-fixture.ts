/** Shared set-up for the Distributed Map tests: a service with an in-memory S3 for readers and writers. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DistributedMapS3, ListedObject } from '../../../../local/stepfunctions/distributed/s3.ts';
import { StepFunctionsService } from '../../../../local/stepfunctions/service.ts';
import { ACCOUNT, CTX, ROLE } from './fixture.ts';

function s3Error(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** An S3 in memory: buckets of objects, ListObjectsV2 in pages of `pageSize` keys. */
export class MemoryS3 implements DistributedMapS3 {
  readonly buckets = new Map<string, Map<string, { body: Buffer; lastModified: Date }>>();
  readonly calls: string[] = [];

  constructor(readonly pageSize = 1000) {}

  bucket(name: string): Map<string, { body: Buffer; lastModified: Date }> {
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  put(bucket: string, key: string, body: string | Buffer): void {
    this.bucket(bucket).set(key, { body: Buffer.from(body), lastModified: new Date('2025-01-02T03:04:05Z') });
  }

  text(bucket: string, key: string): string {
    const object = this.buckets.get(bucket)?.get(key);
    if (!object)
      throw new Error(
        `no s3://${bucket}/${key}; have ${[...(this.buckets.get(bucket)?.keys() ?? [])].join(', ')}`,
      );
    return object.body.toString('utf8');
  }

  json<T = unknown>(bucket: string, key: string): T {
    return JSON.parse(this.text(bucket, key)) as T;
  }

  async listObjects(request: Parameters<DistributedMapS3['listObjects']>[0]) {
    this.calls.push(`list ${request.bucket} ${request.prefix ?? ''} ${request.continuationToken ?? ''}`);
    const bucket = this.buckets.get(request.bucket);
    if (!bucket) throw s3Error('NoSuchBucket', `The specified bucket does not exist: ${request.bucket}`);
    const keys = [...bucket.keys()].filter((key) => key.startsWith(request.prefix ?? '')).sort();
    const start = request.continuationToken === undefined ? 0 : Number(request.continuationToken);
    const page = keys.slice(start, start + this.pageSize);
    const objects: ListedObject[] = page.map((key) => {
      const object = bucket.get(key)!;
      return {
        key,
        etag: `"${createHash('md5').update(object.body).digest('hex')}"`,
        lastModified: object.lastModified,
        size: object.body.length,
        storageClass: 'STANDARD',
      };
    });
    const next = start + this.pageSize;
    return next < keys.length ? { objects, nextContinuationToken: String(next) } : { objects };
  }

  async getObject(request: Parameters<DistributedMapS3['getObject']>[0]): Promise<Readable> {
    this.calls.push(`get ${request.bucket} ${request.key}`);
    const bucket = this.buckets.get(request.bucket);
    if (!bucket) throw s3Error('NoSuchBucket', `The specified bucket does not exist: ${request.bucket}`);
    const object = bucket.get(request.key);
    if (!object) throw s3Error('NoSuchKey', `The specified key does not exist: ${request.key}`);
    return Readable.from([object.body]);
  }

  async putObject(request: Parameters<DistributedMapS3['putObject']>[0]): Promise<void> {
    this.calls.push(`put ${request.bucket} ${request.key}`);
    const bucket = this.buckets.get(request.bucket);
    if (!bucket) throw s3Error('NoSuchBucket', `The specified bucket does not exist: ${request.bucket}`);
    let body: Buffer;
    if (typeof request.body === 'string') {
      body = Buffer.from(request.body);
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of request.body) chunks.push(Buffer.from(chunk as Buffer));
      body = Buffer.concat(chunks);
    }
    if (body.length !== request.contentLength) {
      throw new Error(`putObject: ${body.length} bytes sent, ${request.contentLength} announced`);
    }
    bucket.set(request.key, { body, lastModified: new Date() });
  }
}

export interface DistributedFixture {
  readonly dir: string;
  readonly s3: MemoryS3;
  sfn: StepFunctionsService;
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
  createMachine(definition: object, name?: string): Promise<string>;
  /**
   * Closes the service (as a crash would leave its data) and opens another on the same directory:
   * `between` runs while none is open; with `deferResume` the new one continues nothing until
   * `resumeExecutions()`.
   */
  restart(options?: { between?: () => Promise<void>; deferResume?: boolean }): Promise<StepFunctionsService>;
  dispose(): Promise<void>;
}

export async function startDistributedFixture(
  options: { s3?: MemoryS3 | null; timeScale?: number } = {},
): Promise<DistributedFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'relay-dmap-'));
  const s3 = options.s3 === null ? new MemoryS3() : (options.s3 ?? new MemoryS3());
  const open = async (deferResume = false): Promise<StepFunctionsService> => {
    const service = new StepFunctionsService({
      dataDir: dir,
      accountId: ACCOUNT,
      timeScale: options.timeScale ?? 0.0001,
      ...(options.s3 === null ? {} : { distributedMapS3: s3 }),
    });
    await service.init({ deferResume });
    return service;
  };
  const fixture: DistributedFixture = {
    dir,
    s3,
    sfn: await open(),
    call: async <T>(operation: string, input: Record<string, unknown>) =>
      (await fixture.sfn.handle(operation, input, CTX)) as T,
    async createMachine(definition, name = 'backfill') {
      const out = await fixture.call<{ stateMachineArn: string }>('CreateStateMachine', {
        name,
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      });
      return out.stateMachineArn;
    },
    async restart({ between, deferResume } = {}) {
      await fixture.sfn.close();
      await between?.();
      fixture.sfn = await open(deferResume);
      return fixture.sfn;
    },
    async dispose() {
      await fixture.sfn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** A Distributed Map processor config. */
export const DISTRIBUTED = { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } as const;

export interface Event {
  id: number;
  previousEventId: number;
  type: string;
  [details: string]: unknown;
}

/** The whole history of an execution. */
export async function eventsOf(fixture: DistributedFixture, executionArn: string): Promise<Event[]> {
  const out = await fixture.call<{ events: Event[] }>('GetExecutionHistory', {
    executionArn,
    maxResults: 1000,
  });
  return out.events;
}

/** The map runs of an execution. */
export async function mapRunsOf(fixture: DistributedFixture, executionArn: string): Promise<string[]> {
  const out = await fixture.call<{ mapRuns: Array<{ mapRunArn: string }> }>('ListMapRuns', { executionArn });
  return out.mapRuns.map((run) => run.mapRunArn);
}

export interface ChildItem {
  executionArn: string;
  name: string;
  status: string;
  mapRunArn: string;
  itemCount: number;
  redriveCount: number;
  stateMachineArn: string;
}

/** Every child execution of a map run (ListExecutions with mapRunArn, all pages). */
export async function childrenOf(
  fixture: DistributedFixture,
  mapRunArn: string,
  filter: Record<string, unknown> = {},
): Promise<ChildItem[]> {
  const out: ChildItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fixture.call<{ executions: ChildItem[]; nextToken?: string }>('ListExecutions', {
      mapRunArn,
      maxResults: 1000,
      ...filter,
      ...(nextToken ? { nextToken } : {}),
    });
    out.push(...page.executions);
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** A Distributed Map state machine: `map` holds the Map state's fields besides Type/ItemProcessor/End. */
export function distributedMachine(
  processor: { StartAt: string; States: Record<string, unknown> },
  map: Record<string, unknown> = {},
): object {
  return {
    StartAt: 'Each',
    States: {
      Each: { Type: 'Map', ItemProcessor: { ProcessorConfig: DISTRIBUTED, ...processor }, ...map, End: true },
    },
  };
}

/** A processor of one Task calling `resource`. */
export function taskProcessor(resource: string): { StartAt: string; States: Record<string, unknown> } {
  return { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: resource, End: true } } };
}
