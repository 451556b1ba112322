import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  type HeadObjectCommandInput,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type ListPartsCommandInput,
  UploadPartCopyCommand,
  type UploadPartCopyCommandInput,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildReplicaMetadata } from '../../../../core/replica-metadata.ts';
import type { SourceObject, TaskInput } from '../../../../core/workflow.ts';
import { createCopyObjectHandler } from '../../../../functions/copy-object/index.ts';
import { idleAfterMs, partsFitPlan } from '../../../../functions/copy-object/orphaned-uploads.ts';
import { planParts } from '../../../../functions/copy-object/part-plan.ts';
import { awsError, MIB, regionalS3Clients, SETTINGS, SOURCE, TARGET, taskInput } from '../fixtures.ts';

const PART = 8 * MIB;
const SIZE = 40 * MIB;
const HOUR = 60 * 60_000;

/** A multipart source of five 8 MiB parts with a composite CRC32. */
const MULTIPART_SOURCE: SourceObject = {
  ...SOURCE,
  size: SIZE,
  etag: 'd41d8cd98f00b204e9800998ecf8427e-5',
  partCount: 5,
  checksum: { algorithm: 'CRC32', value: 'AAAAAA==-5', type: 'COMPOSITE' },
};

const LOW_THRESHOLD = { ...SETTINGS, multipartThresholdBytes: 8 * MIB, partSizeBytes: 5 * MIB };

interface FakeUpload {
  readonly key: string;
  readonly initiated: Date;
  readonly checksumAlgorithm?: string;
  readonly parts: Map<number, { size: number; lastModified: Date }>;
}

describe('Copy: the multipart upload a lost attempt left on the destination key', () => {
  const { clients, s3ClientFor } = regionalS3Clients(['us-west-2', 'ap-northeast-2']);
  const source = mockClient(clients.get('us-west-2')!);
  const target = mockClient(clients.get('ap-northeast-2')!);
  let uploads: Map<string, FakeUpload>;
  /** The stamp of the replica CompleteMultipartUpload makes (from its CreateMultipartUpload). */
  let completedStamp: Record<string, string> | undefined;

  function upload(uploadId: string | undefined): FakeUpload {
    const found = uploads.get(uploadId ?? '');
    if (found === undefined) throw awsError('NoSuchUpload', 404);
    return found;
  }

  const ourStamp = buildReplicaMetadata({
    bucket: SOURCE.bucket,
    key: SOURCE.key,
    versionId: 'v-source-1',
    etag: MULTIPART_SOURCE.etag,
  });

  beforeEach(() => {
    source.reset();
    target.reset();
    uploads = new Map();
    completedStamp = undefined;
    source.on(HeadObjectCommand).callsFake((input: HeadObjectCommandInput) => {
      if (input.PartNumber === undefined) return { ContentLength: SIZE, ETag: `"${MULTIPART_SOURCE.etag}"` };
      const start = (input.PartNumber - 1) * PART;
      return {
        ContentLength: PART,
        ContentRange: `bytes ${start}-${start + PART - 1}/${SIZE}`,
        PartsCount: 5,
      };
    });
    source.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    target.on(HeadObjectCommand).callsFake(() => {
      if (completedStamp === undefined) throw awsError('NotFound', 404);
      return { ContentLength: SIZE, ETag: '"replica-5"', VersionId: 'v-replica', Metadata: completedStamp };
    });
    target.on(CreateMultipartUploadCommand).callsFake(() => {
      const uploadId = `new-${uploads.size + 1}`;
      uploads.set(uploadId, { key: SOURCE.key, initiated: new Date(), parts: new Map() });
      return { UploadId: uploadId };
    });
    target.on(ListMultipartUploadsCommand).callsFake(() => ({
      Uploads: [...uploads].map(([uploadId, u]) => ({
        Key: u.key,
        UploadId: uploadId,
        Initiated: u.initiated,
        StorageClass: 'STANDARD',
        ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm } : {}),
      })),
    }));
    target.on(UploadPartCopyCommand).callsFake((input: UploadPartCopyCommandInput) => {
      const [, start, end] = /bytes=(\d+)-(\d+)/.exec(input.CopySourceRange ?? '') ?? [];
      upload(input.UploadId).parts.set(input.PartNumber ?? 0, {
        size: Number(end) - Number(start) + 1,
        lastModified: new Date(),
      });
      return { CopyPartResult: { ETag: `"etag-${input.PartNumber}"` } };
    });
    target.on(ListPartsCommand).callsFake((input: ListPartsCommandInput) => ({
      ChecksumAlgorithm: 'CRC32',
      ChecksumType: 'COMPOSITE',
      Parts: [...upload(input.UploadId).parts].map(([n, part]) => ({
        PartNumber: n,
        Size: part.size,
        ETag: `"etag-${n}"`,
        LastModified: part.lastModified,
      })),
    }));
    target.on(CompleteMultipartUploadCommand).callsFake((input: { UploadId?: string }) => {
      upload(input.UploadId);
      uploads.delete(input.UploadId ?? '');
      completedStamp ??= ourStamp;
      return { ETag: '"replica-5"', VersionId: 'v-replica' };
    });
    target.on(AbortMultipartUploadCommand).callsFake((input: { UploadId?: string }) => {
      uploads.delete(input.UploadId ?? '');
      return {};
    });
  });

  function input(overrides: Partial<TaskInput> = {}): TaskInput {
    return taskInput({ source: MULTIPART_SOURCE, settings: LOW_THRESHOLD, ...overrides });
  }

  function orphan(uploadId: string, parts: number[], at: Date, key = SOURCE.key): void {
    uploads.set(uploadId, {
      key,
      initiated: at,
      checksumAlgorithm: 'CRC32',
      parts: new Map(parts.map((n) => [n, { size: PART, lastModified: at }])),
    });
  }

  it('continues the upload it finds on the exact destination key from the first missing part', async () => {
    // Arrange
    orphan('lost', [1, 2], new Date(Date.now() - 5_000));
    orphan('other-key', [1], new Date(Date.now() - 5_000), `${SOURCE.key}.bak`);
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toMatchObject({ status: 'copied', destination: { etag: 'replica-5' } });
    expect(target.commandCalls(ListMultipartUploadsCommand)[0]?.args[0].input).toMatchObject({
      Bucket: TARGET.bucket,
      Prefix: SOURCE.key,
    });
    expect(target.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
    const copied = target.commandCalls(UploadPartCopyCommand).map((c) => c.args[0].input);
    expect(copied.map((c) => [c.UploadId, c.PartNumber])).toEqual([
      ['lost', 3],
      ['lost', 4],
      ['lost', 5],
    ]);
    expect(target.commandCalls(CompleteMultipartUploadCommand)[0]?.args[0].input.UploadId).toBe('lost');
    expect([...uploads.keys()]).toEqual(['other-key']); // another key's upload is not touched
  });

  it('aborts an upload on the key that does not fit this copy once it is idle, and starts its own', async () => {
    // Arrange: part 7 cannot belong to a copy of five parts
    orphan('stale', [7], new Date(Date.now() - 2 * HOUR));
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toMatchObject({ status: 'copied' });
    expect(target.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.UploadId)).toEqual([
      'stale',
    ]);
    expect(target.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
    expect(uploads.size).toBe(0);
  });

  it('leaves alone an upload that does not fit but may belong to a live copy (recent activity)', async () => {
    // Arrange: another checksum algorithm, touched a moment ago
    orphan('live', [1], new Date());
    uploads.set('live', { ...upload('live'), checksumAlgorithm: 'SHA256' });
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toMatchObject({ status: 'copied' });
    expect(target.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
    expect([...uploads.keys()]).toEqual(['live']);
  });

  it('fails retryably when the upload it continued turns out to be another version’s', async () => {
    // Arrange
    orphan('someone-else', [1, 2, 3, 4, 5], new Date(Date.now() - 5_000));
    completedStamp = undefined;
    const otherStamp = buildReplicaMetadata({
      bucket: SOURCE.bucket,
      key: SOURCE.key,
      versionId: 'v-source-0',
      etag: 'ffff',
    });
    target.on(CompleteMultipartUploadCommand).callsFake(() => {
      completedStamp = otherStamp;
      uploads.delete('someone-else');
      return { ETag: '"replica-5"', VersionId: 'v-replica' };
    });
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const copying = copy(input());

    // Assert
    await expect(copying).rejects.toMatchObject({ name: 'TransientAwsError' });
    expect(target.commandCalls(UploadPartCopyCommand)).toHaveLength(0);
  });

  it('starts a new upload, as before, when it may not list the uploads', async () => {
    // Arrange
    target.on(ListMultipartUploadsCommand).rejects(awsError('AccessDenied', 403));
    const copy = createCopyObjectHandler({ s3ClientFor });

    // Act
    const result = await copy(input());

    // Assert
    expect(result).toMatchObject({ status: 'copied' });
    expect(target.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
  });
});

describe('partsFitPlan and idleAfterMs', () => {
  it('accepts only parts whose numbers and sizes the uniform plan gives', () => {
    // Arrange
    const plan = planParts({ ...SOURCE, size: 12 * MIB }, 5 * MIB); // 5 + 5 + 2 MiB
    const listing = (parts: Array<[number, number]>) => ({
      parts: new Map(parts.map(([n, size]) => [n, { partNumber: n, size, part: { PartNumber: n } }])),
    });

    // Act
    const fits = [
      partsFitPlan(listing([[1, 5 * MIB]]), plan),
      partsFitPlan(listing([[3, 2 * MIB]]), plan),
      partsFitPlan(listing([[2, 4 * MIB]]), plan),
      partsFitPlan(listing([[4, 1]]), plan),
    ];

    // Assert
    expect(fits).toEqual([true, true, false, false]);
  });

  it('counts an upload idle after twice the copy budget, and never under 15 minutes', () => {
    expect(idleAfterMs(60)).toBe(15 * 60_000);
    expect(idleAfterMs(900)).toBe(30 * 60_000);
  });
});
