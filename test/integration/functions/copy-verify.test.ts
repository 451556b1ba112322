import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICA_METADATA_KEYS } from '../../../core/replica-metadata.ts';
import { firstTargetInput, type RelayHarness, relayConfig, startRelayHarness } from './harness.ts';

const MIB = 1024 * 1024;
const KMS_KEY = 'arn:aws:kms:us-west-2:000000000000:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18';

describe('Copy and Verify on the local stack', () => {
  let relay: RelayHarness;
  let multipartEtag: string;
  const source = { bucket: 'build-artifacts-oregon', region: 'us-west-2' };
  const plain = { bucket: 'artifacts-frankfurt', region: 'eu-central-1' };

  beforeAll(async () => {
    relay = await startRelayHarness();
    await relay.stack.createKmsKey(KMS_KEY);
    await relay.bucket(source.bucket, source.region, { versioned: true });
    await relay.bucket(plain.bucket, plain.region);
    await relay.bucket('artifacts-seoul', 'ap-northeast-2');

    // A 40 MiB source uploaded in five 8 MiB parts.
    const s3 = relay.s3(source.region);
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: source.bucket,
        Key: 'big/artifact.bin',
        Tagging: 'kind=big',
      }),
    );
    const parts = [];
    for (let n = 1; n <= 5; n++) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: source.bucket,
          Key: 'big/artifact.bin',
          UploadId,
          PartNumber: n,
          Body: randomBytes(8 * MIB),
        }),
      );
      parts.push({ PartNumber: n, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 });
    }
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: source.bucket,
        Key: 'big/artifact.bin',
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    multipartEtag = done.ETag ?? '';
  });

  afterAll(async () => {
    await relay?.dispose();
  });

  it('copies an SSE-KMS source to an SSE-S3 target and verifies it by checksum although the ETags differ', async () => {
    // Arrange
    const key = 'build_artifacts/web.zip';
    await relay.s3(source.region).send(
      new PutObjectCommand({
        Bucket: source.bucket,
        Key: key,
        Body: randomBytes(256 * 1024),
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KMS_KEY,
        ContentType: 'application/zip',
        CacheControl: 'no-cache',
        Metadata: { build: '42' },
        Tagging: 'team=web',
      }),
    );
    const config = relayConfig(source, [plain]);
    const input = firstTargetInput(await relay.resolve(config, { bucket: source.bucket, key }));

    // Act
    const [copy] = await relay.copyToEnd(input);
    const verify = await relay.verify({ ...input, ...(copy === undefined ? {} : { copy }) });

    // Assert
    expect(copy?.status).toBe('copied');
    expect(verify.verifiedBy).toMatch(/^checksum:/);
    expect(verify.bytes).toBe(256 * 1024);
    const replica = await relay
      .s3(plain.region)
      .send(new HeadObjectCommand({ Bucket: plain.bucket, Key: key }));
    expect(replica.ETag?.replaceAll('"', '')).not.toBe(input.source.etag);
    expect(replica.ServerSideEncryption).toBe('AES256');
    expect(replica.ContentType).toBe('application/zip');
    expect(replica.CacheControl).toBe('no-cache');
    expect(replica.Metadata).toMatchObject({
      build: '42',
      [REPLICA_METADATA_KEYS.sourceVersion]: input.source.versionId,
    });
    const tags = await relay
      .s3(plain.region)
      .send(new GetObjectTaggingCommand({ Bucket: plain.bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'team', Value: 'web' }]);
  });

  it('copies and verifies the state of an execution started before the source and replica facts were carried', async () => {
    // Arrange
    const key = 'build_artifacts/older.zip';
    await relay.s3(source.region).send(
      new PutObjectCommand({
        Bucket: source.bucket,
        Key: key,
        Body: randomBytes(64 * 1024),
        ContentType: 'application/zip',
        Metadata: { build: '7' },
      }),
    );
    const config = relayConfig(source, [plain]);
    const resolved = firstTargetInput(await relay.resolve(config, { bucket: source.bucket, key }));
    const { content: _content, ...olderSource } = resolved.source;
    const input = { ...resolved, source: olderSource };

    // Act
    const [copy] = await relay.copyToEnd(input);
    const olderCopy =
      copy?.status === 'copied'
        ? { status: copy.status, bytes: copy.bytes, destination: copy.destination }
        : copy;
    const verify = await relay.verify({ ...input, ...(olderCopy === undefined ? {} : { copy: olderCopy }) });

    // Assert
    expect(copy?.status).toBe('copied');
    expect(verify.verifiedBy).toMatch(/^checksum:/);
    const replica = await relay
      .s3(plain.region)
      .send(new HeadObjectCommand({ Bucket: plain.bucket, Key: key }));
    expect(replica.ContentType).toBe('application/zip');
    expect(replica.Metadata).toMatchObject({ build: '7' });
  });

  it('copies a 40 MiB multipart source in parts on its own boundaries, so the -N ETags are equal', async () => {
    // Arrange
    const config = relayConfig(source, [{ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }], {
      multipartThresholdBytes: 8 * MIB,
      partSizeBytes: 16 * MIB,
    });
    const input = firstTargetInput(
      await relay.resolve(config, { bucket: source.bucket, key: 'big/artifact.bin' }),
    );

    // Act
    const results = await relay.copyToEnd(input);
    const copy = results.at(-1);
    const byEtag = await relay.verify({
      ...input,
      settings: { ...input.settings, verify: 'etag' },
      ...(copy === undefined ? {} : { copy }),
    });
    const auto = await relay.verify({ ...input, ...(copy === undefined ? {} : { copy }) });

    // Assert
    expect(input.source.partCount).toBe(5);
    expect(copy?.status).toBe('copied');
    expect(copy?.status === 'copied' && copy.destination.etag).toBe(multipartEtag.replaceAll('"', ''));
    expect(multipartEtag).toMatch(/-5"$/);
    expect(byEtag).toMatchObject({ verifiedBy: 'etag', bytes: 40 * MIB });
    expect(auto.verifiedBy).not.toBe('stream:sha256');
    const tags = await relay
      .s3('ap-northeast-2')
      .send(new GetObjectTaggingCommand({ Bucket: 'artifacts-seoul', Key: 'big/artifact.bin' }));
    expect(tags.TagSet).toEqual([{ Key: 'kind', Value: 'big' }]);
  });

  it('works to a time budget: several copying rounds resume from ListParts and complete', async () => {
    // Arrange
    const config = relayConfig(
      source,
      [{ bucket: plain.bucket, region: plain.region, keyPrefix: 'budget/' }],
      {
        multipartThresholdBytes: 8 * MIB,
        copyTimeBudgetSeconds: 0.001,
      },
    );
    const input = firstTargetInput(
      await relay.resolve(config, { bucket: source.bucket, key: 'big/artifact.bin' }),
    );

    // Act
    const results = await relay.copyToEnd(input, { partConcurrency: 1 });
    const copy = results.at(-1);
    const verify = await relay.verify({ ...input, ...(copy === undefined ? {} : { copy }) });

    // Assert
    expect(results.map((r) => r.status)).toEqual(['copying', 'copying', 'copying', 'copying', 'copied']);
    expect(results.map((r) => (r.status === 'copying' ? r.nextPart : 0))).toEqual([2, 3, 4, 5, 0]);
    expect(verify.bytes).toBe(40 * MIB);
  });

  it('finds a duplicate copy in-sync and copies nothing', async () => {
    // Arrange
    const key = 'dup/web.zip';
    await relay
      .s3(source.region)
      .send(new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: 'same bytes' }));
    const config = relayConfig(source, [plain]);
    const input = firstTargetInput(await relay.resolve(config, { bucket: source.bucket, key }));
    const [first] = await relay.copyToEnd(input);

    // Act
    const [second] = await relay.copyToEnd(input);

    // Assert
    expect(first?.status).toBe('copied');
    expect(second?.status).toBe('in-sync');
    expect(second?.status === 'in-sync' && first?.status === 'copied' && second.destination.etag).toBe(
      first?.status === 'copied' ? first.destination.etag : undefined,
    );
  });

  it('never overwrites a replica of a newer version with an older one: superseded', async () => {
    // Arrange
    const key = 'race/web.zip';
    const s3 = relay.s3(source.region);
    const older = await s3.send(
      new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: 'version one' }),
    );
    const newer = await s3.send(
      new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: 'version two!' }),
    );
    const config = relayConfig(source, [plain]);
    const newerInput = firstTargetInput(
      await relay.resolve(config, {
        bucket: source.bucket,
        key,
        versionId: newer.VersionId,
        sequencer: '0062E99A88DC4074B0',
      }),
    );
    const olderInput = firstTargetInput(
      await relay.resolve(config, {
        bucket: source.bucket,
        key,
        versionId: older.VersionId,
        sequencer: '0062E99A88DC4074A0',
      }),
    );
    await relay.copyToEnd(newerInput);

    // Act
    const [result] = await relay.copyToEnd(olderInput);

    // Assert
    expect(result?.status).toBe('superseded');
    const replica = await relay
      .s3(plain.region)
      .send(new HeadObjectCommand({ Bucket: plain.bucket, Key: key }));
    expect(replica.ContentLength).toBe('version two!'.length);
  });

  it('does not relay a replica back: an A→B→A configuration stops at the loop guard', async () => {
    // Arrange
    const key = 'loop/web.zip';
    await relay
      .s3(source.region)
      .send(new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: 'ping' }));
    const forward = relayConfig(source, [plain]);
    const back = relayConfig(plain, [source]);
    await relay.copyToEnd(firstTargetInput(await relay.resolve(forward, { bucket: source.bucket, key })));

    // Act
    const resolved = await relay.resolve(back, { bucket: plain.bucket, key });

    // Assert
    expect(resolved).toMatchObject({ targets: [], reason: 'replica' });
  });

  it('reports source-gone when the source is deleted before the copy', async () => {
    // Arrange
    const key = 'gone/web.zip';
    const put = await relay
      .s3(source.region)
      .send(new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: 'short-lived' }));
    const config = relayConfig(source, [plain]);
    const input = firstTargetInput(
      await relay.resolve(config, { bucket: source.bucket, key, versionId: put.VersionId }),
    );
    await relay
      .s3(source.region)
      .send(new DeleteObjectCommand({ Bucket: source.bucket, Key: key, VersionId: put.VersionId }));

    // Act
    const [result] = await relay.copyToEnd(input);

    // Assert
    expect(result).toEqual({ status: 'source-gone', bytes: 0, destination: { bucket: plain.bucket, key } });
  });

  it.each([
    ['spaces, plus and percent', 'odd/10:47:07 a+b%20c.zip'],
    ['unicode', 'odd/Ünïcödé ✓ 版本.zip'],
    ['a 1,024-byte key', `odd/${'k'.repeat(1020)}`],
  ])('copies and verifies a key with %s', async (_label, key) => {
    // Arrange
    await relay
      .s3(source.region)
      .send(new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: `bytes of ${key}` }));
    const config = relayConfig(source, [plain]);
    const input = firstTargetInput(await relay.resolve(config, { bucket: source.bucket, key }));

    // Act
    const [copy] = await relay.copyToEnd(input);
    const verify = await relay.verify({ ...input, ...(copy === undefined ? {} : { copy }) });

    // Assert
    expect(copy?.status).toBe('copied');
    expect(copy?.destination.key).toBe(key);
    expect(verify.bytes).toBe(Buffer.byteLength(`bytes of ${key}`));
  });

  it('copies and verifies a zero-byte object', async () => {
    // Arrange
    const key = 'empty/marker';
    await relay
      .s3(source.region)
      .send(new PutObjectCommand({ Bucket: source.bucket, Key: key, Body: new Uint8Array(0) }));
    const config = relayConfig(source, [plain]);
    const input = firstTargetInput(await relay.resolve(config, { bucket: source.bucket, key }));

    // Act
    const [copy] = await relay.copyToEnd(input);
    const verify = await relay.verify({ ...input, ...(copy === undefined ? {} : { copy }) });

    // Assert
    expect(copy?.status).toBe('copied');
    expect(verify.bytes).toBe(0);
  });
});
