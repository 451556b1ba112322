import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type WorkListCursor, workListChunkKey } from '../../core/backfill.ts';
import { classifyAwsError, errorCodeOf } from '../../core/classify-aws-error.ts';
import { InvalidInput, MultipartUploadGone, type RelayError, TransientAwsError } from '../../core/errors.ts';
import { isMissingObject, sendOptions } from '../shared/aws-call.ts';
import type { TaskLog } from '../shared/log.ts';

/**
 * Writes the work list as ONE S3 object across BuildWorkList's calls, so the Distributed Map reads one
 * JSONL file and nothing half-written is ever at its key: a multipart upload (created by the first call)
 * receives a part whenever 5 MiB of lines are ready (S3's smallest part but the last); a call that must
 * stop with less keeps its lines in a small chunk object beside the list, and the part that later takes
 * them reads them back first, in order. The last call uploads what is left as the last part and completes
 * the upload — or aborts it when nothing was queued.
 *
 * Every call resumes from the cursor it was given. A retried call (the same cursor) uploads the same part
 * numbers again (a part re-uploaded replaces the earlier one, and only the parts named at completion make
 * the object) and rewrites the same chunk key; the chunks a part took are deleted by the NEXT call, never by
 * the call that might be retried and need them again. An upload abandoned by a failed backfill is cleaned by
 * the results bucket's lifecycle rule (AbortIncompleteMultipartUpload).
 */

/** The upload's state between calls: the cursor's fields that are the writer's. */
export type UploadState = Pick<
  WorkListCursor,
  'uploadId' | 'parts' | 'chunks' | 'chunkBytes' | 'chunksWritten' | 'spentChunks'
> & { readonly uploadId: string };

/** Where the work list goes. */
export interface WorkListPlace {
  readonly bucket: string;
  readonly key: string;
}

/** Options of the writer. */
export interface WriterOptions {
  /** Bytes that make a part (all parts but the last); S3's smallest is 5 MiB. */
  readonly partBytes: number;
  readonly signal: AbortSignal | undefined;
  readonly log: TaskLog;
}

/** The media type of JSON Lines. */
export const WORK_LIST_CONTENT_TYPE = 'application/jsonl';

/** The checksum every part carries (the upload is created with it, so completion names each part's). */
const CHECKSUM_ALGORITHM = 'CRC32';

function describe(place: WorkListPlace): string {
  return `s3://${place.bucket}/${place.key}`;
}

function uploadGone(place: WorkListPlace, uploadId: string, cause: unknown): MultipartUploadGone {
  return new MultipartUploadGone(
    `The work list's multipart upload ${uploadId} (${describe(place)}) no longer exists: it was aborted (the results bucket's AbortIncompleteMultipartUpload lifecycle rule, or by hand) or completed by an earlier attempt. Start the backfill again: objects already relayed are found in sync and cost no relay execution`,
    { cause, awsCode: 'NoSuchUpload', operation: 's3:UploadPart' },
  );
}

/**
 * The relay error for a failed call on the results bucket: a missing bucket is the request's to fix
 * (`results.bucket`); the rest as classified (throttling and 5xx retryable; AccessDenied naming the call).
 */
function resultsError(err: unknown, operation: string, place: WorkListPlace, key = place.key): RelayError {
  if (errorCodeOf(err) === 'NoSuchBucket') {
    return new InvalidInput(
      `The results bucket ${place.bucket} does not exist (${operation} failed with NoSuchBucket): create it in the backfill's region, or set results.bucket to an existing bucket`,
      { cause: err, awsCode: 'NoSuchBucket', operation },
    );
  }
  return classifyAwsError(err, { operation, side: 'target', bucket: place.bucket, key });
}

/** The work list being written: lines buffered, parts and chunks written as they fill. */
export class WorkListWriter {
  private readonly lines: string[] = [];
  private bufferedBytes = 0;
  private state: {
    uploadId: string;
    parts: UploadState['parts'];
    chunks: string[];
    chunkBytes: number;
    chunksWritten: number;
    spentChunks: string[];
  };

  private constructor(
    private readonly client: S3Client,
    private readonly place: WorkListPlace,
    state: UploadState,
    private readonly options: WriterOptions,
  ) {
    this.state = {
      uploadId: state.uploadId,
      parts: [...state.parts],
      chunks: [...state.chunks],
      chunkBytes: state.chunkBytes,
      chunksWritten: state.chunksWritten,
      spentChunks: [...state.spentChunks],
    };
  }

  /**
   * Resumes the upload of `previous` (deleting the chunks its last call put into a part), or creates it
   * on the first call.
   */
  static async open(
    client: S3Client,
    place: WorkListPlace,
    previous: UploadState | undefined,
    options: WriterOptions,
  ): Promise<WorkListWriter> {
    if (previous !== undefined) {
      const writer = new WorkListWriter(client, place, previous, options);
      await writer.deleteChunks(previous.spentChunks, 'strict');
      writer.state.spentChunks = [];
      return writer;
    }
    let uploadId: string | undefined;
    try {
      const answer = await client.send(
        new CreateMultipartUploadCommand({
          Bucket: place.bucket,
          Key: place.key,
          ContentType: WORK_LIST_CONTENT_TYPE,
          ChecksumAlgorithm: CHECKSUM_ALGORITHM,
        }),
        sendOptions(options.signal),
      );
      uploadId = answer.UploadId;
    } catch (err) {
      throw resultsError(err, 's3:CreateMultipartUpload', place);
    }
    if (uploadId === undefined) {
      throw new TransientAwsError(
        `s3:CreateMultipartUpload (${describe(place)}) answered without an UploadId; the call is retried`,
        { operation: 's3:CreateMultipartUpload' },
      );
    }
    const fresh: UploadState = {
      uploadId,
      parts: [],
      chunks: [],
      chunkBytes: 0,
      chunksWritten: 0,
      spentChunks: [],
    };
    return new WorkListWriter(client, place, fresh, options);
  }

  /** Adds one line (without its newline). */
  add(line: string): void {
    const text = `${line}\n`;
    this.lines.push(text);
    this.bufferedBytes += Buffer.byteLength(text);
  }

  /** Uploads a part when the chunks and the buffer make one. */
  async uploadPartIfFull(): Promise<void> {
    if (this.state.chunkBytes + this.bufferedBytes >= this.options.partBytes) await this.uploadPart();
  }

  /**
   * Stops for now: keeps what is buffered as the next chunk object and returns the upload's state for
   * the cursor.
   */
  async pause(): Promise<UploadState> {
    if (this.bufferedBytes > 0) {
      const key = workListChunkKey(this.place.key, this.state.chunksWritten);
      const body = this.takeBuffer();
      try {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.place.bucket, Key: key, Body: body }),
          sendOptions(this.options.signal),
        );
      } catch (err) {
        throw resultsError(err, 's3:PutObject', this.place, key);
      }
      this.state.chunks.push(key);
      this.state.chunkBytes += body.byteLength;
      this.state.chunksWritten += 1;
    }
    return this.snapshot();
  }

  /** Uploads what is left as the last part and completes the upload: the work list is then at its key. */
  async complete(): Promise<void> {
    if (this.state.chunkBytes + this.bufferedBytes > 0) await this.uploadPart();
    const { uploadId, parts } = this.state;
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.place.bucket,
          Key: this.place.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((part) => ({ ...part })) },
        }),
        sendOptions(this.options.signal),
      );
    } catch (err) {
      // An SDK retry of a completion that succeeded finds no upload: the list is there, all is well.
      if (errorCodeOf(err) !== 'NoSuchUpload' || !(await this.listExists())) {
        throw errorCodeOf(err) === 'NoSuchUpload'
          ? uploadGone(this.place, uploadId, err)
          : resultsError(err, 's3:CompleteMultipartUpload', this.place);
      }
    }
    await this.deleteChunks([...this.state.spentChunks, ...this.state.chunks], 'best-effort');
  }

  /** Nothing was queued: aborts the upload (and removes any chunk), leaving no object behind. */
  async abort(): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({
          Bucket: this.place.bucket,
          Key: this.place.key,
          UploadId: this.state.uploadId,
        }),
        sendOptions(this.options.signal),
      );
    } catch (err) {
      // Already aborted (a retried call, or the lifecycle rule): nothing is left either way.
      if (errorCodeOf(err) !== 'NoSuchUpload') throw resultsError(err, 's3:AbortMultipartUpload', this.place);
    }
    await this.deleteChunks([...this.state.spentChunks, ...this.state.chunks], 'best-effort');
  }

  private snapshot(): UploadState {
    return {
      uploadId: this.state.uploadId,
      parts: [...this.state.parts],
      chunks: [...this.state.chunks],
      chunkBytes: this.state.chunkBytes,
      chunksWritten: this.state.chunksWritten,
      spentChunks: [...this.state.spentChunks],
    };
  }

  private takeBuffer(): Buffer {
    const body = Buffer.from(this.lines.join(''), 'utf8');
    this.lines.length = 0;
    this.bufferedBytes = 0;
    return body;
  }

  private async readChunk(key: string): Promise<Uint8Array> {
    try {
      const answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.place.bucket, Key: key }),
        sendOptions(this.options.signal),
      );
      if (answer.Body === undefined) throw new Error('the answer had no body');
      return await answer.Body.transformToByteArray();
    } catch (err) {
      if (isMissingObject(err)) {
        throw new MultipartUploadGone(
          `The work list's chunk s3://${this.place.bucket}/${key} is gone (deleted by hand, or by a lifecycle rule on the results prefix), so the list cannot be finished. Start the backfill again: objects already relayed are found in sync and cost no relay execution`,
          { cause: err, operation: 's3:GetObject' },
        );
      }
      throw resultsError(err, 's3:GetObject', this.place, key);
    }
  }

  /** Uploads the chunks read back and the buffer, in order, as the next part. */
  private async uploadPart(): Promise<void> {
    const chunks: Uint8Array[] = [];
    for (const key of this.state.chunks) chunks.push(await this.readChunk(key));
    const body = Buffer.concat([...chunks, this.takeBuffer()]);
    const partNumber = this.state.parts.length + 1;
    let answer: { ETag?: string | undefined; ChecksumCRC32?: string | undefined };
    try {
      answer = await this.client.send(
        new UploadPartCommand({
          Bucket: this.place.bucket,
          Key: this.place.key,
          UploadId: this.state.uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.byteLength,
          ChecksumAlgorithm: CHECKSUM_ALGORITHM,
        }),
        sendOptions(this.options.signal),
      );
    } catch (err) {
      if (errorCodeOf(err) === 'NoSuchUpload') throw uploadGone(this.place, this.state.uploadId, err);
      throw resultsError(err, 's3:UploadPart', this.place);
    }
    if (answer.ETag === undefined) {
      throw new TransientAwsError(
        `s3:UploadPart (${describe(this.place)}, part ${partNumber}) answered without an ETag; the call is retried`,
        { operation: 's3:UploadPart' },
      );
    }
    this.state.parts.push({
      PartNumber: partNumber,
      ETag: answer.ETag,
      ...(answer.ChecksumCRC32 === undefined ? {} : { ChecksumCRC32: answer.ChecksumCRC32 }),
    });
    this.state.spentChunks.push(...this.state.chunks);
    this.state.chunks = [];
    this.state.chunkBytes = 0;
    this.options.log.info('Work list part uploaded', {
      workList: describe(this.place),
      part: partNumber,
      bytes: body.byteLength,
    });
  }

  private async listExists(): Promise<boolean> {
    try {
      await this.client.send(
        new HeadObjectCommand({ Bucket: this.place.bucket, Key: this.place.key }),
        sendOptions(this.options.signal),
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Deletes chunk objects. `strict` (before a call builds on its cursor) lets a failure fail the call;
   * `best-effort` (after the list is complete, when a retry could not finish it again) logs it: a leftover
   * chunk is a small object beside the list, nothing reads it.
   */
  private async deleteChunks(keys: readonly string[], mode: 'strict' | 'best-effort'): Promise<void> {
    for (const key of keys) {
      try {
        await this.client.send(
          new DeleteObjectCommand({ Bucket: this.place.bucket, Key: key }),
          sendOptions(this.options.signal),
        );
      } catch (err) {
        if (mode === 'strict') throw resultsError(err, 's3:DeleteObject', this.place, key);
        this.options.log.warn('A work-list chunk could not be deleted; it can be removed by hand', {
          chunk: `s3://${this.place.bucket}/${key}`,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }
}
