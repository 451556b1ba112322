import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, type S3Harness, startS3 } from './harness.ts';
import { bytes, crc32cRaw, crc64nvmeB64, md5Hex, raw, rejection, sha256B64, statusOf } from './support.ts';

const BUCKET = 'objects-bucket';

describe('local S3 objects', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3();
    client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    await s3.dispose();
  });

  it('stores a stream body sent with the SDK default checksum settings byte for byte', async () => {
    // Arrange
    const data = bytes(3 * 1024 * 1024 + 17, 7);
    const chunks = [
      data.subarray(0, 1_000_000),
      data.subarray(1_000_000, 2_500_000),
      data.subarray(2_500_000),
    ];

    // Act
    const put = await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'stream.bin',
        Body: Readable.from(chunks),
        ContentLength: data.length,
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'stream.bin' }));
    const body = Buffer.from(await got.Body!.transformToByteArray());

    // Assert
    expect(body.equals(data)).toBe(true);
    expect(put.ETag).toBe(`"${md5Hex(data)}"`);
    expect(got.ContentLength).toBe(data.length);
  });

  it('gives an object uploaded without a checksum a CRC64NVME, returned only with checksum mode enabled', async () => {
    // Arrange
    const data = Buffer.from('123456789');
    const plain = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDENTIALS,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });

    // Act
    await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'nine.txt', Body: data }));
    const withMode = await plain.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'nine.txt', ChecksumMode: 'ENABLED' }),
    );
    const withoutMode = await plain.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nine.txt' }));
    plain.destroy();

    // Assert
    expect(withMode.ChecksumCRC64NVME).toBe(await crc64nvmeB64(data));
    expect(Buffer.from(withMode.ChecksumCRC64NVME ?? '', 'base64').toString('hex')).toBe('ae8b14860a799888');
    expect(withMode.ChecksumType).toBe('FULL_OBJECT');
    expect(withoutMode.ChecksumCRC64NVME).toBeUndefined();
    expect(withoutMode.ChecksumType).toBeUndefined();
  });

  it('validates and stores the CRC32C and SHA256 checksums a client sends', async () => {
    // Arrange
    const data = bytes(4096, 3);
    const crc32c = (await crc32cRaw(data)).toString('base64');

    // Act
    const put = await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'crc32c.bin', Body: data, ChecksumAlgorithm: 'CRC32C' }),
    );
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'sha256.bin',
        Body: data,
        ChecksumSHA256: sha256B64(data),
      }),
    );
    const headC = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'crc32c.bin', ChecksumMode: 'ENABLED' }),
    );
    const headS = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'sha256.bin', ChecksumMode: 'ENABLED' }),
    );

    // Assert
    expect(put.ChecksumCRC32C).toBe(crc32c);
    expect(headC.ChecksumCRC32C).toBe(crc32c);
    expect(headS.ChecksumSHA256).toBe(sha256B64(data));
    expect(headS.ChecksumType).toBe('FULL_OBJECT');
  });

  it('rejects a body whose checksum does not match with BadDigest naming the algorithm', async () => {
    // Arrange
    const data = Buffer.from('the real bytes');
    const wrong = (await crc32cRaw(Buffer.from('other bytes'))).toString('base64');

    // Act
    const err = await rejection(
      client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'bad-digest', Body: data, ChecksumCRC32C: wrong }),
      ),
    );
    const missing = await rejection(
      client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'bad-digest' })),
    );

    // Assert
    expect(err.name).toBe('BadDigest');
    expect(err.message).toBe('The CRC32C you specified did not match the calculated checksum.');
    expect(statusOf(missing)).toBe(404);
  });

  it('rejects a wrong Content-MD5 with BadDigest and a malformed one with InvalidDigest', async () => {
    // Arrange
    const data = Buffer.from('md5 checked');
    const wrongMd5 = Buffer.from(md5Hex(Buffer.from('something else')), 'hex').toString('base64');

    // Act
    const bad = await rejection(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5', Body: data, ContentMD5: wrongMd5 })),
    );
    const invalid = await rejection(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5', Body: data, ContentMD5: 'not-an-md5' })),
    );
    const good = await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'md5',
        Body: data,
        ContentMD5: Buffer.from(md5Hex(data), 'hex').toString('base64'),
      }),
    );

    // Assert
    expect(bad.name).toBe('BadDigest');
    expect(invalid.name).toBe('InvalidDigest');
    expect(good.ETag).toBe(`"${md5Hex(data)}"`);
  });

  it('preserves user metadata and content headers and returns them on Head and Get', async () => {
    // Arrange
    const expires = new Date('2030-01-01T00:00:00Z');

    // Act
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'described.zip',
        Body: 'zip',
        ContentType: 'application/zip',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="app.zip"',
        ContentEncoding: 'identity',
        ContentLanguage: 'en',
        Expires: expires,
        Metadata: { 'build-id': '42', commit: 'abc123' },
        ACL: 'bucket-owner-full-control',
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'described.zip' }));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'described.zip' }));
    await got.Body?.transformToString();

    // Assert
    for (const out of [head, got]) {
      expect(out.ContentType).toBe('application/zip');
      expect(out.CacheControl).toBe('max-age=60');
      expect(out.ContentDisposition).toBe('attachment; filename="app.zip"');
      expect(out.ContentEncoding).toBe('identity');
      expect(out.ContentLanguage).toBe('en');
      expect(out.ExpiresString).toBe(expires.toUTCString());
      expect(out.Metadata).toEqual({ 'build-id': '42', commit: 'abc123' });
      expect(out.ServerSideEncryption).toBe('AES256');
    }
  });

  it('serves byte ranges with 206 and Content-Range, and no checksum for a range', async () => {
    // Arrange
    const data = bytes(1000, 11);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ranged.bin', Body: data }));

    // Act
    const middle = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'ranged.bin', Range: 'bytes=100-199' }),
    );
    const middleBody = Buffer.from(await middle.Body!.transformToByteArray());
    const tail = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'ranged.bin', Range: 'bytes=-10' }),
    );
    const tailBody = Buffer.from(await tail.Body!.transformToByteArray());
    const open = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'ranged.bin', Range: 'bytes=990-5000' }),
    );
    const openBody = Buffer.from(await open.Body!.transformToByteArray());

    // Assert
    expect(middle.$metadata.httpStatusCode).toBe(206);
    expect(middle.ContentRange).toBe('bytes 100-199/1000');
    expect(middleBody.equals(data.subarray(100, 200))).toBe(true);
    expect(middle.ChecksumCRC32).toBeUndefined();
    expect(tailBody.equals(data.subarray(990))).toBe(true);
    expect(openBody.equals(data.subarray(990))).toBe(true);
    expect(open.ContentRange).toBe('bytes 990-999/1000');
  });

  it('answers an unsatisfiable range with 416 InvalidRange', async () => {
    // Arrange
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'short.txt', Body: 'short' }));

    // Act
    const err = await rejection(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'short.txt', Range: 'bytes=10-20' })),
    );

    // Assert
    expect(err.name).toBe('InvalidRange');
    expect(statusOf(err)).toBe(416);
    expect(err.ActualObjectSize).toBe('5');
  });

  it('rejects a key over 1,024 UTF-8 bytes with KeyTooLongError', async () => {
    // Arrange
    const key = 'é'.repeat(513);

    // Act
    const err = await rejection(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })));
    const fits = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'é'.repeat(512), Body: 'x' }));

    // Assert
    expect(err.name).toBe('KeyTooLongError');
    expect(statusOf(err)).toBe(400);
    expect(fits.$metadata.httpStatusCode).toBe(200);
  });

  it('keeps keys with spaces, colons, plus signs and unicode exactly', async () => {
    // Arrange
    const keys = ['build_artifacts/10:47:07 b.zip', 'a+b=c&d', 'ünï/cødé ☃.txt', 'dir//double/'];

    // Act
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    const bodies = await Promise.all(
      keys.map(async (key) =>
        (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString(),
      ),
    );

    // Assert
    expect(bodies).toEqual(keys);
    expect(s3.events.some((e) => e.detail.object.key === 'build_artifacts/10:47:07 b.zip')).toBe(true);
  });

  it('answers a missing key with NoSuchKey, and HEAD of it with a bodiless 404', async () => {
    // Arrange
    const key = 'does/not/exist';

    // Act
    const getErr = await rejection(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
    const headRaw = await raw(s3.endpoint, { method: 'HEAD', path: `/${BUCKET}/does/not/exist` });

    // Assert
    expect(getErr.name).toBe('NoSuchKey');
    expect(headRaw.status).toBe(404);
    expect(headRaw.body).toBe('');
    expect(headRaw.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
  });

  it('honours If-None-Match (304) and If-Match (412) on reads', async () => {
    // Arrange
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'conditional', Body: 'v1' }));

    // Act
    const notModified = await rejection(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'conditional', IfNoneMatch: put.ETag })),
    );
    const failed = await rejection(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'conditional', IfMatch: '"0000"' })),
    );
    const ok = await client.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'conditional', IfMatch: put.ETag }),
    );

    // Assert
    expect(statusOf(notModified)).toBe(304);
    expect(statusOf(failed)).toBe(412);
    expect(ok.ETag).toBe(put.ETag);
  });

  it('refuses a conditional PutObject with If-None-Match: * when the key exists', async () => {
    // Arrange
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'write-once', Body: 'first' }));

    // Act
    const err = await rejection(
      client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'write-once', Body: 'second', IfNoneMatch: '*' }),
      ),
    );
    const body = await (
      await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'write-once' }))
    ).Body!.transformToString();

    // Assert
    expect(statusOf(err)).toBe(412);
    expect(body).toBe('first');
  });

  it('sets tags from x-amz-tagging, replaces them with PutObjectTagging and removes them', async () => {
    // Arrange
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'tagged',
        Body: 'data',
        Tagging: 'stage=build&owner=ci%20bot',
      }),
    );

    // Act
    const initial = await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tagged' }));
    await got.Body?.transformToString();
    await client.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: 'tagged',
        Tagging: { TagSet: [{ Key: 'stage', Value: 'prod' }] },
      }),
    );
    const replaced = await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }));
    await client.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }));
    const removed = await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged' }));
    const body = await (
      await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tagged' }))
    ).Body!.transformToString();

    // Assert
    expect(initial.TagSet).toEqual([
      { Key: 'stage', Value: 'build' },
      { Key: 'owner', Value: 'ci bot' },
    ]);
    expect(got.TagCount).toBe(2);
    expect(replaced.TagSet).toEqual([{ Key: 'stage', Value: 'prod' }]);
    expect(removed.TagSet).toEqual([]);
    expect(body).toBe('data');
  });

  it('rejects more than 10 object tags', async () => {
    // Arrange
    const tagging = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');

    // Act
    const err = await rejection(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'too-many', Body: 'x', Tagging: tagging })),
    );

    // Assert
    expect(statusOf(err)).toBe(400);
  });

  it('reports ETag, checksum, size and storage class through GetObjectAttributes', async () => {
    // Arrange
    const data = bytes(2048, 5);
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'attributes.bin',
        Body: data,
        StorageClass: 'STANDARD_IA',
        ChecksumAlgorithm: 'SHA256',
      }),
    );

    // Act
    const attrs = await client.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: 'attributes.bin',
        ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'],
      }),
    );

    // Assert
    expect(attrs.ETag).toBe(md5Hex(data));
    expect(attrs.Checksum).toEqual({ ChecksumSHA256: sha256B64(data), ChecksumType: 'FULL_OBJECT' });
    expect(attrs.ObjectSize).toBe(2048);
    expect(attrs.StorageClass).toBe('STANDARD_IA');
    expect(attrs.ObjectParts).toBeUndefined();
  });

  it('deletes one object, and many with DeleteObjects reporting each key', async () => {
    // Arrange
    for (const key of ['del/a', 'del/b', 'del/c']) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    }

    // Act
    const single = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/a' }));
    const many = await client.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: 'del/b' }, { Key: 'del/c' }, { Key: 'del/never-existed' }] },
      }),
    );
    const gone = await rejection(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'del/b' })));

    // Assert
    expect(single.$metadata.httpStatusCode).toBe(204);
    expect(many.Deleted?.map((d) => d.Key)).toEqual(['del/b', 'del/c', 'del/never-existed']);
    expect(many.Errors).toBeUndefined();
    expect(statusOf(gone)).toBe(404);
  });

  it('refuses to read an archived (GLACIER) object with InvalidObjectState but still heads it', async () => {
    // Arrange
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'frozen', Body: 'cold', StorageClass: 'GLACIER' }),
    );

    // Act
    const err = await rejection(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'frozen' })));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'frozen' }));

    // Assert
    expect(err.name).toBe('InvalidObjectState');
    expect(head.StorageClass).toBe('GLACIER');
  });

  it('applies response-* overrides on GetObject', async () => {
    // Arrange
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'override', Body: 'x', ContentType: 'text/plain' }),
    );

    // Act
    const got = await client.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: 'override',
        ResponseContentType: 'application/json',
        ResponseCacheControl: 'no-cache',
      }),
    );
    await got.Body?.transformToString();

    // Assert
    expect(got.ContentType).toBe('application/json');
    expect(got.CacheControl).toBe('no-cache');
  });
});
