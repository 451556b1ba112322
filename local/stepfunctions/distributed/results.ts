/**
 * What a map run hands back: with a `ResultWriter`, result files in S3 — `<Prefix>/<mapRunId>/manifest.json`
 * and `SUCCEEDED_0.json`, `FAILED_0.json`, `PENDING_0.json` — and `{ MapRunArn, ResultWriterDetails }` as
 * the state's output; without one, the children's outputs as an array, in item order.
 *
 * Both are read back from the map run's `children.jsonl` (the last line of each child wins: a redriven child
 * reports its last attempt) in two passes, streaming: the result files are written to disk first, then
 * uploaded with their size; nothing holds more than one child's result at a time. A result file is one JSON
 * array of the children's results with the shape Step Functions writes (Transformation NONE): `ExecutionArn`,
 * `Input`, `InputDetails`, `Name`, `Output`/`OutputDetails` (or `Error`/`Cause`), `RedriveCount`,
 * `RedriveStatus`, `RedriveStatusReason`, `StartDate`, `StateMachineArn`, `Status`, `StopDate`. AWS starts a
 * new file (`_1`, …) past 5 GB; locally one file per status is written.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { executionArn } from '../arn.ts';
import { DataLimitExceededError, StateFailure } from '../errors.ts';
import type { JsonValue } from '../library.ts';
import { MAX_PAYLOAD_BYTES } from '../task-invoker.ts';
import { childName, childStateMachineName } from './arn.ts';
import type { ChildLine, MapRunRecord } from './model.ts';
import { type DistributedMapS3, s3FailureCause } from './s3.ts';
import { LineWriter, type MapRunStore } from './store.ts';

/** `States.ResultWriterFailed`: the results could not be written. */
export class ResultWriterFailed extends StateFailure {
  constructor(cause: string) {
    super('States.ResultWriterFailed', cause, true, true);
  }
}

type ResultFile = 'SUCCEEDED' | 'FAILED' | 'PENDING';

/** The child's execution ARN. */
function childArn(record: MapRunRecord, accountId: string, index: number): string {
  return executionArn(
    record.region,
    accountId,
    childStateMachineName(record.stateMachineName, record.label),
    childName(record.id, index),
  );
}

/** A child's result as a result file (and a failed child in the Map's output) holds it. */
export function resultEntry(
  record: MapRunRecord,
  accountId: string,
  line: ChildLine,
): Record<string, unknown> {
  const succeeded = line.status === 'SUCCEEDED';
  return {
    ExecutionArn: childArn(record, accountId, line.i),
    Input: line.input ?? 'null',
    InputDetails: { Included: true },
    Name: childName(record.id, line.i),
    ...(succeeded
      ? { Output: line.output ?? 'null', OutputDetails: { Included: true } }
      : {
          ...(line.error !== undefined ? { Error: line.error } : {}),
          ...(line.cause !== undefined ? { Cause: line.cause } : {}),
        }),
    RedriveCount: line.redriveCount,
    ...(succeeded
      ? {
          RedriveStatus: 'NOT_REDRIVABLE',
          RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
        }
      : { RedriveStatus: 'REDRIVABLE_BY_MAP_RUN' }),
    StartDate: new Date(line.start).toISOString(),
    StateMachineArn: record.stateMachineArn,
    Status: line.status,
    ...(line.stop !== undefined ? { StopDate: new Date(line.stop).toISOString() } : {}),
  };
}

/** For each child, the number of the `children.jsonl` line that ended it last (-1: it never ended). */
async function lastEndingLines(store: MapRunStore, record: MapRunRecord): Promise<Int32Array> {
  const last = new Int32Array(record.childCount).fill(-1);
  for await (const { n, line } of store.children(record)) {
    if (line.status !== 'RUNNING' && line.i < last.length) last[line.i] = n;
  }
  return last;
}

/** A JSON array written element by element. */
class ArrayFile {
  private readonly writer: LineWriter;
  count = 0;

  constructor(readonly path: string) {
    this.writer = new LineWriter(path);
  }

  async add(entry: unknown): Promise<void> {
    await this.writer.write(`${this.count === 0 ? '[' : ','}${JSON.stringify(entry)}`);
    this.count += 1;
  }

  async close(): Promise<void> {
    if (this.count === 0) await this.writer.write('[');
    await this.writer.write(']');
    await this.writer.close();
  }
}

/** The object key of a result file: `<Prefix>/<mapRunId>/<file>` (no `/` doubled, none for an empty prefix). */
export function resultKey(prefix: string, mapRunId: string, file: string): string {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${base}${mapRunId}/${file}`;
}

/**
 * Writes the result files and the manifest to the `ResultWriter`'s bucket; resolves with where the manifest
 * is. Counts the results written into the record.
 * @throws ResultWriterFailed when S3 refuses a write
 */
export async function writeResults(
  store: MapRunStore,
  s3: DistributedMapS3 | undefined,
  record: MapRunRecord,
  accountId: string,
): Promise<{ Bucket: string; Key: string }> {
  const target = record.resultWriter;
  if (!target) throw new Error('writeResults: the map run has no ResultWriter');
  if (s3 === undefined) {
    throw new ResultWriterFailed(
      'This local Step Functions has no S3 to write results to: start it with the local stack (startLocalStack) or pass distributedMapS3 to StepFunctionsService.',
    );
  }
  const dir = await store.resultsDir(record);
  const files: Record<ResultFile, ArrayFile> = {
    SUCCEEDED: new ArrayFile(join(dir, 'SUCCEEDED_0.json')),
    FAILED: new ArrayFile(join(dir, 'FAILED_0.json')),
    PENDING: new ArrayFile(join(dir, 'PENDING_0.json')),
  };
  const last = await lastEndingLines(store, record);
  let written = 0;
  let itemsWritten = 0;
  for await (const { n, line } of store.children(record)) {
    if (line.i >= last.length || last[line.i] !== n) continue;
    await files[line.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED'].add(
      resultEntry(record, accountId, line),
    );
    written += 1;
    itemsWritten += line.items;
  }
  for await (const child of store.items(record)) {
    if (child.index < last.length && last[child.index] !== -1) continue;
    await files.PENDING.add({
      Input: JSON.stringify(child.input),
      InputDetails: { Included: true },
      Status: 'PENDING',
    });
  }
  const manifest: Record<ResultFile, Array<{ Key: string; Size: number }>> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  try {
    for (const name of ['SUCCEEDED', 'FAILED', 'PENDING'] as const) {
      const file = files[name];
      await file.close();
      if (file.count === 0) continue;
      const key = resultKey(target.prefix, record.id, `${name}_0.json`);
      const size = (await stat(file.path)).size;
      await s3.putObject({
        region: record.region,
        bucket: target.bucket,
        key,
        body: createReadStream(file.path),
        contentLength: size,
      });
      manifest[name].push({ Key: key, Size: size });
    }
    const key = resultKey(target.prefix, record.id, 'manifest.json');
    const body = JSON.stringify({
      DestinationBucket: target.bucket,
      MapRunArn: record.mapRunArn,
      ResultFiles: manifest,
    });
    await s3.putObject({
      region: record.region,
      bucket: target.bucket,
      key,
      body,
      contentLength: Buffer.byteLength(body),
    });
    record.executionCounts.resultsWritten = written;
    record.itemCounts.resultsWritten = itemsWritten;
    return { Bucket: target.bucket, Key: key };
  } catch (error) {
    throw new ResultWriterFailed(
      s3FailureCause(error, `Writing the results of ${record.mapRunArn} to s3://${target.bucket} failed`),
    );
  } finally {
    await store.dropResults(record);
  }
}

/**
 * The Map state's output without a `ResultWriter`: each child's output (a failed one's result entry), in
 * item order.
 * @throws DataLimitExceededError past 256 KiB — export the results with a `ResultWriter` instead
 */
export async function collectOutputs(
  store: MapRunStore,
  record: MapRunRecord,
  accountId: string,
): Promise<JsonValue[]> {
  const last = await lastEndingLines(store, record);
  const texts: Array<string | undefined> = new Array(record.childCount);
  let bytes = 2;
  for await (const { n, line } of store.children(record)) {
    if (line.i >= last.length || last[line.i] !== n) continue;
    const text =
      line.status === 'SUCCEEDED'
        ? (line.output ?? 'null')
        : JSON.stringify(resultEntry(record, accountId, line));
    bytes += Buffer.byteLength(text) + 1;
    if (bytes > MAX_PAYLOAD_BYTES) {
      throw new DataLimitExceededError(
        `The outputs of the ${record.childCount} child executions of ${record.mapRunArn} exceed the maximum of ${MAX_PAYLOAD_BYTES} bytes: export them with a ResultWriter.`,
      );
    }
    texts[line.i] = text;
  }
  return Array.from(texts, (text) => (text === undefined ? null : (JSON.parse(text) as JsonValue)));
}
