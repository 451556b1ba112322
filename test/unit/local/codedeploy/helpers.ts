/** Test helpers for the local CodeDeploy: an in-memory S3 reader, a manual clock, a service factory. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CodeDeployService, type CodeDeployServiceOptions } from '../../../../local/codedeploy/service.ts';
import type { RequestContext, S3ObjectReader, StoredObject } from '../../../../local/types.ts';

interface Version {
  readonly versionId: string | undefined;
  readonly etag: string;
  readonly bytes: Buffer;
}

/** An in-memory S3 holding real bytes: buckets with a region, objects with optional versions. */
export class FakeS3 implements S3ObjectReader {
  private readonly buckets = new Map<
    string,
    { region: string; versioned: boolean; objects: Map<string, Version[]> }
  >();

  createBucket(name: string, region: string, options: { versioned?: boolean } = {}): void {
    this.buckets.set(name, { region, versioned: options.versioned ?? false, objects: new Map() });
  }

  /** Stores `bytes` as the current version; the ETag is the quoted MD5 unless `etag` overrides it. */
  put(bucket: string, key: string, bytes: Buffer | string, options: { etag?: string } = {}): Version {
    const b = this.buckets.get(bucket);
    if (!b) throw new Error(`test setup: no bucket ${bucket}`);
    const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
    const version: Version = {
      versionId: b.versioned ? randomBytes(16).toString('base64url') : undefined,
      etag: options.etag ?? `"${createHash('md5').update(body).digest('hex')}"`,
      bytes: body,
    };
    const versions = b.versioned ? (b.objects.get(key) ?? []) : [];
    versions.push(version);
    b.objects.set(key, versions);
    return version;
  }

  bucketRegion(bucket: string): string | undefined {
    return this.buckets.get(bucket)?.region;
  }

  async getObject(bucket: string, key: string, versionId?: string): Promise<StoredObject | undefined> {
    const versions = this.buckets.get(bucket)?.objects.get(key);
    if (!versions) return undefined;
    const version =
      versionId === undefined ? versions.at(-1) : versions.find((v) => v.versionId === versionId);
    if (!version) return undefined;
    return {
      bucket,
      key,
      versionId: version.versionId,
      etag: version.etag,
      size: version.bytes.length,
      open: () => Readable.from([version.bytes]),
    };
  }
}

/** A clock tests move by hand. */
export class ManualClock {
  constructor(public current = Date.UTC(2024, 5, 15, 12, 0, 0)) {}
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

/** A request context for `region`. */
export function ctx(region = 'us-east-1'): RequestContext {
  return { region, requestId: 'TESTREQUEST00001', accountId: '111122223333' };
}

/** A temporary data directory, removed by the returned `cleanup`. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'codedeploy-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A started service over `dir` with a manual clock and the given S3. */
export async function startService(
  dir: string,
  s3: S3ObjectReader,
  clock: ManualClock,
  extra: Partial<CodeDeployServiceOptions> = {},
): Promise<CodeDeployService> {
  const service = new CodeDeployService({
    dataDir: dir,
    accountId: '111122223333',
    s3,
    now: clock.now,
    ...extra,
  });
  await service.init();
  return service;
}

/** Calls `fn` and returns the code of the AwsJsonError it throws (fails if it does not throw). */
export async function errorOf(fn: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    const e = err as { code?: string; message: string };
    return { code: e.code ?? 'not-an-aws-error', message: e.message };
  }
  throw new Error('expected the call to fail');
}

/** The names the deployment tests share. */
export const APP = 'web';
export const GROUP = 'web-prod';
export const ROLE = 'arn:aws:iam::111122223333:role/CodeDeployServiceRole';

/** Creates application {@link APP} (Server) and group {@link GROUP} in `region`. */
export async function seedServerGroup(service: CodeDeployService, region = 'us-east-1'): Promise<void> {
  await service.handle('CreateApplication', { applicationName: APP }, ctx(region));
  await service.handle(
    'CreateDeploymentGroup',
    { applicationName: APP, deploymentGroupName: GROUP, serviceRoleArn: ROLE },
    ctx(region),
  );
}

/** A CreateDeployment input for an S3 revision in {@link GROUP}. */
export function s3Deployment(
  bucket: string,
  key: string,
  bundleType: string,
  extra: { eTag?: string; version?: string } = {},
): Record<string, unknown> {
  return {
    applicationName: APP,
    deploymentGroupName: GROUP,
    revision: { revisionType: 'S3', s3Location: { bucket, key, bundleType, ...extra } },
  };
}

/** A timestamp as the JSON protocol carries it (epoch seconds), from epoch milliseconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
