import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  checkInventoryUse,
  type InventoryCursor,
  type InventoryManifest,
  inventoryLocation,
  isCurrentObject,
  parseInventoryManifest,
  parseInventoryRow,
  type S3ObjectLocation,
} from '../../core/backfill.ts';
import { classifyAwsError, errorCodeOf, httpStatusOf } from '../../core/classify-aws-error.ts';
import { AccessDenied, InvalidInput, type RelayError, TransientAwsError } from '../../core/errors.ts';
import { isMissingObject, isPreconditionFailed, sendOptions } from '../shared/aws-call.ts';
import type { ListedObject, SourcePages } from './listing.ts';
import { mapConcurrent } from './pool.ts';

/**
 * Reads the backfill's source from an S3 Inventory report instead of listing it (the request's
 * `inventory`): the manifest.json, then each gzipped CSV file it names, streamed through node:zlib a
 * chunk at a time (memory stays flat in the file's size), line by line. A row is kept when it is the
 * latest version and not a delete marker, and its key — URL-decoded — is under the request's prefix; it
 * then becomes a listed object like a listing's (key, size, ETag, last modified, and the version id when
 * the report lists versions), for the same filters and the same work-list writer.
 *
 * A call stops between two lines; the cursor names the file, the line and its byte offset in the
 * decompressed file. The next call (or a retry of this one, given the same cursor) decompresses the file
 * again from its start, skips that many bytes — checking that they hold exactly that many lines — and
 * reads on from there: no line is skipped, none read twice. A file is never left at its very end: once
 * its last line is read, the cursor moves to the next file.
 */

/** Inventory files HEADed at once when the first call checks them all. */
export const INVENTORY_FILE_CHECK_CONCURRENCY = 16;

/** How often one call opens a file again after its stream broke, before the call fails (and is retried). */
const MAX_REOPENS_PER_CALL = 3;

function describe(location: S3ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/**
 * The relay error for a failed read of the inventory: a missing manifest, file or bucket, or a manifest
 * changed since the backfill started, is the request's to fix (InvalidInput); a denial names the grant;
 * the rest as classified (throttling and 5xx retryable).
 */
function inventoryError(
  err: unknown,
  operation: string,
  location: S3ObjectLocation,
  what: 'manifest' | 'file',
): RelayError {
  const url = describe(location);
  const code = errorCodeOf(err);
  if (code === 'NoSuchBucket') {
    return new InvalidInput(
      `The inventory's bucket ${location.bucket} does not exist (${operation} of ${url} failed with NoSuchBucket): name the manifest.json of a delivered S3 Inventory report`,
      { cause: err, awsCode: code, operation },
    );
  }
  if (isMissingObject(err)) {
    return new InvalidInput(
      what === 'manifest'
        ? `There is no inventory manifest at ${url} (${operation} answered ${code ?? 'NotFound'}): name the manifest.json of a delivered S3 Inventory report (s3://bucket/…/YYYY-MM-DDTHH-MMZ/manifest.json)`
        : `The inventory file ${url}, named by the manifest, is missing (${operation} answered ${code ?? 'NotFound'}) — deleted by a lifecycle rule or by hand: name the manifest of a newer report`,
      { cause: err, ...(code === undefined ? {} : { awsCode: code }), operation },
    );
  }
  if (isPreconditionFailed(err)) {
    return new InvalidInput(
      `The inventory manifest ${url} changed since this backfill began reading it: start the backfill again (objects already relayed are found in sync and cost no relay execution)`,
      { cause: err, operation },
    );
  }
  if (httpStatusOf(err) === 403 || code === 'AccessDenied') {
    return new AccessDenied(
      `${operation} of ${url} was denied: the work-list builder reads the inventory with its own role, which needs s3:GetObject on the inventory's objects (and s3:ListBucket on ${location.bucket}, or S3 answers a missing file with 403) — grant them to the backfill's BuildWorkList role; if the report is SSE-KMS encrypted, also kms:Decrypt on its key; and check the bucket policy of ${location.bucket}`,
      { cause: err, operation, side: 'source', bucket: location.bucket, request: `${operation} (${url})` },
    );
  }
  return classifyAwsError(err, { operation, side: 'source', bucket: location.bucket, key: location.key });
}

/** A manifest as read: its content and the ETag that pins it for the next calls. */
export interface ReadManifest {
  readonly manifest: InventoryManifest;
  readonly etag: string | undefined;
}

/**
 * Reads and checks the manifest the request names — pinned (If-Match) to the ETag an earlier call of the
 * same build saw — and that it can serve this backfill.
 *
 * @throws InvalidInput for a missing, changed, unreadable or unusable manifest; AccessDenied naming the grant
 */
export async function readInventoryManifest(
  client: S3Client,
  request: {
    readonly inventory: string;
    readonly source: { readonly bucket: string };
    readonly since?: string | undefined;
  },
  pinnedETag: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ReadManifest> {
  const location = inventoryLocation(request.inventory);
  let text: string;
  let etag: string | undefined;
  try {
    const answer = await client.send(
      new GetObjectCommand({
        Bucket: location.bucket,
        Key: location.key,
        ...(pinnedETag === undefined ? {} : { IfMatch: pinnedETag }),
      }),
      sendOptions(signal),
    );
    text = (await answer.Body?.transformToString('utf8')) ?? '';
    etag = answer.ETag;
  } catch (err) {
    throw inventoryError(err, 's3:GetObject', location, 'manifest');
  }
  const manifest = parseInventoryManifest(text, location);
  checkInventoryUse(manifest, request);
  return { manifest, etag };
}

/**
 * The first call's check of every file the manifest names (a HEAD each): there, and of the size the
 * manifest says — so a report with a file gone is refused before anything is written.
 *
 * @throws InvalidInput naming the missing or resized file; AccessDenied naming the grant
 */
export async function checkInventoryFiles(
  client: S3Client,
  manifest: InventoryManifest,
  signal: AbortSignal | undefined,
): Promise<void> {
  await mapConcurrent(manifest.files, INVENTORY_FILE_CHECK_CONCURRENCY, async (file) => {
    const location = { bucket: manifest.filesBucket, key: file.key };
    let size: number | undefined;
    try {
      const head = await client.send(
        new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }),
        sendOptions(signal),
      );
      size = head.ContentLength;
    } catch (err) {
      throw inventoryError(err, 's3:HeadObject', location, 'file');
    }
    if (size !== undefined && size !== file.size) throw resized(manifest, location, size, file.size);
  });
}

function resized(manifest: InventoryManifest, location: S3ObjectLocation, size: number, expected: number) {
  return new InvalidInput(
    `The inventory file ${describe(location)} holds ${size} bytes, not the ${expected} its manifest ${manifest.url} says: it was replaced since the report was delivered; name the manifest of a newer report`,
  );
}

function changed(manifest: InventoryManifest, location: S3ObjectLocation, detail: string): InvalidInput {
  return new InvalidInput(
    `The inventory file ${describe(location)} (of ${manifest.url}) changed since this backfill began reading it (${detail}): start the backfill again (objects already relayed are found in sync and cost no relay execution)`,
  );
}

/** One line of a decompressed file: its text, its number (from 0) and where it starts. */
interface Line {
  readonly text: string;
  readonly index: number;
  readonly start: number;
}

const NEWLINE = 0x0a;

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) count += 1;
  return count;
}

/** The lines of one decompressed file, pulled one at a time, with their byte offsets. */
class LineReader {
  private carry: Buffer = Buffer.alloc(0);
  /** The offset of `carry`'s first byte in the decompressed file. */
  private offset = 0;
  private nextIndex = 0;
  private ended = false;

  constructor(
    private readonly chunks: AsyncIterator<Buffer>,
    private readonly stream: Readable,
  ) {}

  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.chunks.next();
    if (next.done === true) {
      this.ended = true;
      return false;
    }
    this.carry = this.carry.length === 0 ? next.value : Buffer.concat([this.carry, next.value]);
    return true;
  }

  /**
   * Skips the first `byte` bytes, which must hold exactly `line` whole lines.
   * @returns what does not match, or `undefined` when they do
   */
  async skip(line: number, byte: number): Promise<string | undefined> {
    let lines = 0;
    let last: number | undefined;
    while (this.offset < byte) {
      if (this.carry.length === 0 && !(await this.pull())) {
        return `it ends at byte ${this.offset} of the ${byte} to skip`;
      }
      const take = Math.min(this.carry.length, byte - this.offset);
      const skipped = this.carry.subarray(0, take);
      lines += countNewlines(skipped);
      last = skipped[take - 1];
      this.carry = this.carry.subarray(take);
      this.offset += take;
    }
    if (lines !== line || (byte > 0 && last !== NEWLINE)) {
      return `its first ${byte} bytes hold ${lines} lines${last === NEWLINE || byte === 0 ? '' : ' and end inside a line'}, not ${line}`;
    }
    this.nextIndex = line;
    return undefined;
  }

  /** The next line (without its newline), or `undefined` at the end of the file. */
  async next(): Promise<Line | undefined> {
    for (;;) {
      const at = this.carry.indexOf(NEWLINE);
      if (at !== -1 || (this.ended && this.carry.length > 0)) {
        const length = at === -1 ? this.carry.length : at;
        const line = {
          text: this.carry.toString('utf8', 0, length),
          index: this.nextIndex,
          start: this.offset,
        };
        const used = at === -1 ? length : length + 1;
        this.carry = this.carry.subarray(used);
        this.offset += used;
        this.nextIndex += 1;
        return line;
      }
      if (!(await this.pull())) {
        if (this.carry.length === 0) return undefined;
      }
    }
  }

  close(): void {
    this.stream.destroy();
  }
}

/** A response body as a Node.js stream (what the SDK gives in Node.js; a byte array in some tests). */
function readableOf(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (body instanceof Uint8Array) return Readable.from([Buffer.from(body)]);
  const web = body as { transformToWebStream?: () => ReadableStream<Uint8Array> } | undefined;
  if (web?.transformToWebStream !== undefined) {
    return Readable.fromWeb(web.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
  }
  throw new Error('the GetObject answer had no readable body');
}

/** Options of {@link openInventoryPages}. */
export interface InventoryPagesOptions {
  /** CSV lines per page (rows of every kind: versions that are not the latest, delete markers…). */
  readonly pageSize: number;
  readonly signal: AbortSignal | undefined;
}

/** The request fields an inventory read uses. */
export interface InventoryRequest {
  readonly inventory: string;
  readonly source: { readonly bucket: string; readonly prefix?: string | undefined };
  readonly since?: string | undefined;
}

/**
 * The inventory's objects page by page from `cursor` (the first call: the start, after checking every
 * file). The manifest is read on every call, pinned to the ETag the first call saw.
 *
 * @throws InvalidInput for a manifest or file that is missing, changed or unreadable, a line that does not
 *   parse, or a row of another bucket; AccessDenied naming the grant; TransientAwsError, retried from the
 *   same cursor
 */
export async function openInventoryPages(
  client: S3Client,
  request: InventoryRequest,
  cursor: InventoryCursor | undefined,
  options: InventoryPagesOptions,
): Promise<SourcePages> {
  const { manifest, etag } = await readInventoryManifest(
    client,
    request,
    cursor?.manifestETag,
    options.signal,
  );
  if (cursor === undefined) await checkInventoryFiles(client, manifest, options.signal);
  const start = cursor ?? { file: 0, line: 0, byte: 0 };
  return new InventoryPages(client, manifest, request.source.prefix ?? '', options, {
    ...(etag === undefined ? {} : { manifestETag: etag }),
    file: start.file,
    line: start.line,
    byte: start.byte,
  });
}

class InventoryPages implements SourcePages {
  readonly listing = 'inventory' as const;
  private reader: LineReader | undefined;
  /** The line read ahead to learn whether the file goes on; the next page starts with it. */
  private pending: Line | undefined;
  /** Files opened again in this call after their stream broke. */
  private reopens = 0;

  constructor(
    private readonly client: S3Client,
    private readonly manifest: InventoryManifest,
    private readonly prefix: string,
    private readonly options: InventoryPagesOptions,
    private at: InventoryCursor,
  ) {}

  get done(): boolean {
    return this.at.file >= this.manifest.files.length;
  }

  position() {
    return { inventory: { ...this.at } };
  }

  close(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  private location(file: number): S3ObjectLocation {
    return { bucket: this.manifest.filesBucket, key: this.manifest.files[file]?.key ?? '' };
  }

  /** Opens the cursor's file and skips to its line. */
  private async open(): Promise<LineReader> {
    const location = this.location(this.at.file);
    let body: unknown;
    let size: number | undefined;
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: location.bucket, Key: location.key }),
        sendOptions(this.options.signal),
      );
      body = answer.Body;
      size = answer.ContentLength;
    } catch (err) {
      throw inventoryError(err, 's3:GetObject', location, 'file');
    }
    const expected = this.manifest.files[this.at.file]?.size;
    const compressed = readableOf(body);
    if (size !== undefined && expected !== undefined && size !== expected) {
      compressed.destroy();
      throw resized(this.manifest, location, size, expected);
    }
    const gunzip = createGunzip();
    // Errors of either stream reach the reader through the gunzip stream it iterates.
    pipeline(compressed, gunzip, () => undefined);
    const reader = new LineReader(gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>, gunzip);
    const mismatch = await this.guard(location, () => reader.skip(this.at.line, this.at.byte));
    if (mismatch !== undefined) {
      reader.close();
      throw changed(this.manifest, location, mismatch);
    }
    return reader;
  }

  /** Runs a read of the file, turning a broken gzip stream into a refusal that names the file. */
  private async guard<T>(location: S3ObjectLocation, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('Z_')) {
        throw new InvalidInput(
          `The inventory file ${describe(location)} (of ${this.manifest.url}) is not a readable gzip file (${code}): the backfill reads CSV inventories, gzipped as S3 delivers them`,
          { cause: err },
        );
      }
      throw classifyAwsError(err, {
        operation: 's3:GetObject',
        side: 'source',
        bucket: location.bucket,
        key: location.key,
      });
    }
  }

  /**
   * The objects of up to `pageSize` lines from the cursor. A page ends at its file's end; the cursor then
   * names the next file. A stream that breaks mid-page (a connection closed while the previous page's
   * objects were being checked at their targets) yields an empty page and is opened again from the cursor
   * by the next page: nothing of the broken page was kept, so nothing is skipped or read twice.
   */
  async next(): Promise<readonly ListedObject[]> {
    if (this.done) return [];
    try {
      return await this.readPage();
    } catch (err) {
      if (!(err instanceof TransientAwsError) || this.reopens >= MAX_REOPENS_PER_CALL) throw err;
      this.reopens += 1;
      this.close();
      this.pending = undefined;
      return [];
    }
  }

  private async readPage(): Promise<readonly ListedObject[]> {
    const location = this.location(this.at.file);
    this.reader ??= await this.open();
    const reader = this.reader;
    const objects: ListedObject[] = [];
    for (let lines = 0; lines < this.options.pageSize; lines += 1) {
      const line = this.pending ?? (await this.guard(location, () => reader.next()));
      this.pending = undefined;
      if (line === undefined) break;
      const object = this.objectOf(line, location);
      if (object !== undefined) objects.push(object);
    }
    this.pending ??= await this.guard(location, () => reader.next());
    if (this.pending === undefined) {
      this.close();
      this.at = { ...this.at, file: this.at.file + 1, line: 0, byte: 0 };
    } else {
      this.at = { ...this.at, line: this.pending.index, byte: this.pending.start };
    }
    return objects;
  }

  /** The listed object a line names, or `undefined` for a row the backfill does not relay. */
  private objectOf(line: Line, location: S3ObjectLocation): ListedObject | undefined {
    if (line.text === '') return undefined;
    let row: ReturnType<typeof parseInventoryRow>;
    try {
      row = parseInventoryRow(line.text, this.manifest.columns);
    } catch (err) {
      throw new InvalidInput(
        `Line ${line.index + 1} of the inventory file ${describe(location)} cannot be read: ${err instanceof Error ? err.message : String(err)} (the manifest's fields: ${this.manifest.columns.join(', ')})`,
        { cause: err },
      );
    }
    if (row.bucket !== this.manifest.sourceBucket) {
      throw new InvalidInput(
        `Line ${line.index + 1} of the inventory file ${describe(location)} names the bucket ${row.bucket}, not ${this.manifest.sourceBucket} as its manifest ${this.manifest.url} says: the report is inconsistent; name the manifest of another report`,
      );
    }
    if (!isCurrentObject(row) || !row.key.startsWith(this.prefix)) return undefined;
    return {
      key: row.key,
      size: row.size,
      etag: row.etag,
      ...(row.lastModified === undefined ? {} : { lastModified: row.lastModified }),
      ...(row.versionId === undefined ? {} : { versionId: row.versionId }),
    };
  }
}
