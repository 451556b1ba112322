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
} from '../../core/backfill.ts';
import { errorCodeOf, httpStatusOf } from '../../core/classify-aws-error.ts';
import { InvalidInput } from '../../core/errors.ts';
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

/** Reads and checks the manifest (`--inventory`): a CSV report of `bucket`, usable with `since`. */
export async function readManifest(
  s3: S3Client,
  url: string,
  request: { readonly source: { readonly bucket: string }; readonly since?: string },
): Promise<InventoryManifest> {
  let location: ReturnType<typeof inventoryLocation>;
  try {
    location = inventoryLocation(url);
  } catch (err) {
    refusal(err);
  }
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
  try {
    const manifest = parseInventoryManifest(text, location);
    checkInventoryUse(manifest, request);
    return manifest;
  } catch (err) {
    refusal(err);
  }
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
