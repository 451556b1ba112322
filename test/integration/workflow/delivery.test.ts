import { randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLICA_METADATA_KEYS } from '../../../core/replica-metadata.ts';
import { COPY_TIME_MARGIN_MS } from '../../../functions/copy-object/budget.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import {
  nothingToRelay,
  relayOutput,
  resultFor,
  sha256,
  startWorkflowHarness,
  type WorkflowHarness,
} from './harness.ts';

const MIB = 1024 * 1024;
const SOURCE_REGION = 'us-west-2';
const unquote = (etag: string | undefined): string => (etag ?? '').replaceAll('"', '');

describe('the relay workflow delivers artifacts (local stack, S3 events, real SDK clients)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it('relays an upload to three regions: re-encrypted, key-prefixed, verified and deployed', async () => {
    // Arrange
    const source = h.name('happy-src');
    const seoul = h.name('happy-seoul');
    const frankfurt = h.name('happy-frankfurt');
    const virginia = h.name('happy-virginia');
    const seoulKey = `arn:aws:kms:ap-northeast-2:${h.stack.accountId}:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18`;
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.bucket(frankfurt, 'eu-central-1');
    await h.bucket(virginia, 'us-east-1');
    await h.stack.createKmsKey(seoulKey);
    await h.deploymentGroup('ap-northeast-2', 'web', 'web-prod');
    const account = h.stack.accountId;
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          account,
          rules: [
            {
              name: 'web-bundles',
              prefix: 'build_artifacts/',
              suffix: '.zip',
              targets: [
                {
                  bucket: seoul,
                  region: 'ap-northeast-2',
                  account,
                  encryption: { type: 'aws:kms', kmsKeyArn: seoulKey },
                  deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip' },
                },
                { bucket: frankfurt, region: 'eu-central-1', keyPrefix: 'releases/' },
                { bucket: virginia, region: 'us-east-1', storageClass: 'STANDARD_IA' },
              ],
            },
          ],
        },
      ],
    });
    const bundle = await zipWithAppspec({ 'index.html': '<h1>build 42</h1>' });
    const key = 'build_artifacts/web-42.zip';

    // Act
    await h.put(SOURCE_REGION, {
      Bucket: source,
      Key: key,
      Body: bundle,
      ContentType: 'application/zip',
      CacheControl: 'no-cache',
      Metadata: { 'build-id': '42' },
      Tagging: 'team=web',
    });
    const started = await relay.triggered();
    const execution = await relay.wait(started[0] ?? 'none');

    // Assert
    expect(started).toHaveLength(1);
    expect(execution.status).toBe('SUCCEEDED');
    const output = relayOutput(execution);
    expect(output.source).toMatchObject({ bucket: source, key, size: bundle.length, account });
    expect(output.results.map((r) => r.status)).toEqual(['copied', 'copied', 'copied']);
    for (const result of output.results) {
      expect(result).toMatchObject({ bytes: bundle.length, verifiedBy: expect.stringMatching(/^checksum:/) });
    }
    const where = [
      { bucket: seoul, region: 'ap-northeast-2', key },
      { bucket: frankfurt, region: 'eu-central-1', key: 'releases/web-42.zip' },
      { bucket: virginia, region: 'us-east-1', key },
    ];
    for (const replica of where) {
      expect(sha256(await h.read(replica.region, replica.bucket, replica.key))).toBe(sha256(bundle));
      const head = await h.head(replica.region, replica.bucket, replica.key);
      expect(head.ContentType).toBe('application/zip');
      expect(head.CacheControl).toBe('no-cache');
      expect(head.Metadata).toMatchObject({
        'build-id': '42',
        [REPLICA_METADATA_KEYS.source]: `${source}/${key}`,
        [REPLICA_METADATA_KEYS.sourceVersion]: output.source.versionId,
      });
      const result = resultFor(output, replica.bucket);
      expect(result.status === 'copied' && result.destination).toEqual({
        bucket: replica.bucket,
        key: replica.key,
        versionId: head.VersionId,
        etag: unquote(head.ETag),
      });
      const tags = await h
        .s3(replica.region)
        .send(new GetObjectTaggingCommand({ Bucket: replica.bucket, Key: replica.key }));
      expect(tags.TagSet).toEqual([{ Key: 'team', Value: 'web' }]);
    }
    const seoulHead = await h.head('ap-northeast-2', seoul, key);
    expect(seoulHead.ServerSideEncryption).toBe('aws:kms');
    expect(seoulHead.SSEKMSKeyId).toBe(seoulKey);
    expect((await h.head('eu-central-1', frankfurt, 'releases/web-42.zip')).ServerSideEncryption).toBe(
      'AES256',
    );
    expect((await h.head('us-east-1', virginia, key)).StorageClass).toBe('STANDARD_IA');
    const seoulResult = resultFor(output, seoul);
    const deployments = await h.deployments('ap-northeast-2', 'web', 'web-prod');
    expect(deployments).toHaveLength(1);
    expect(deployments[0]).toMatchObject({
      deploymentId: seoulResult.status === 'copied' ? seoulResult.deployment?.id : 'none',
      status: 'Succeeded',
      revision: {
        revisionType: 'S3',
        s3Location: {
          bucket: seoul,
          key,
          bundleType: 'zip',
          eTag: unquote(seoulHead.ETag),
          version: seoulHead.VersionId,
        },
      },
    });
    expect(seoulResult.status === 'copied' && seoulResult.deployment?.status).toBe('Succeeded');
  });

  it('copies an SSE-KMS source to an SSE-S3 target and proves it by checksum although the ETags differ', async () => {
    // Arrange
    const source = h.name('kms-src');
    const target = h.name('kms-frankfurt');
    const sourceKey = `arn:aws:kms:${SOURCE_REGION}:${h.stack.accountId}:key/0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40`;
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'eu-central-1');
    await h.stack.createKmsKey(sourceKey);
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [{ bucket: target, region: 'eu-central-1' }] }],
        },
      ],
    });
    const body = randomBytes(300 * 1024);
    const key = 'secret/app.tgz';

    // Act
    await h.put(SOURCE_REGION, {
      Bucket: source,
      Key: key,
      Body: body,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: sourceKey,
    });
    const [arn] = await relay.triggered();
    const execution = await relay.wait(arn ?? 'none');

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    const result = resultFor(relayOutput(execution), target);
    expect(result.status).toBe('copied');
    const sourceHead = await h.head(SOURCE_REGION, source, key);
    const replicaHead = await h.head('eu-central-1', target, key);
    expect(sourceHead.ServerSideEncryption).toBe('aws:kms');
    expect(replicaHead.ServerSideEncryption).toBe('AES256');
    expect(unquote(replicaHead.ETag)).not.toBe(unquote(sourceHead.ETag));
    expect(result.status === 'copied' && result.verifiedBy).toBe('checksum:CRC32');
    expect(replicaHead.ChecksumCRC32).toBeDefined();
    expect(replicaHead.ChecksumCRC32).toBe(sourceHead.ChecksumCRC32);
    expect(sha256(await h.read('eu-central-1', target, key))).toBe(sha256(body));
  });

  it("copies a 40 MiB multipart source in parts on the source's own boundaries, so the -N ETags are equal", async () => {
    // Arrange
    const source = h.name('mpu-src');
    const target = h.name('mpu-seoul');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'ap-northeast-2');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [{ bucket: target, region: 'ap-northeast-2' }] }],
        },
      ],
      // 16 MiB parts would make three parts; reusing the source's layout makes five.
      defaults: { multipartThresholdBytes: 8 * MIB, partSizeBytes: 16 * MIB },
    });
    const key = 'big/artifact.bin';
    const parts = Array.from({ length: 5 }, () => randomBytes(8 * MIB));
    const s3 = h.s3(SOURCE_REGION);

    // Act
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: source, Key: key }));
    const uploaded = [];
    for (const [index, part] of parts.entries()) {
      const answer = await s3.send(
        new UploadPartCommand({ Bucket: source, Key: key, UploadId, PartNumber: index + 1, Body: part }),
      );
      uploaded.push({ PartNumber: index + 1, ETag: answer.ETag, ChecksumCRC32: answer.ChecksumCRC32 });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: source,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );
    const [arn] = await relay.triggered();
    const execution = await relay.wait(arn ?? 'none');

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    const result = resultFor(relayOutput(execution), target);
    expect(result).toMatchObject({ status: 'copied', bytes: 40 * MIB });
    const sourceHead = await h.head(SOURCE_REGION, source, key);
    const replicaHead = await h.head('ap-northeast-2', target, key);
    expect(sourceHead.ETag).toMatch(/-5"$/);
    expect(replicaHead.ETag).toBe(sourceHead.ETag);
    for (let n = 1; n <= 5; n++) {
      // HeadObject of one part: its byte range tells the part layout.
      const [sourcePart, replicaPart] = await Promise.all([
        s3.send(new HeadObjectCommand({ Bucket: source, Key: key, PartNumber: n })),
        h.s3('ap-northeast-2').send(new HeadObjectCommand({ Bucket: target, Key: key, PartNumber: n })),
      ]);
      expect(replicaPart.ContentRange).toBe(sourcePart.ContentRange);
    }
    expect(h.s3Requests('UploadPartCopy', target)).toBe(5);
    expect(result.status === 'copied' && result.verifiedBy).not.toBe('stream:sha256');
    expect(sha256(await h.read('ap-northeast-2', target, key))).toBe(sha256(Buffer.concat(parts)));
  });

  it('loops through Copy while a multipart copy runs out of its time budget, then completes it', async () => {
    // Arrange
    const source = h.name('budget-src');
    const target = h.name('budget-frankfurt');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'eu-central-1');
    const relay = await h.deploy(
      {
        sources: [
          {
            bucket: source,
            region: SOURCE_REGION,
            rules: [{ name: 'all', targets: [{ bucket: target, region: 'eu-central-1' }] }],
          },
        ],
        defaults: { multipartThresholdBytes: MIB, partSizeBytes: 5 * MIB },
      },
      // No Lambda time beyond the margin: every Copy call starts exactly one part and hands back.
      { handlers: { remainingTimeMs: COPY_TIME_MARGIN_MS } },
    );
    const body = randomBytes(12 * MIB);
    const key = 'budget/artifact.bin';

    // Act
    await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: body });
    const [arn] = await relay.triggered();
    const execution = await relay.wait(arn ?? 'none');

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(await relay.taskCalls(execution.arn, 'copy-object')).toBe(3);
    const outputs = (await relay.taskOutputs(execution.arn, 'copy-object')) as Array<{
      status: string;
      nextPart?: number;
      uploadId?: string;
    }>;
    expect(outputs.map((o) => o.status)).toEqual(['copying', 'copying', 'copied']);
    expect(outputs.map((o) => o.nextPart)).toEqual([2, 3, undefined]);
    expect(outputs[1]?.uploadId).toBe(outputs[0]?.uploadId);
    expect(h.s3Requests('CreateMultipartUpload', target)).toBe(1);
    expect(h.s3Requests('UploadPartCopy', target)).toBe(3);
    expect(h.s3Requests('CompleteMultipartUpload', target)).toBe(1);
    expect(resultFor(relayOutput(execution), target)).toMatchObject({ status: 'copied', bytes: 12 * MIB });
    expect(sha256(await h.read('eu-central-1', target, key))).toBe(sha256(body));
  });

  it('relays keys with spaces, +, %, unicode and 1,024 bytes to exactly the same keys', async () => {
    // Arrange
    const source = h.name('keys-src');
    const target = h.name('keys-seoul');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'ap-northeast-2');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [{ bucket: target, region: 'ap-northeast-2' }] }],
        },
      ],
    });
    const long = `long/${'ü'.repeat(507)}x.zip`;
    const keys = [
      'builds/10:47:07 release candidate.zip',
      'builds/c++ + more+.zip',
      'builds/100% done%20%2F.zip',
      'builds/ünïcødé/日本語 ファイル 🚀.zip',
      long,
    ];
    const bodies = new Map(keys.map((key) => [key, randomBytes(1024 + key.length)]));

    // Act
    for (const [key, body] of bodies) await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: body });
    const started = await relay.triggered();
    const executions = await Promise.all(started.map((arn) => relay.wait(arn)));

    // Assert
    expect(Buffer.byteLength(long, 'utf8')).toBe(1024);
    expect(executions.map((e) => e.status)).toEqual(keys.map(() => 'SUCCEEDED'));
    const relayedKeys = executions.map((e) => relayOutput(e).source.key);
    expect([...relayedKeys].sort()).toEqual([...keys].sort());
    for (const execution of executions) {
      const output = relayOutput(execution);
      expect(resultFor(output, target)).toMatchObject({
        status: 'copied',
        destination: { bucket: target, key: output.source.key },
      });
    }
    for (const [key, body] of bodies) {
      expect(sha256(await h.read('ap-northeast-2', target, key))).toBe(sha256(body));
    }
  });

  it('relays a zero-byte object', async () => {
    // Arrange
    const source = h.name('empty-src');
    const target = h.name('empty-frankfurt');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'eu-central-1');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [{ bucket: target, region: 'eu-central-1' }] }],
        },
      ],
    });

    // Act
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'markers/_SUCCESS', Body: Buffer.alloc(0) });
    const [arn] = await relay.triggered();
    const execution = await relay.wait(arn ?? 'none');

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(resultFor(relayOutput(execution), target)).toMatchObject({
      status: 'copied',
      bytes: 0,
      verifiedBy: expect.stringMatching(/^checksum:/),
    });
    const replica = await h.head('eu-central-1', target, 'markers/_SUCCESS');
    expect(replica.ContentLength).toBe(0);
    expect(replica.Metadata?.[REPLICA_METADATA_KEYS.source]).toBe(`${source}/markers/_SUCCESS`);
  });

  it('relays the object a classic Records[] notification names, decoding its URL-encoded key', async () => {
    // Arrange
    const source = h.name('classic-src');
    const target = h.name('classic-seoul');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'ap-northeast-2');
    const key = 'build_artifacts/10:47:07 web + 100% café.zip';
    const body = randomBytes(64 * 1024);
    // Uploaded before the relay exists, so no EventBridge rule starts an execution for it.
    const put = await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: body });
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [{ bucket: target, region: 'ap-northeast-2' }] }],
        },
      ],
    });
    const encoded = encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
    const notification = {
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: SOURCE_REGION,
          eventTime: new Date().toISOString(),
          eventName: 'ObjectCreated:Put',
          s3: {
            s3SchemaVersion: '1.0',
            bucket: { name: source, arn: `arn:aws:s3:::${source}` },
            object: {
              key: encoded,
              size: body.length,
              eTag: unquote(put.ETag),
              versionId: put.VersionId,
              sequencer: h.events(source)[0]?.detail.object.sequencer,
            },
          },
        },
      ],
    };

    // Act
    const execution = await relay.run(notification);

    // Assert
    expect(encoded).toBe('build_artifacts/10%3A47%3A07+web+%2B+100%25+caf%C3%A9.zip');
    expect(execution.status).toBe('SUCCEEDED');
    const output = relayOutput(execution);
    expect(output.source).toMatchObject({ bucket: source, key, versionId: put.VersionId });
    expect(resultFor(output, target)).toMatchObject({ status: 'copied', destination: { key } });
    expect(sha256(await h.read('ap-northeast-2', target, key))).toBe(sha256(body));
    expect(await relay.triggered()).toEqual([]);
  });

  it('starts executions for two source buckets whose long names differ only at their end', async () => {
    // Arrange
    // Bucket names of 63 characters: with the state machine's name in front, too long for a rule name.
    const stem = `relay-rule-name-check-${'x'.repeat(39)}`;
    const first = `${stem}-a`;
    const second = `${stem}-b`;
    const target = h.name('twins-frankfurt');
    await h.bucket(first, SOURCE_REGION);
    await h.bucket(second, SOURCE_REGION);
    await h.bucket(target, 'eu-central-1');
    const relay = await h.deploy({
      sources: [first, second].map((bucket) => ({
        bucket,
        region: SOURCE_REGION,
        rules: [
          { name: 'all', targets: [{ bucket: target, region: 'eu-central-1', keyPrefix: `${bucket}/` }] },
        ],
      })),
    });

    // Act
    await h.put(SOURCE_REGION, { Bucket: first, Key: 'app.zip', Body: 'first' });
    await h.put(SOURCE_REGION, { Bucket: second, Key: 'app.zip', Body: 'second' });
    const executions = await relay.settle();

    // Assert
    expect(relay.deployed.rules).toHaveLength(2);
    expect(new Set(relay.deployed.rules).size).toBe(2);
    expect(executions.map((e) => relayOutput(e).source.bucket)).toEqual([first, second]);
    expect((await h.read('eu-central-1', target, `${first}/app.zip`)).toString()).toBe('first');
    expect((await h.read('eu-central-1', target, `${second}/app.zip`)).toString()).toBe('second');
  });

  it('ends NothingToRelay with the reason when no rule matches the uploaded key', async () => {
    // Arrange
    const source = h.name('norule-src');
    const target = h.name('norule-seoul');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'ap-northeast-2');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'zips', suffix: '.zip', targets: [{ bucket: target, region: 'ap-northeast-2' }] }],
        },
      ],
    });
    await h.put(SOURCE_REGION, { Bucket: source, Key: 'notes/readme.txt', Body: 'not an artifact' });

    // Act
    const fromEvent = await relay.triggered();
    const requested = await relay.run({ bucket: source, key: 'notes/readme.txt' });

    // Assert
    expect(fromEvent).toEqual([]);
    expect(requested.status).toBe('SUCCEEDED');
    expect(nothingToRelay(requested)).toMatchObject({ targets: [], reason: 'no-rule' });
    expect(h.s3Requests('CopyObject', target)).toBe(0);
  });
});
