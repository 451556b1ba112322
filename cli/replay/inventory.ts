/**
 * `relay replay --inventory s3://…/manifest.json`: the estimate of a backfill that reads an S3 Inventory
 * report instead of listing the bucket. The manifest is read (one GET) and checked as the work-list
 * builder checks it (core/backfill.ts: a CSV report of this bucket, with the fields it needs); then the
 * report's gzipped CSV files are streamed in order, up to a budget of compressed bytes, and their rows
 * routed as the builder routes them (latest versions, the prefix, `--since`, the rules, `--targets`). A
 * report within the budget is counted exactly; a larger one is extrapolated from what was read, in
 * proportion to its compressed bytes — and the output says which. The bucket is never listed.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  checkInventoryUse,
  type InventoryManifest,
  inventoryLocation,
  isCurrentObject,
  parseInventoryManifest,
  parseInventoryRow,
  type S3ObjectLocation,
} from '../../core/backfill.ts';
import { errorCodeOf, httpStatusOf } from '../../core/classify-aws-error.ts';
import type { SourceConfig } from '../../core/config/schema.ts';
import { InvalidInput } from '../../core/errors.ts';
import { buildWorkListMayReadInventory } from '../../core/permissions/backfill.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import { plural } from '../output/format.ts';
import type { ListedObject } from './list-objects.ts';

/** Compressed bytes of the report the estimate reads at most (about 250,000 rows of a typical report). */
export const INVENTORY_ESTIMATE_BYTES = 8 * 1024 * 1024;

/** What the estimate read of the report, and how it counts. */
export interface InventoryBasis {
  readonly manifest: string;
  /** When S3 began the report, when the manifest says. */
  readonly reportDate?: string;
  readonly files: number;
  /** The report's compressed bytes, and how many of them were read. */
  readonly compressedBytes: number;
  readonly readBytes: number;
  /** Current objects under the prefix in what was read. */
  readonly objectsRead: number;
  /** `counted`: the whole report was read; `extrapolated`: a part, scaled by compressed bytes. */
  readonly method: 'counted' | 'extrapolated';
}

/** The objects the estimate routed, scaled to the whole report. */
export interface InventoryEstimate {
  readonly basis: InventoryBasis;
  /** Current objects under the prefix (scaled). */
  readonly listed: number;
  /** Routed objects, their bytes and the most targets one has (scaled but the last). */
  readonly routed: number;
  readonly routedBytes: number;
  readonly mostTargets: number;
}

/** How one listed object routes: the number of targets it goes to (0: none, or filtered out). */
export type RouteObject = (object: ListedObject) => number;

function refusal(err: unknown): never {
  if (err instanceof InvalidInput) throw new CliError(err.message, EXIT_CODES.usage, { cause: err });
  throw err;
}

/** Where the backfill's work-list builder may read a report of the replay's source, for {@link readManifest}. */
export interface ReportAccess {
  /** The configured source. */
  readonly source: SourceConfig;
  /** Its place in the configuration, such as `sources[0]`. */
  readonly path: string;
  /** The configuration file, as the CLI names it. */
  readonly config: string;
  /** The backfill's own results bucket, when it could be found (cli/backfill/results-bucket.ts). */
  readonly resultsBucket: string | undefined;
}

/**
 * The destination prefix of the inventory configuration that delivered `key` for `sourceBucket`: S3 delivers
 * under `<prefix>/<source bucket>/<inventory name>/` (Amazon S3 User Guide, "Locating your inventory list");
 * `undefined` when the key is not laid out so.
 */
export function inventoryPrefixOf(key: string, sourceBucket: string): string | undefined {
  const folder = `${sourceBucket}/`;
  if (key.startsWith(folder)) return '';
  const at = key.indexOf(`/${folder}`);
  return at === -1 ? undefined : key.slice(0, at + 1);
}

/**
 * Refuses a report the backfill's work-list builder could not read with its role: one outside the backfill's
 * results bucket and the source's configured `inventory` (core/permissions/backfill.ts) — the backfill would
 * fail at once with AccessDenied. Nothing is refused while the results bucket is not known (the report may be
 * there).
 *
 * @throws CliError (usage) naming the configuration field that grants it
 */
export function refuseUnreadableReport(access: ReportAccess, objects: readonly S3ObjectLocation[]): void {
  const { resultsBucket, source } = access;
  if (resultsBucket === undefined) return;
  const denied = objects.find((object) => !buildWorkListMayReadInventory(source, object, resultsBucket));
  if (denied === undefined) return;
  const prefix = inventoryPrefixOf(denied.key, source.bucket) ?? '<destination prefix>';
  const setting = JSON.stringify({ bucket: denied.bucket, ...(prefix === '' ? {} : { prefix }) });
  const configured =
    source.inventory === undefined
      ? `${access.path}.inventory is not set`
      : `${access.path}.inventory names s3://${source.inventory.bucket}/${source.inventory.prefix ?? ''}`;
  throw new CliError(
    `--inventory: the backfill's work-list builder may not read s3://${denied.bucket}/${denied.key} — it reads reports only in the backfill's results bucket (${resultsBucket}) and where the source's inventory setting says S3 Inventory delivers them, and ${configured}. Add "inventory": ${setting} (with "kmsKeyArn" if the reports are SSE-KMS) to ${access.path} (${source.bucket}) in ${access.config} and deploy the relay again (npx cdk deploy, or restart relay local), or copy the report into s3://${resultsBucket}/`,
    EXIT_CODES.usage,
  );
}

/**
 * Reads and checks the manifest (`--inventory`): a CSV report of `bucket`, usable with `since` — and, given
 * `access`, one the backfill's builder may read (the manifest before it is read, then every file it names).
 */
export async function readManifest(
  s3: S3Client,
  url: string,
  request: { readonly source: { readonly bucket: string }; readonly since?: string },
  access?: ReportAccess,
): Promise<InventoryManifest> {
  let location: ReturnType<typeof inventoryLocation>;
  try {
    location = inventoryLocation(url);
  } catch (err) {
    refusal(err);
  }
  if (access !== undefined) refuseUnreadableReport(access, [location]);
  let text: string;
  try {
    const answer = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
    text = (await answer.Body?.transformToString('utf8')) ?? '';
  } catch (err) {
    if (
      httpStatusOf(err) === 404 ||
      errorCodeOf(err) === 'NoSuchKey' ||
      errorCodeOf(err) === 'NoSuchBucket'
    ) {
      throw new CliError(
        `--inventory: there is no manifest at ${url} (${errorCodeOf(err) ?? 'NotFound'}) — name the manifest.json of a delivered S3 Inventory report (s3://bucket/…/YYYY-MM-DDTHH-MMZ/manifest.json)`,
        EXIT_CODES.usage,
        { cause: err },
      );
    }
    throw err;
  }
  let manifest: InventoryManifest;
  try {
    manifest = parseInventoryManifest(text, location);
    checkInventoryUse(manifest, request);
  } catch (err) {
    refusal(err);
  }
  if (access !== undefined) {
    refuseUnreadableReport(
      access,
      manifest.files.map((file) => ({ bucket: manifest.filesBucket, key: file.key })),
    );
  }
  return manifest;
}

/**
 * Streams one file's rows until it ends or `budget` compressed bytes (counted over every file) were
 * decompressed; adds what it decompressed to `counters.readBytes`.
 */
async function readFile(
  s3: S3Client,
  manifest: InventoryManifest,
  file: { readonly key: string; readonly size: number },
  counters: { readBytes: number },
  budget: number,
  onRow: (line: string, index: number) => void,
): Promise<'whole' | 'part'> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: manifest.filesBucket, Key: file.key }));
  const body = answer.Body;
  if (!(body instanceof Readable)) {
    throw new Error(`the GetObject answer for s3://${manifest.filesBucket}/${file.key} had no body`);
  }
  const gunzip = createGunzip();
  body.on('error', (err) => gunzip.destroy(err));
  body.pipe(gunzip);
  const lines = createInterface({ input: gunzip, crlfDelay: Number.POSITIVE_INFINITY });
  const before = counters.readBytes;
  let index = 0;
  try {
    for await (const line of lines) {
      onRow(line, index);
      index += 1;
      // Past the budget, and the file not all decompressed yet: stop (a file zlib already took whole is
      // finished — its lines are in memory).
      if (before + gunzip.bytesWritten >= budget && gunzip.bytesWritten < file.size) {
        counters.readBytes = before + gunzip.bytesWritten;
        return 'part';
      }
    }
    counters.readBytes = before + file.size;
    return 'whole';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new CliError(
        `--inventory: s3://${manifest.filesBucket}/${file.key} is not a readable gzip file (${code}) — the backfill reads CSV inventories, gzipped as S3 delivers them`,
      );
    }
    throw err;
  } finally {
    lines.close();
    body.destroy();
    gunzip.destroy();
  }
}

/**
 * Reads the report up to `budgetBytes` of compressed data, routing each current object under `prefix`
 * with `route`, and scales the counts to the whole report when it read only part of it.
 */
export async function estimateFromInventory(
  s3: S3Client,
  manifest: InventoryManifest,
  prefix: string,
  route: RouteObject,
  budgetBytes = INVENTORY_ESTIMATE_BYTES,
  progress: (line: string) => void = () => undefined,
): Promise<InventoryEstimate> {
  const counters = { readBytes: 0 };
  let listed = 0;
  let routed = 0;
  let routedBytes = 0;
  let mostTargets = 0;
  let whole = true;
  const compressedBytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
  for (const file of manifest.files) {
    if (counters.readBytes >= budgetBytes) {
      whole = false;
      break;
    }
    const read = await readFile(s3, manifest, file, counters, budgetBytes, (line, index) => {
      if (line === '') return;
      let row: ReturnType<typeof parseInventoryRow>;
      try {
        row = parseInventoryRow(line, manifest.columns);
      } catch (err) {
        throw new CliError(
          `--inventory: line ${index + 1} of s3://${manifest.filesBucket}/${file.key} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (!isCurrentObject(row) || !row.key.startsWith(prefix)) return;
      listed += 1;
      const targets = route({
        key: row.key,
        etag: row.etag,
        size: row.size,
        lastModified: row.lastModified ?? new Date(0),
        ...(row.versionId === undefined ? {} : { versionId: row.versionId }),
      });
      if (targets > 0) {
        routed += 1;
        routedBytes += row.size;
        mostTargets = Math.max(mostTargets, targets);
      }
      if (listed % 10_000 === 0) {
        progress(`reading the inventory: ${plural(listed, 'object')}, ${routed} routed`);
      }
    });
    if (read === 'part') whole = false;
  }
  const scale = whole || counters.readBytes === 0 ? 1 : compressedBytes / counters.readBytes;
  return {
    basis: {
      manifest: manifest.url,
      ...(manifest.createdAt === undefined ? {} : { reportDate: manifest.createdAt }),
      files: manifest.files.length,
      compressedBytes,
      readBytes: Math.min(counters.readBytes, compressedBytes),
      objectsRead: listed,
      method: whole ? 'counted' : 'extrapolated',
    },
    listed: Math.round(listed * scale),
    routed: Math.round(routed * scale),
    routedBytes: Math.round(routedBytes * scale),
    mostTargets,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The line under the estimate that says where its numbers come from. */
export function describeInventoryBasis(basis: InventoryBasis): string {
  const report = `${basis.manifest}${basis.reportDate === undefined ? '' : ` (report of ${basis.reportDate})`}`;
  const how =
    basis.method === 'counted'
      ? `counted in all ${plural(basis.files, 'file')} of the report (${mib(basis.readBytes)} read)`
      : `≈ extrapolated from ${plural(basis.objectsRead, 'object')} in the first ${mib(basis.readBytes)} of its ${mib(basis.compressedBytes)} (${plural(basis.files, 'file')}), in proportion to compressed bytes`;
  return `  from the inventory ${report}: ${how}; the bucket was not listed, and objects already in sync cost nothing once the backfill checks them`;
}
