import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandInput,
  ListPartsCommand,
  type ListPartsCommandInput,
  UploadPartCopyCommand,
  type UploadPartCopyCommandInput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildReplicaMetadata } from '../../../../core/replica-metadata.ts';
import type { CopyResult, SourceObject, TaskInput } from '../../../../core/workflow.ts';
import { createCopyObjectHandler } from '../../../../functions/copy-object/index.ts';
import { awsError, MIB, regionalS3Clients, SETTINGS, SOURCE, TARGET, taskInput } from '../fixtures.ts';

const PART = 8 * MIB;
const SIZE = 40 * MIB;

/** A multipart source of five 8 MiB parts with a composite CRC32. */
const MULTIPART_SOURCE: SourceObject = {
  ...SOURCE,
  size: SIZE,
  etag: 'd41d8cd98f00b204e9800998ecf8427e-5',
  partCount: 5,
  checksum: { algorithm: 'CRC32', value: 'AAAAAA==-5', type: 'COMPOSITE' },
};

const LOW_THRESHOLD = { ...SETTINGS, multipartThresholdBytes: 8 * MIB, partSizeBytes: 5 * MIB };

describe('Copy (multipart)', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  /** The parts the fake destination holds, by upload. */
  let uploads: Map<string, Map<number, { size: number; etag: string }>>;

  function partsOf(uploadId: string | undefined) {
    const parts = uploads.get(uploadId ?? '');
    if (parts === undefined) throw awsError('NoSuchUpload', 404);
    return parts;
  }

  beforeEach(() => {
    source.reset();
    target.reset();
    uploads = new Map();
    source.on(HeadObjectCommand).callsFake((input: HeadObjectCommandInput) => {
      if (input.PartNumber === undefined)
        return { ContentLength: SIZE, ETag: `"${MULTIPART_SOURCE.etag}"`, Metadata: { build: '7' } };
      const start = (input.PartNumber - 1) * PART;
      return {
        ContentLength: PART,
        ContentRange: `bytes ${start}-${start + PART - 1}/${SIZE}`,
        PartsCount: 5,
      };
    });
    source.on(GetObjectTaggingCommand).resolves({ TagSet: [{ Key: 'team', Value: 'web & ops' }] });
    target.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    target.on(CreateMultipartUploadCommand).callsFake(() => {
      const uploadId = `upload-${uploads.size + 1}`;
      uploads.set(uploadId, new Map());
      return { UploadId: uploadId };
    });
    target.on(UploadPartCopyCommand).callsFake((input: UploadPartCopyCommandInput) => {
      const [, start, end] = /bytes=(\d+)-(\d+)/.exec(input.CopySourceRange ?? '') ?? [];
      partsOf(input.UploadId).set(input.PartNumber ?? 0, {
        size: Number(end) - Number(start) + 1,
        etag: `"etag-${input.PartNumber}"`,
      });
      return { CopyPartResult: { ETag: `"etag-${input.PartNumber}"` } };
    });
    target.on(ListPartsCommand).callsFake((input: ListPartsCommandInput) => ({
      ChecksumAlgorithm: 'CRC32',
      ChecksumType: 'COMPOSITE',
      Parts: [...partsOf(input.UploadId).entries()].map(([n, part]) => ({
        PartNumber: n,
        Size: part.size,
        ETag: part.etag,
        ChecksumCRC32: `crc-${n}`,
      })),
    }));
    target
      .on(CompleteMultipartUploadCommand)
      .resolves({ ETag: '"d41d8cd98f00b204e9800998ecf8427e-5"', VersionId: 'v-replica' });
    target.on(AbortMultipartUploadCommand).resolves({});
  });

  function input(overrides: Partial<TaskInput> = {}): TaskInput {
    return taskInput({ source: MULTIPART_SOURCE, settings: LOW_THRESHOLD, ...overrides });
  }

  it("reuses the source's part boundaries and completes with ListParts' ETags and checksums", async () => {
    // Arrange
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toEqual({
      status: 'copied',
      bytes: SIZE,
      destination: {
        bucket: TARGET.bucket,
        key: SOURCE.key,
        versionId: 'v-replica',
        etag: 'd41d8cd98f00b204e9800998ecf8427e-5',
      },
      replicaFacts: { size: SIZE, partCount: 5 },
    });
    const create = target.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input;
    expect(create).toMatchObject({
      ChecksumAlgorithm: 'CRC32',
      ChecksumType: 'COMPOSITE',
      ServerSideEncryption: 'AES256',
      Tagging: 'team=web%20%26%20ops',
      Metadata: expect.objectContaining({ build: '7', 'relay-source-version': 'v-source-1' }),
    });
    const ranges = target
      .commandCalls(UploadPartCopyCommand)
      .map((call) => [call.args[0].input.PartNumber, call.args[0].input.CopySourceRange])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(ranges).toEqual([1, 2, 3, 4, 5].map((n) => [n, `bytes=${(n - 1) * PART}-${n * PART - 1}`]));
    expect(target.commandCalls(UploadPartCopyCommand)[0]?.args[0].input.CopySource).toBe(
      'build-artifacts-oregon/build_artifacts/web.zip?versionId=v-source-1',
    );
    expect(source.commandCalls(HeadObjectCommand, { PartNumber: 3 })[0]?.args[0].input.VersionId).toBe(
      'v-source-1',
    );
    const complete = target.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input;
    expect(complete?.ChecksumType).toBe('COMPOSITE');
    expect(complete?.MultipartUpload?.Parts).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ PartNumber: n, ETag: `"etag-${n}"`, ChecksumCRC32: `crc-${n}` })),
    );
  });

  it('names the source account on every part copy, part-range HEAD and tag read of the source', async () => {
    // Arrange
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    await copy(input({ source: { ...MULTIPART_SOURCE, account: '111122223333' } }));

    // Assert
    const partCopies = target.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(partCopies).toHaveLength(5);
    for (const part of partCopies) expect(part.ExpectedSourceBucketOwner).toBe('111122223333');
    for (const head of source.commandCalls(HeadObjectCommand))
      expect(head.args[0].input.ExpectedBucketOwner).toBe('111122223333');
    expect(source.commandCalls(GetObjectTaggingCommand)[0]?.args[0].input.ExpectedBucketOwner).toBe(
      '111122223333',
    );
  });

  it('cuts a single-part source into parts of partSizeBytes with a CRC64NVME full-object checksum', async () => {
    // Arrange
    const { partCount: _p, ...singlePart } = {
      ...MULTIPART_SOURCE,
      size: 12 * MIB,
      etag: 'abc',
      checksum: undefined,
    };
    const { checksum: _c, ...bare } = singlePart;
    source.on(HeadObjectCommand).resolves({ ContentLength: 12 * MIB, ETag: '"abc"', Metadata: {} });
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input({ source: bare }));

    // Assert
    expect(result.status).toBe('copied');
    expect(target.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      ChecksumAlgorithm: 'CRC64NVME',
      ChecksumType: 'FULL_OBJECT',
    });
    const ranges = target
      .commandCalls(UploadPartCopyCommand)
      .map((call) => call.args[0].input.CopySourceRange)
      .sort();
    expect(ranges).toEqual(['bytes=0-5242879', 'bytes=10485760-12582911', 'bytes=5242880-10485759']);
  });

  it('returns copying when the time budget runs out, then resumes from ListParts and completes', async () => {
    // Arrange: every part copy takes 400 ms of a 1 s budget, one part at a time
    let now = 0;
    target.on(UploadPartCopyCommand).callsFake((request: UploadPartCopyCommandInput) => {
      now += 400;
      partsOf(request.UploadId).set(request.PartNumber ?? 0, {
        size: PART,
        etag: `"etag-${request.PartNumber}"`,
      });
      return { CopyPartResult: { ETag: `"etag-${request.PartNumber}"` } };
    });
    const copy = createCopyObjectHandler({ s3ClientFor, clock: () => now, partConcurrency: 1 });
    const settings = { ...LOW_THRESHOLD, copyTimeBudgetSeconds: 1 };

    // Act
    const first = await copy(input({ settings }));
    const second = await copy(input({ settings, copy: first }));

    // Assert
    expect(first).toEqual({
      status: 'copying',
      bytes: 3 * PART,
      uploadId: 'upload-1',
      nextPart: 4,
      destination: { bucket: TARGET.bucket, key: SOURCE.key },
    });
    expect(second).toMatchObject({ status: 'copied', bytes: SIZE });
    const copiedParts = target
      .commandCalls(UploadPartCopyCommand)
      .map((call) => call.args[0].input.PartNumber);
    expect(copiedParts).toEqual([1, 2, 3, 4, 5]);
    expect(target.commandCalls(ListPartsCommand, { UploadId: 'upload-1' }).length).toBeGreaterThanOrEqual(2);
    expect(target.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
    expect(target.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(1);
  });

  it('keeps the budget below the remaining Lambda time minus the margin', async () => {
    // Arrange: 61 s left and a 60 s margin leave 1 s — one part per invocation
    let now = 0;
    target.on(UploadPartCopyCommand).callsFake((request: UploadPartCopyCommandInput) => {
      now += 2_000;
      partsOf(request.UploadId).set(request.PartNumber ?? 0, { size: PART, etag: '"e"' });
      return { CopyPartResult: { ETag: '"e"' } };
    });
    const copy = createCopyObjectHandler({ s3ClientFor, clock: () => now, partConcurrency: 1 });

    // Act
    const result = await copy(input(), { remainingTimeMs: () => 61_000 });

    // Assert
    expect(result).toMatchObject({ status: 'copying', nextPart: 2, bytes: PART });
  });

  it('aborts the upload on a permanent failure and fails', async () => {
    // Arrange
    target.on(UploadPartCopyCommand, { PartNumber: 3 }).rejects(awsError('AccessDenied', 403));
    const copy = createCopyObjectHandler({ s3ClientFor, partConcurrency: 1 });

    // Act
    const copying = copy(input());

    // Assert
    await expect(copying).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(target.commandCalls(AbortMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      UploadId: 'upload-1',
      Key: SOURCE.key,
    });
    expect(target.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts the upload and reports source-gone when the source vanishes mid-copy', async () => {
    // Arrange
    target.on(UploadPartCopyCommand, { PartNumber: 2 }).rejects(awsError('NoSuchVersion', 404));
    const copy = createCopyObjectHandler({ s3ClientFor, partConcurrency: 1 });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toEqual({
      status: 'source-gone',
      bytes: 0,
      destination: { bucket: TARGET.bucket, key: SOURCE.key },
    });
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('keeps the upload and returns copying after a transient failure once parts were copied', async () => {
    // Arrange
    target.on(UploadPartCopyCommand, { PartNumber: 3 }).rejects(awsError('SlowDown', 503));
    const copy = createCopyObjectHandler({ s3ClientFor, partConcurrency: 1 });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toMatchObject({ status: 'copying', nextPart: 3, bytes: 2 * PART, uploadId: 'upload-1' });
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('aborts a new upload and fails retryably when no part could be copied', async () => {
    // Arrange
    target.on(UploadPartCopyCommand).rejects(awsError('InternalError', 500));
    const copy = createCopyObjectHandler({ s3ClientFor, partConcurrency: 1 });

    // Act
    const copying = copy(input());

    // Assert
    await expect(copying).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('reports copied when the resumed upload is gone because it was already completed', async () => {
    // Arrange
    target.on(HeadObjectCommand).resolves({
      ContentLength: SIZE,
      ETag: '"done-5"',
      VersionId: 'v-replica',
      Metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-source-1',
        etag: MULTIPART_SOURCE.etag,
      }),
    });
    const copy = createCopyObjectHandler({ s3ClientFor });
    const previous: CopyResult = {
      status: 'copying',
      bytes: PART,
      uploadId: 'gone',
      nextPart: 2,
      destination: { bucket: TARGET.bucket, key: SOURCE.key },
    };

    // Act
    const result = await copy(input({ copy: previous }));

    // Assert
    expect(result).toMatchObject({
      status: 'copied',
      destination: { etag: 'done-5', versionId: 'v-replica' },
    });
  });

  it('fails with MultipartUploadGone when a resumed upload vanished unfinished', async () => {
    // Arrange
    const copy = createCopyObjectHandler({ s3ClientFor });
    const previous: CopyResult = {
      status: 'copying',
      bytes: PART,
      uploadId: 'gone',
      nextPart: 2,
      destination: { bucket: TARGET.bucket, key: SOURCE.key },
    };

    // Act
    const copying = copy(input({ copy: previous }));

    // Assert
    await expect(copying).rejects.toMatchObject({ name: 'MultipartUploadGone' });
  });

  it('does not complete over a replica a newer event wrote meanwhile', async () => {
    // Arrange
    let heads = 0;
    target.on(HeadObjectCommand).callsFake(() => {
      heads++;
      if (heads === 1) throw awsError('NotFound', 404);
      return {
        ContentLength: 1,
        ETag: '"newer"',
        Metadata: buildReplicaMetadata({
          bucket: SOURCE.bucket,
          key: SOURCE.key,
          versionId: 'v9',
          sequencer: 'FFFFFFFFFFFFFFFFFF',
        }),
      };
    });
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toMatchObject({ status: 'superseded', destination: { etag: 'newer' } });
    expect(target.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('aborts its upload and is in-sync when a concurrent relay finished this replica before completion', async () => {
    // Arrange
    const theirs = {
      ContentLength: SIZE,
      ETag: '"theirs-5"',
      VersionId: 'v-theirs',
      Metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-source-1',
        sequencer: '0062E99A88DC407460',
      }),
    };
    target.on(HeadObjectCommand).rejectsOnce(awsError('NotFound', 404)).resolves(theirs);
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toMatchObject({ status: 'in-sync', bytes: SIZE, destination: { versionId: 'v-theirs' } });
    expect(target.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });

  it('on a re-copy, completes over the replica stamped with this source version, If-Match on its ETag', async () => {
    // Arrange
    const mismatched = {
      ContentLength: SIZE,
      ETag: '"mismatched-5"',
      Metadata: buildReplicaMetadata({
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        versionId: 'v-source-1',
        sequencer: '0062E99A88DC407460',
      }),
    };
    target.on(HeadObjectCommand).resolves(mismatched);
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input({ recopy: true }));

    // Assert
    expect(result.status).toBe('copied');
    expect(target.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.IfMatch).toBe(
      '"mismatched-5"',
    );
  });

  it('completes only onto what it looked at, and is in-sync when a concurrent relay completed first', async () => {
    // Arrange
    let heads = 0;
    target.on(HeadObjectCommand).callsFake(() => {
      heads++;
      if (heads <= 2) throw awsError('NotFound', 404);
      return {
        ContentLength: SIZE,
        ETag: '"theirs-5"',
        VersionId: 'v-theirs',
        Metadata: buildReplicaMetadata({
          bucket: SOURCE.bucket,
          key: SOURCE.key,
          versionId: 'v-source-1',
          sequencer: '0062E99A88DC407460',
        }),
      };
    });
    target.on(CompleteMultipartUploadCommand).rejects(awsError('PreconditionFailed', 412));
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(target.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.IfNoneMatch).toBe('*');
    expect(result).toEqual({
      status: 'in-sync',
      bytes: SIZE,
      destination: { bucket: TARGET.bucket, key: SOURCE.key, versionId: 'v-theirs', etag: 'theirs-5' },
      replicaFacts: { size: SIZE, partCount: 5 },
    });
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });
});
