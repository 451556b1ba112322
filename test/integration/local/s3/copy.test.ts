import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Harness, startS3 } from './harness.ts';
import { bytes, crc32cRaw, crc64nvmeB64, md5Hex, rejection, sha256B64, statusOf } from './support.ts';

const SOURCE = 'copy-source-oregon';
const TARGET = 'copy-target-seoul';
const MAX_COPY = 64 * 1024;

describe('local S3 CopyObject', () => {
  let s3: S3Harness;
  let oregon: S3Client;
  let seoul: S3Client;

  beforeAll(async () => {
    s3 = await startS3({ maxCopyObjectBytes: MAX_COPY });
    oregon = s3.client('us-west-2');
    seoul = s3.client('ap-northeast-2');
    await oregon.send(new CreateBucketCommand({ Bucket: SOURCE }));
    await seoul.send(new CreateBucketCommand({ Bucket: TARGET }));
    await oregon.send(
      new PutBucketVersioningCommand({ Bucket: SOURCE, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  });

  afterAll(async () => {
    await s3.dispose();
  });

  it('copies across regions with metadata, content headers and tags (COPY directives)', async () => {
    // Arrange
    const data = bytes(5000, 21);
    await oregon.send(
      new PutObjectCommand({
        Bucket: SOURCE,
        Key: 'build_artifacts/app 1.zip',
        Body: data,
        ContentType: 'application/zip',
        CacheControl: 'no-store',
        ContentDisposition: 'attachment',
        Metadata: { build: '7' },
        Tagging: 'team=web',
      }),
    );

    // Act
    const copy = await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'releases/app 1.zip',
        CopySource: `${SOURCE}/${encodeURIComponent('build_artifacts/app 1.zip')}`,
      }),
    );
    const head = await seoul.send(new HeadObjectCommand({ Bucket: TARGET, Key: 'releases/app 1.zip' }));
    const tags = await seoul.send(new GetObjectTaggingCommand({ Bucket: TARGET, Key: 'releases/app 1.zip' }));
    const body = Buffer.from(
      await (
        await seoul.send(new GetObjectCommand({ Bucket: TARGET, Key: 'releases/app 1.zip' }))
      ).Body!.transformToByteArray(),
    );

    // Assert
    expect(body.equals(data)).toBe(true);
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5Hex(data)}"`);
    expect(copy.CopySourceVersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(head.ContentType).toBe('application/zip');
    expect(head.CacheControl).toBe('no-store');
    expect(head.ContentDisposition).toBe('attachment');
    expect(head.Metadata).toEqual({ build: '7' });
    expect(tags.TagSet).toEqual([{ Key: 'team', Value: 'web' }]);
  });

  it('replaces metadata and tags with REPLACE directives and applies the requested storage class', async () => {
    // Arrange
    await oregon.send(
      new PutObjectCommand({
        Bucket: SOURCE,
        Key: 'replace-me',
        Body: 'x',
        Metadata: { old: '1' },
        Tagging: 'old=1',
      }),
    );

    // Act
    await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'replaced',
        CopySource: `${SOURCE}/replace-me`,
        MetadataDirective: 'REPLACE',
        Metadata: { 'relay-source': `s3://${SOURCE}/replace-me` },
        ContentType: 'text/plain',
        TaggingDirective: 'REPLACE',
        Tagging: 'new=2',
        StorageClass: 'STANDARD_IA',
      }),
    );
    const head = await seoul.send(new HeadObjectCommand({ Bucket: TARGET, Key: 'replaced' }));
    const tags = await seoul.send(new GetObjectTaggingCommand({ Bucket: TARGET, Key: 'replaced' }));

    // Assert
    expect(head.Metadata).toEqual({ 'relay-source': `s3://${SOURCE}/replace-me` });
    expect(head.ContentType).toBe('text/plain');
    expect(head.StorageClass).toBe('STANDARD_IA');
    expect(tags.TagSet).toEqual([{ Key: 'new', Value: '2' }]);
  });

  it('copies the version named in the copy source, not the current one', async () => {
    // Arrange
    const v1 = await oregon.send(
      new PutObjectCommand({ Bucket: SOURCE, Key: 'versioned.txt', Body: 'version one' }),
    );
    await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'versioned.txt', Body: 'version two' }));

    // Act
    const copy = await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'pinned.txt',
        CopySource: `${SOURCE}/versioned.txt?versionId=${v1.VersionId}`,
      }),
    );
    const body = await (
      await seoul.send(new GetObjectCommand({ Bucket: TARGET, Key: 'pinned.txt' }))
    ).Body!.transformToString();

    // Assert
    expect(body).toBe('version one');
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
  });

  it('copies when CopySourceIfMatch holds and answers 412 PreconditionFailed when it does not', async () => {
    // Arrange
    const put = await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'guarded', Body: 'guarded' }));

    // Act
    const ok = await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'guarded',
        CopySource: `${SOURCE}/guarded`,
        CopySourceIfMatch: put.ETag,
      }),
    );
    const err = await rejection(
      seoul.send(
        new CopyObjectCommand({
          Bucket: TARGET,
          Key: 'guarded-2',
          CopySource: `${SOURCE}/guarded`,
          CopySourceIfMatch: '"00000000000000000000000000000000"',
        }),
      ),
    );

    // Assert
    expect(ok.CopyObjectResult?.ETag).toBe(put.ETag);
    expect(err.name).toBe('PreconditionFailed');
    expect(statusOf(err)).toBe(412);
  });

  it('answers 412 for If-None-Match on the same ETag and for a not-modified-since source', async () => {
    // Arrange
    const put = await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'dated', Body: 'dated' }));
    const future = new Date(Date.now() + 3_600_000);
    const past = new Date(Date.now() - 3_600_000);

    // Act
    const noneMatch = await rejection(
      seoul.send(
        new CopyObjectCommand({
          Bucket: TARGET,
          Key: 'd1',
          CopySource: `${SOURCE}/dated`,
          CopySourceIfNoneMatch: put.ETag,
        }),
      ),
    );
    const notModified = await rejection(
      seoul.send(
        new CopyObjectCommand({
          Bucket: TARGET,
          Key: 'd2',
          CopySource: `${SOURCE}/dated`,
          CopySourceIfModifiedSince: future,
        }),
      ),
    );
    const modifiedSince = await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'd3',
        CopySource: `${SOURCE}/dated`,
        CopySourceIfModifiedSince: past,
      }),
    );
    const unmodified = await rejection(
      seoul.send(
        new CopyObjectCommand({
          Bucket: TARGET,
          Key: 'd4',
          CopySource: `${SOURCE}/dated`,
          CopySourceIfUnmodifiedSince: past,
        }),
      ),
    );

    // Assert
    expect(statusOf(noneMatch)).toBe(412);
    expect(statusOf(notModified)).toBe(412);
    expect(modifiedSince.CopyObjectResult?.ETag).toBe(put.ETag);
    expect(statusOf(unmodified)).toBe(412);
  });

  it('writes the destination only while If-None-Match: * / If-Match hold, answering 412 otherwise', async () => {
    // Arrange
    await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'conditional', Body: 'v1' }));
    const copy = (key: string, condition: { IfNoneMatch?: string; IfMatch?: string }) =>
      seoul.send(
        new CopyObjectCommand({
          Bucket: TARGET,
          Key: key,
          CopySource: `${SOURCE}/conditional`,
          ...condition,
        }),
      );

    // Act
    const created = await copy('cond-dest', { IfNoneMatch: '*' });
    const exists = await rejection(copy('cond-dest', { IfNoneMatch: '*' }));
    const staleMatch = await rejection(copy('cond-dest', { IfMatch: '"00000000000000000000000000000000"' }));
    const matched = await copy('cond-dest', { IfMatch: created.CopyObjectResult?.ETag ?? '' });
    const missing = await rejection(copy('cond-missing', { IfMatch: created.CopyObjectResult?.ETag ?? '' }));
    const body = await seoul.send(new GetObjectCommand({ Bucket: TARGET, Key: 'cond-dest' }));

    // Assert
    expect(exists.name).toBe('PreconditionFailed');
    expect(statusOf(exists)).toBe(412);
    expect(statusOf(staleMatch)).toBe(412);
    expect(matched.CopyObjectResult?.ETag).toBe(created.CopyObjectResult?.ETag);
    expect(missing.name).toBe('NoSuchKey');
    expect(await body.Body?.transformToString()).toBe('v1');
  });

  it('answers a copy from a missing source key with NoSuchKey and from a missing bucket with NoSuchBucket', async () => {
    // Arrange
    const missingKey = `${SOURCE}/no/such/key`;

    // Act
    const keyErr = await rejection(
      seoul.send(new CopyObjectCommand({ Bucket: TARGET, Key: 'x', CopySource: missingKey })),
    );
    const bucketErr = await rejection(
      seoul.send(new CopyObjectCommand({ Bucket: TARGET, Key: 'x', CopySource: 'no-such-source-bucket/k' })),
    );

    // Assert
    expect(keyErr.name).toBe('NoSuchKey');
    expect(statusOf(keyErr)).toBe(404);
    expect(bucketErr.name).toBe('NoSuchBucket');
  });

  it('refuses a source over the CopyObject limit with InvalidRequest naming the limit', async () => {
    // Arrange
    await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'too-big', Body: bytes(MAX_COPY + 1) }));

    // Act
    const err = await rejection(
      seoul.send(new CopyObjectCommand({ Bucket: TARGET, Key: 'too-big', CopySource: `${SOURCE}/too-big` })),
    );

    // Assert
    expect(err.name).toBe('InvalidRequest');
    expect(err.message).toBe(
      `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY}`,
    );
  });

  it('computes the checksum named by x-amz-checksum-algorithm for the new object', async () => {
    // Arrange
    const data = bytes(3000, 8);
    await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'sum-me', Body: data }));

    // Act
    const copy = await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'summed',
        CopySource: `${SOURCE}/sum-me`,
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const head = await seoul.send(
      new HeadObjectCommand({ Bucket: TARGET, Key: 'summed', ChecksumMode: 'ENABLED' }),
    );

    // Assert
    expect(copy.CopyObjectResult?.ChecksumSHA256).toBe(sha256B64(data));
    expect(head.ChecksumSHA256).toBe(sha256B64(data));
    expect(head.ChecksumType).toBe('FULL_OBJECT');
  });

  it("keeps the source's checksum algorithm when none is requested, defaulting to CRC64NVME", async () => {
    // Arrange
    const data = bytes(777, 9);
    await oregon.send(
      new PutObjectCommand({ Bucket: SOURCE, Key: 'crc32c-src', Body: data, ChecksumAlgorithm: 'CRC32C' }),
    );
    await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'plain-src', Body: data }));

    // Act
    await seoul.send(
      new CopyObjectCommand({ Bucket: TARGET, Key: 'crc32c-copy', CopySource: `${SOURCE}/crc32c-src` }),
    );
    await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'plain-copy',
        CopySource: `${SOURCE}/plain-src`,
        ChecksumAlgorithm: 'CRC64NVME',
      }),
    );
    const a = await seoul.send(
      new HeadObjectCommand({ Bucket: TARGET, Key: 'crc32c-copy', ChecksumMode: 'ENABLED' }),
    );
    const b = await seoul.send(
      new HeadObjectCommand({ Bucket: TARGET, Key: 'plain-copy', ChecksumMode: 'ENABLED' }),
    );

    // Assert
    expect(a.ChecksumCRC32C).toBe((await crc32cRaw(data)).toString('base64'));
    expect(b.ChecksumCRC64NVME).toBe(await crc64nvmeB64(data));
  });

  it('refuses to copy an object onto itself without changing anything, but allows a metadata replace', async () => {
    // Arrange
    await seoul.send(
      new PutObjectCommand({ Bucket: TARGET, Key: 'self', Body: 'self', Metadata: { a: '1' } }),
    );

    // Act
    const err = await rejection(
      seoul.send(new CopyObjectCommand({ Bucket: TARGET, Key: 'self', CopySource: `${TARGET}/self` })),
    );
    await seoul.send(
      new CopyObjectCommand({
        Bucket: TARGET,
        Key: 'self',
        CopySource: `${TARGET}/self`,
        MetadataDirective: 'REPLACE',
        Metadata: { a: '2' },
      }),
    );
    const head = await seoul.send(new HeadObjectCommand({ Bucket: TARGET, Key: 'self' }));
    const body = await (
      await seoul.send(new GetObjectCommand({ Bucket: TARGET, Key: 'self' }))
    ).Body!.transformToString();

    // Assert
    expect(err.name).toBe('InvalidRequest');
    expect(head.Metadata).toEqual({ a: '2' });
    expect(body).toBe('self');
  });

  it('rejects an unknown metadata directive with InvalidArgument', async () => {
    // Arrange
    await oregon.send(new PutObjectCommand({ Bucket: SOURCE, Key: 'directive', Body: 'x' }));

    // Act
    const err = await rejection(
      seoul.send(
        new CopyObjectCommand({
          Bucket: TARGET,
          Key: 'directive',
          CopySource: `${SOURCE}/directive`,
          MetadataDirective: 'MERGE' as 'COPY',
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('InvalidArgument');
  });
});
