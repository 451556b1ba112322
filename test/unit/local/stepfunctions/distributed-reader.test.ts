import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  childrenOf,
  type DistributedFixture,
  distributedMachine,
  MemoryS3,
  mapRunsOf,
  startDistributedFixture,
} from './distributed-fixture.ts';

let f: DistributedFixture;
let s3: MemoryS3;
beforeEach(async () => {
  s3 = new MemoryS3(2); // pages of two keys: the reader must follow continuation tokens
  f = await startDistributedFixture({ s3 });
});
afterEach(async () => {
  await f.dispose();
});

const PASS = { StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } };
const LIST = 'arn:aws:states:::s3:listObjectsV2';
const GET = 'arn:aws:states:::s3:getObject';

let machines = 0;
async function output(reader: object, input: unknown = {}, map: Record<string, unknown> = {}) {
  machines += 1;
  const stateMachineArn = await f.createMachine(
    distributedMachine(PASS, { ItemReader: reader, ...map }),
    `backfill-${machines}`,
  );
  const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  const done = await f.sfn.waitForExecution(executionArn);
  return { done, executionArn, items: done.output === undefined ? undefined : JSON.parse(done.output) };
}

describe('ItemReader: arn:aws:states:::s3:listObjectsV2', () => {
  it('yields every object under the prefix, across pages, as { Etag, LastModified, Key, Size, StorageClass }', async () => {
    // Arrange
    for (const key of ['builds/a.zip', 'builds/b.zip', 'builds/c.zip', 'other/d.zip'])
      s3.put('src', key, key);

    // Act
    const { items } = await output(
      { Resource: LIST, Parameters: { 'Bucket.$': '$.bucket', Prefix: 'builds/' } },
      {
        bucket: 'src',
      },
    );

    // Assert
    const etag = (body: string) => `"${createHash('md5').update(body).digest('hex')}"`;
    expect(items).toEqual(
      ['builds/a.zip', 'builds/b.zip', 'builds/c.zip'].map((key) => ({
        Etag: etag(key),
        LastModified: Date.parse('2025-01-02T03:04:05Z') / 1000,
        Key: key,
        Size: key.length,
        StorageClass: 'STANDARD',
      })),
    );
    expect(Object.keys(items[0])).toEqual(['Etag', 'LastModified', 'Key', 'Size', 'StorageClass']);
    expect(s3.calls.filter((c) => c.startsWith('list'))).toHaveLength(2);
  });

  it('stops at ReaderConfig.MaxItems', async () => {
    // Arrange
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) s3.put('src', key, key);

    // Act
    const { items, executionArn } = await output({
      Resource: LIST,
      Parameters: { Bucket: 'src' },
      ReaderConfig: { MaxItems: 3 },
    });
    const [mapRunArn] = await mapRunsOf(f, executionArn);

    // Assert
    expect(items.map((item: { Key: string }) => item.Key)).toEqual(['k1', 'k2', 'k3']);
    expect(await childrenOf(f, mapRunArn!)).toHaveLength(3);
  });

  it('fails the map run with States.ItemReaderFailed naming S3’s error when the bucket does not exist', async () => {
    // Act
    const { done, executionArn } = await output({ Resource: LIST, Parameters: { Bucket: 'missing' } });
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });
    const events = await f.call<{ events: Array<{ type: string; [k: string]: unknown }> }>(
      'GetExecutionHistory',
      {
        executionArn,
      },
    );

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(done.cause).toContain('NoSuchBucket');
    expect(described.status).toBe('FAILED');
    expect(events.events.find((e) => e.type === 'MapRunFailed')).toMatchObject({
      mapRunFailedEventDetails: { error: 'States.ItemReaderFailed' },
    });
  });
});

describe('ItemReader: arn:aws:states:::s3:getObject', () => {
  it('reads a JSONL manifest, one item per line (blank lines skipped)', async () => {
    // Arrange
    s3.put('manifests', 'manifest.jsonl', '{"key":"a"}\n\n{"key":"b"}\n{"key":"c"}');

    // Act
    const { items } = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { Bucket: 'manifests', Key: 'manifest.jsonl' },
    });

    // Assert
    expect(items).toEqual([{ key: 'a' }, { key: 'b' }, { key: 'c' }]);
  });

  it('fails with States.ItemReaderFailed naming the line of a JSONL manifest that is not JSON', async () => {
    // Arrange
    s3.put('manifests', 'manifest.jsonl', '{"key":"a"}\n{"key":\n');

    // Act
    const { done } = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { Bucket: 'manifests', Key: 'manifest.jsonl' },
    });

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(done.cause).toContain('line 2');
  });

  it('reads a JSON array file, and refuses one that is no array', async () => {
    // Arrange
    s3.put('manifests', 'list.json', '[1, {"a": 2}, "three"]');
    s3.put('manifests', 'object.json', '{"a": 1}');

    // Act
    const list = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: 'manifests', Key: 'list.json' },
    });
    const object = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { Bucket: 'manifests', Key: 'object.json' },
    });

    // Assert
    expect(list.items).toEqual([1, { a: 2 }, 'three']);
    expect(object.done).toMatchObject({
      status: 'FAILED',
      error: 'States.ItemReaderFailed',
      cause: 'Attempting to map over non-iterable node.',
    });
  });

  it('reads a CSV file with its header row (values as strings, quotes honoured), or with CSVHeaders given', async () => {
    // Arrange
    s3.put('manifests', 'objects.csv', 'key,size\n"a,1.zip",10\nb.zip,20\n');
    s3.put('manifests', 'bare.csv', 'c.zip,30\n');

    // Act
    const first = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      Parameters: { Bucket: 'manifests', Key: 'objects.csv' },
    });
    const given = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: ['key', 'size'] },
      Parameters: { Bucket: 'manifests', Key: 'bare.csv' },
    });

    // Assert
    expect(first.items).toEqual([
      { key: 'a,1.zip', size: '10' },
      { key: 'b.zip', size: '20' },
    ]);
    expect(given.items).toEqual([{ key: 'c.zip', size: '30' }]);
  });

  it('fails with States.ItemReaderFailed when the CSV header repeats a name', async () => {
    // Arrange
    s3.put('manifests', 'dup.csv', 'key,key\na,b\n');

    // Act
    const { done } = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      Parameters: { Bucket: 'manifests', Key: 'dup.csv' },
    });

    // Assert
    expect(done).toMatchObject({
      error: 'States.ItemReaderFailed',
      cause: 'CSV headers cannot contain duplicates.',
    });
  });

  it('takes MaxItemsPath from the input, and fails with States.ItemReaderFailed for a negative one', async () => {
    // Arrange
    s3.put('manifests', 'm.jsonl', '1\n2\n3\n');
    const reader = {
      Resource: GET,
      ReaderConfig: { InputType: 'JSONL', MaxItemsPath: '$.max' },
      Parameters: { Bucket: 'manifests', Key: 'm.jsonl' },
    };

    // Act
    const two = await output(reader, { max: 2 });
    const negative = await output(reader, { max: -1 });

    // Assert
    expect(two.items).toEqual([1, 2]);
    expect(negative.done).toMatchObject({
      error: 'States.ItemReaderFailed',
      cause: 'field MaxItems must be positive',
    });
  });

  it('fails with States.ItemReaderFailed naming NoSuchKey when the object is missing', async () => {
    // Arrange
    s3.bucket('manifests');

    // Act
    const { done } = await output({
      Resource: GET,
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { Bucket: 'manifests', Key: 'gone.jsonl' },
    });

    // Assert
    expect(done.error).toBe('States.ItemReaderFailed');
    expect(done.cause).toContain('NoSuchKey');
    expect(done.cause).toContain('s3://manifests/gone.jsonl');
  });
});
