/**
 * The `ItemReader` of a Distributed Map, streamed: items are yielded one at a time, so a listing of a
 * million keys or a large JSONL manifest never sits in memory whole (a `JSON` array file is parsed whole,
 * as it must be).
 *
 * - `arn:aws:states:::s3:listObjectsV2` (`Bucket`, `Prefix`): one item per object, shaped as Step Functions
 *   gives it — `{ Etag, LastModified, Key, Size, StorageClass }`, `Etag` with its quotes, `LastModified` in
 *   epoch seconds. No version id (the listing has none).
 * - `arn:aws:states:::s3:getObject` (`Bucket`, `Key`, `VersionId`) with `ReaderConfig.InputType`: `JSON` (an
 *   array), `JSONL` (one JSON value per line) or `CSV` (headers from the first row, or `CSVHeaders` with
 *   `CSVHeaderLocation: GIVEN`; every value a string; quoted fields within one line).
 *
 * A failure — S3 answering an error, a file that is not what `InputType` says — is `States.ItemReaderFailed`.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { StateFailure } from '../errors.ts';
import type { JsonValue } from '../library.ts';
import { type DistributedMapS3, s3FailureCause } from './s3.ts';
import type { ReaderSettings } from './settings.ts';

/** `States.ItemReaderFailed`: the items could not be read. */
export class ItemReaderFailed extends StateFailure {
  constructor(cause: string) {
    super('States.ItemReaderFailed', cause, true, true);
  }
}

async function* listing(
  settings: ReaderSettings,
  s3: DistributedMapS3,
  region: string,
): AsyncGenerator<JsonValue> {
  let token: string | undefined;
  do {
    let page: Awaited<ReturnType<DistributedMapS3['listObjects']>>;
    try {
      page = await s3.listObjects({
        region,
        bucket: settings.bucket,
        prefix: settings.prefix,
        continuationToken: token,
      });
    } catch (error) {
      throw new ItemReaderFailed(
        s3FailureCause(error, `ListObjectsV2 on bucket '${settings.bucket}' failed`),
      );
    }
    for (const object of page.objects) {
      yield {
        Etag: object.etag,
        LastModified: Math.floor(object.lastModified.getTime() / 1000),
        Key: object.key,
        Size: object.size,
        StorageClass: object.storageClass,
      };
    }
    token = page.nextContinuationToken;
  } while (token !== undefined);
}

async function open(settings: ReaderSettings, s3: DistributedMapS3, region: string): Promise<Readable> {
  try {
    return await s3.getObject({
      region,
      bucket: settings.bucket,
      key: settings.key ?? '',
      versionId: settings.versionId,
    });
  } catch (error) {
    throw new ItemReaderFailed(
      s3FailureCause(error, `GetObject of s3://${settings.bucket}/${settings.key ?? ''} failed`),
    );
  }
}

async function* lines(body: Readable, where: string): AsyncGenerator<string> {
  const reader = createInterface({ input: body, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of reader) yield line;
  } catch (error) {
    throw new ItemReaderFailed(s3FailureCause(error, `Reading ${where} failed`));
  } finally {
    reader.close();
    body.destroy();
  }
}

/** Splits one CSV line (RFC 4180 quoting within the line). */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}

async function* objectItems(
  settings: ReaderSettings,
  s3: DistributedMapS3,
  region: string,
): AsyncGenerator<JsonValue> {
  const where = `s3://${settings.bucket}/${settings.key ?? ''}`;
  const body = await open(settings, s3, region);
  if (settings.inputType === 'JSON') {
    let text = '';
    for await (const line of lines(body, where)) text += `${line}\n`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ItemReaderFailed(`${where} is not JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new ItemReaderFailed('Attempting to map over non-iterable node.');
    yield* parsed as JsonValue[];
    return;
  }
  if (settings.inputType === 'JSONL') {
    let number = 0;
    for await (const line of lines(body, where)) {
      number += 1;
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as JsonValue;
      } catch (error) {
        throw new ItemReaderFailed(`${where} line ${number} is not JSON: ${(error as Error).message}`);
      }
    }
    return;
  }
  let headers = settings.csvHeaders;
  for await (const line of lines(body, where)) {
    if (line === '') continue;
    const fields = csvFields(line);
    if (headers === undefined) {
      headers = fields;
      if (new Set(headers).size < headers.length) {
        throw new ItemReaderFailed('CSV headers cannot contain duplicates.');
      }
      continue;
    }
    const item: Record<string, string> = {};
    headers.forEach((header, i) => {
      item[header] = fields[i] ?? '';
    });
    yield item;
  }
}

/** The items the reader yields, at most `MaxItems` of them (0: all). */
export async function* readItems(
  settings: ReaderSettings,
  s3: DistributedMapS3 | undefined,
  region: string,
): AsyncGenerator<JsonValue> {
  if (s3 === undefined) {
    throw new ItemReaderFailed(
      'This local Step Functions has no S3 to read items from: start it with the local stack (startLocalStack) or pass distributedMapS3 to StepFunctionsService.',
    );
  }
  if (settings.maxItems < 0) throw new ItemReaderFailed('field MaxItems must be positive');
  const source =
    settings.resource === 'listObjectsV2' ? listing(settings, s3, region) : objectItems(settings, s3, region);
  let count = 0;
  for await (const item of source) {
    yield item;
    count += 1;
    if (settings.maxItems > 0 && count >= settings.maxItems) return;
  }
}
