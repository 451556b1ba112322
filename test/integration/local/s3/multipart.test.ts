import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, type S3Harness, startS3 } from './harness.ts';
import { bytes, crc32cRaw, crc32Raw, crc64nvmeB64, md5Raw, rejection, statusOf } from './support.ts';

const BUCKET = 'multipart-bucket';
const SOURCE = 'multipart-source';
const MIB = 1024 * 1024;
const MIN_PART = MIB;

function multipartEtag(parts: readonly Buffer[]): string {
  const md5s = Buffer.concat(parts.map((p) => md5Raw(p)));
  return `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
}

describe('local S3 multipart uploads', () => {
  let s3: S3Harness;
  let client: S3Client;
  let plain: S3Client;

  beforeAll(async () => {
    s3 = await startS3({ minPartSizeBytes: MIN_PART });
    client = s3.client('us-east-1');
    plain = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.client('eu-west-1').send(new CreateBucketCommand({ Bucket: SOURCE }));
  });

  afterAll(async () => {
    plain.destroy();
    await s3.dispose();
  });

  async function upload(
    key: string,
    parts: readonly Buffer[],
    create: Partial<CreateMultipartUploadCommand['input']> = {},
  ) {
    const { UploadId } = await plain.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...create }),
    );
    const done = [];
    for (const [i, body] of parts.entries()) {
      const res = await plain.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: i + 1, Body: body }),
      );
      done.push({ PartNumber: i + 1, ETag: res.ETag });
    }
    return { uploadId: UploadId!, parts: done };
  }

  it('stores a lib-storage Upload with the -N ETag and composite CRC32 computed independently', async () => {
    // Arrange
    const data = bytes(12 * MIB + 123, 31);
    const parts = [data.subarray(0, 5 * MIB), data.subarray(5 * MIB, 10 * MIB), data.subarray(10 * MIB)];
    const crcs = await Promise.all(parts.map((p) => crc32Raw(p)));
    const composite = `${(await crc32Raw(Buffer.concat(crcs))).toString('base64')}-3`;

    // Act
    const result = await new Upload({
      client,
      params: { Bucket: BUCKET, Key: 'lib-storage.bin', Body: data },
      partSize: 5 * MIB,
    }).done();
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'lib-storage.bin', ChecksumMode: 'ENABLED' }),
    );
    const body = Buffer.from(
      await (
        await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lib-storage.bin' }))
      ).Body!.transformToByteArray(),
    );

    // Assert
    expect(body.equals(data)).toBe(true);
    expect(result.ETag).toBe(multipartEtag(parts));
    expect(head.ETag).toBe(multipartEtag(parts));
    expect(head.ChecksumCRC32).toBe(composite);
    expect(head.ChecksumType).toBe('COMPOSITE');
  });

  it('gives a multipart upload without a checksum algorithm a full-object CRC64NVME', async () => {
    // Arrange
    const data = bytes(2 * MIB + 10, 41);
    const parts = [data.subarray(0, MIB + 5), data.subarray(MIB + 5)];

    // Act
    const { uploadId, parts: done } = await upload('default-checksum.bin', parts);
    const complete = await plain.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'default-checksum.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: done },
      }),
    );

    // Assert
    expect(complete.ETag).toBe(multipartEtag(parts));
    expect(complete.ChecksumCRC64NVME).toBe(await crc64nvmeB64(data));
    expect(complete.ChecksumType).toBe('FULL_OBJECT');
  });

  it('validates a full-object CRC32C sent with CompleteMultipartUpload', async () => {
    // Arrange
    const data = bytes(2 * MIB, 51);
    const parts = [data.subarray(0, MIB), data.subarray(MIB)];
    const create = { ChecksumAlgorithm: 'CRC32C', ChecksumType: 'FULL_OBJECT' } as const;
    const good = await upload('full-crc32c.bin', parts, create);
    const bad = await upload('full-crc32c-bad.bin', parts, create);
    const whole = (await crc32cRaw(data)).toString('base64');
    const wrong = (await crc32cRaw(Buffer.from('nope'))).toString('base64');

    // Act
    const ok = await plain.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'full-crc32c.bin',
        UploadId: good.uploadId,
        MultipartUpload: { Parts: good.parts },
        ChecksumCRC32C: whole,
        ChecksumType: 'FULL_OBJECT',
      }),
    );
    const err = await rejection(
      plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'full-crc32c-bad.bin',
          UploadId: bad.uploadId,
          MultipartUpload: { Parts: bad.parts },
          ChecksumCRC32C: wrong,
          ChecksumType: 'FULL_OBJECT',
        }),
      ),
    );

    // Assert
    expect(ok.ChecksumCRC32C).toBe(whole);
    expect(ok.ChecksumType).toBe('FULL_OBJECT');
    expect(err.name).toBe('BadDigest');
  });

  it('serves one part with HeadObject/GetObject partNumber, with its size, range, count and checksum', async () => {
    // Arrange
    const data = bytes(3 * MIB, 61);
    const parts = [data.subarray(0, MIB), data.subarray(MIB, 2 * MIB + 7), data.subarray(2 * MIB + 7)];
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'parts.bin', ChecksumAlgorithm: 'CRC32C' }),
    );
    const done = [];
    for (const [i, body] of parts.entries()) {
      const res = await client.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'parts.bin',
          UploadId,
          PartNumber: i + 1,
          Body: body,
          ChecksumAlgorithm: 'CRC32C',
        }),
      );
      done.push({ PartNumber: i + 1, ETag: res.ETag, ChecksumCRC32C: res.ChecksumCRC32C });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'parts.bin',
        UploadId,
        MultipartUpload: { Parts: done },
      }),
    );

    // Act
    const head = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'parts.bin', PartNumber: 2, ChecksumMode: 'ENABLED' }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'parts.bin', PartNumber: 2 }));
    const body = Buffer.from(await got.Body!.transformToByteArray());
    const beyond = await rejection(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'parts.bin', PartNumber: 4 })),
    );

    // Assert
    expect(head.ContentLength).toBe(MIB + 7);
    expect(head.PartsCount).toBe(3);
    expect(head.ContentRange).toBe(`bytes ${MIB}-${2 * MIB + 6}/${3 * MIB}`);
    expect(head.ChecksumCRC32C).toBe((await crc32cRaw(parts[1]!)).toString('base64'));
    expect(body.equals(parts[1]!)).toBe(true);
    expect(statusOf(beyond)).toBe(416);
  });

  it('reports the part layout with per-part checksums through GetObjectAttributes', async () => {
    // Arrange
    const data = bytes(2 * MIB + 1, 71);
    const parts = [data.subarray(0, MIB), data.subarray(MIB)];
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'layout.bin', ChecksumAlgorithm: 'CRC32' }),
    );
    const done = [];
    for (const [i, body] of parts.entries()) {
      const res = await client.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'layout.bin',
          UploadId,
          PartNumber: i + 1,
          Body: body,
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      done.push({ PartNumber: i + 1, ETag: res.ETag, ChecksumCRC32: res.ChecksumCRC32 });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'layout.bin',
        UploadId,
        MultipartUpload: { Parts: done },
      }),
    );

    // Act
    const attrs = await client.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: 'layout.bin',
        ObjectAttributes: ['ETag', 'ObjectParts', 'ObjectSize'],
        MaxParts: 1,
      }),
    );

    // Assert
    expect(attrs.ETag).toBe(multipartEtag(parts).replaceAll('"', ''));
    expect(attrs.ObjectSize).toBe(data.length);
    expect(attrs.ObjectParts?.TotalPartsCount).toBe(2);
    expect(attrs.ObjectParts?.IsTruncated).toBe(true);
    expect(attrs.ObjectParts?.Parts).toEqual([
      { PartNumber: 1, Size: MIB, ChecksumCRC32: (await crc32Raw(parts[0]!)).toString('base64') },
    ]);
  });

  it('assembles an object from UploadPartCopy ranges of a source in another region, reusing its part boundaries', async () => {
    // Arrange
    const eu = s3.client('eu-west-1');
    const data = bytes(3 * MIB + 99, 81);
    const sourceParts = [data.subarray(0, 2 * MIB), data.subarray(2 * MIB)];
    const src = await new Upload({
      client: eu,
      params: { Bucket: SOURCE, Key: 'src.bin', Body: data },
      partSize: 5 * MIB,
    }).done();
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'copied.bin' }),
    );

    // Act
    const p1 = await client.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: 'copied.bin',
        UploadId,
        PartNumber: 1,
        CopySource: `${SOURCE}/src.bin`,
        CopySourceRange: `bytes=0-${2 * MIB - 1}`,
      }),
    );
    const p2 = await client.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: 'copied.bin',
        UploadId,
        PartNumber: 2,
        CopySource: `${SOURCE}/src.bin`,
        CopySourceRange: `bytes=${2 * MIB}-${data.length - 1}`,
        CopySourceIfMatch: src.ETag,
      }),
    );
    const complete = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'copied.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.CopyPartResult?.ETag },
            { PartNumber: 2, ETag: p2.CopyPartResult?.ETag },
          ],
        },
      }),
    );
    const body = Buffer.from(
      await (
        await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copied.bin' }))
      ).Body!.transformToByteArray(),
    );

    // Assert
    expect(body.equals(data)).toBe(true);
    expect(complete.ETag).toBe(multipartEtag(sourceParts));
    expect(src.ETag).toBe(`"${md5Raw(data).toString('hex')}"`);
  });

  it('rejects an UploadPartCopy range outside the source and a failed copy-source condition', async () => {
    // Arrange
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small-src', Body: 'tiny' }));
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'bad-copy' }),
    );

    // Act
    const range = await rejection(
      client.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'bad-copy',
          UploadId,
          PartNumber: 1,
          CopySource: `${BUCKET}/small-src`,
          CopySourceRange: 'bytes=0-100',
        }),
      ),
    );
    const condition = await rejection(
      client.send(
        new UploadPartCopyCommand({
          Bucket: BUCKET,
          Key: 'bad-copy',
          UploadId,
          PartNumber: 1,
          CopySource: `${BUCKET}/small-src`,
          CopySourceIfMatch: '"ffff"',
        }),
      ),
    );

    // Assert
    expect(range.name).toBe('InvalidArgument');
    expect(statusOf(condition)).toBe(412);
  });

  it('copies a pinned source version into a part', async () => {
    // Arrange
    const versioned = 'multipart-versioned';
    await client.send(new CreateBucketCommand({ Bucket: versioned }));
    await client.send(
      new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = await client.send(new PutObjectCommand({ Bucket: versioned, Key: 'v', Body: 'first' }));
    await client.send(new PutObjectCommand({ Bucket: versioned, Key: 'v', Body: 'second!' }));
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'from-version' }),
    );

    // Act
    const part = await client.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: 'from-version',
        UploadId,
        PartNumber: 1,
        CopySource: `${versioned}/v?versionId=${v1.VersionId}`,
      }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'from-version',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult?.ETag }] },
      }),
    );
    const body = await (
      await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'from-version' }))
    ).Body!.transformToString();

    // Assert
    expect(part.CopySourceVersionId).toBe(v1.VersionId);
    expect(body).toBe('first');
  });

  it('refuses to complete with a wrong part ETag (InvalidPart) or parts out of order (InvalidPartOrder)', async () => {
    // Arrange
    const parts = [bytes(MIB, 1), bytes(MIB, 2)];
    const { uploadId, parts: done } = await upload('bad-complete.bin', parts);

    // Act
    const wrongEtag = await rejection(
      plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'bad-complete.bin',
          UploadId: uploadId,
          MultipartUpload: {
            Parts: [done[0]!, { PartNumber: 2, ETag: '"0123456789abcdef0123456789abcdef"' }],
          },
        }),
      ),
    );
    const outOfOrder = await rejection(
      plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'bad-complete.bin',
          UploadId: uploadId,
          MultipartUpload: { Parts: [done[1]!, done[0]!] },
        }),
      ),
    );
    const stillThere = await plain.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'bad-complete.bin', UploadId: uploadId }),
    );

    // Assert
    expect(wrongEtag.name).toBe('InvalidPart');
    expect(statusOf(wrongEtag)).toBe(400);
    expect(outOfOrder.name).toBe('InvalidPartOrder');
    expect(stillThere.Parts?.length).toBe(2);
  });

  it('refuses a non-last part under the minimum part size with EntityTooSmall', async () => {
    // Arrange
    const parts = [bytes(MIN_PART - 1, 3), bytes(MIN_PART, 4)];
    const { uploadId, parts: done } = await upload('too-small.bin', parts);

    // Act
    const err = await rejection(
      plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'too-small.bin',
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('EntityTooSmall');
  });

  it('requires every part checksum when completing a composite-checksum upload', async () => {
    // Arrange
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'needs-checksums',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const part = await client.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: 'needs-checksums',
        UploadId,
        PartNumber: 1,
        Body: 'x',
        ChecksumAlgorithm: 'SHA256',
      }),
    );

    // Act
    const err = await rejection(
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'needs-checksums',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('InvalidRequest');
    expect(err.message).toContain('missing for part 1');
  });

  it('rejects a part checksum of another algorithm than the upload was created with', async () => {
    // Arrange
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mismatch', ChecksumAlgorithm: 'SHA1' }),
    );

    // Act
    const err = await rejection(
      client.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'mismatch',
          UploadId,
          PartNumber: 1,
          Body: 'x',
          ChecksumAlgorithm: 'CRC32',
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('InvalidRequest');
    expect(err.message).toContain('expected checksum Type: sha1');
  });

  it('pages ListParts with max-parts and part-number-marker', async () => {
    // Arrange
    const { uploadId } = await upload('listed.bin', [bytes(10, 1), bytes(10, 2), bytes(10, 3)]);

    // Act
    const first = await plain.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'listed.bin', UploadId: uploadId, MaxParts: 2 }),
    );
    const second = await plain.send(
      new ListPartsCommand({
        Bucket: BUCKET,
        Key: 'listed.bin',
        UploadId: uploadId,
        PartNumberMarker: first.NextPartNumberMarker,
      }),
    );

    // Assert
    expect(first.Parts?.map((p) => p.PartNumber)).toEqual([1, 2]);
    expect(first.IsTruncated).toBe(true);
    expect(first.Parts?.[0]?.ETag).toBe(`"${md5Raw(bytes(10, 1)).toString('hex')}"`);
    expect(second.Parts?.map((p) => p.PartNumber)).toEqual([3]);
    expect(second.IsTruncated).toBe(false);
  });

  it('completes only while If-None-Match: * holds, keeping the upload when it does not', async () => {
    // Arrange
    await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/taken', Body: 'already here' }));
    const { uploadId, parts } = await upload('uploads/taken', [bytes(MIN_PART, 3), bytes(10, 4)]);
    const complete = (condition: { IfNoneMatch?: string; IfMatch?: string }) =>
      plain.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'uploads/taken',
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          ...condition,
        }),
      );
    const current = await plain.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/taken' }));

    // Act
    const refused = await rejection(complete({ IfNoneMatch: '*' }));
    const listed = await plain.send(
      new ListPartsCommand({ Bucket: BUCKET, Key: 'uploads/taken', UploadId: uploadId }),
    );
    const done = await complete({ IfMatch: current.ETag ?? '' });

    // Assert
    expect(refused.name).toBe('PreconditionFailed');
    expect(statusOf(refused)).toBe(412);
    expect(listed.Parts).toHaveLength(2);
    expect(done.ETag).toMatch(/-2"$/);
  });

  it('lists uploads in progress and forgets an aborted one (NoSuchUpload afterwards)', async () => {
    // Arrange
    const { UploadId } = await plain.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/abort-me' }),
    );

    // Act
    const listed = await plain.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'uploads/' }));
    await plain.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/abort-me', UploadId }));
    const after = await plain.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: 'uploads/' }));
    const err = await rejection(
      plain.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'uploads/abort-me', UploadId })),
    );
    const again = await rejection(
      plain.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/abort-me', UploadId })),
    );

    // Assert
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['uploads/abort-me', UploadId]]);
    expect(after.Uploads).toBeUndefined();
    expect(err.name).toBe('NoSuchUpload');
    expect(again.name).toBe('NoSuchUpload');
  });
});
