/**
 * The messages between the hash pool (./pool.ts) and its worker threads (./worker.ts). Buffers cross as
 * Uint8Arrays (structured clone); {@link toDigestResult} turns them back into Buffers.
 */
import type { ChecksumAlgorithm } from '../checksums.ts';
import type { DigestResult } from '../digest-stream.ts';
import type { DigestFilesJob } from './digest-files.ts';

/** A job for a worker, with the id its answer carries. */
export interface JobMessage {
  readonly id: number;
  readonly job: DigestFilesJob;
}

/** A file-system error as it crossed the thread boundary: enough to rebuild an equivalent one. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** A worker's answer to one {@link JobMessage}. */
export type AnswerMessage =
  | {
      readonly id: number;
      readonly ok: true;
      readonly md5: Uint8Array;
      readonly size: number;
      readonly checksums: Partial<Record<ChecksumAlgorithm, Uint8Array>>;
    }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The {@link DigestResult} a successful answer carries. */
export function toDigestResult(answer: Extract<AnswerMessage, { ok: true }>): DigestResult {
  const checksums: Partial<Record<ChecksumAlgorithm, Buffer>> = {};
  for (const [alg, value] of Object.entries(answer.checksums) as Array<[ChecksumAlgorithm, Uint8Array]>) {
    checksums[alg] = asBuffer(value);
  }
  return { md5: asBuffer(answer.md5), size: answer.size, checksums };
}

/** What an error raised in a worker becomes on the wire. */
export function toWireError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const code = (err as NodeJS.ErrnoException).code;
  return { name: err.name, message: err.message, ...(code !== undefined ? { code } : {}) };
}

/** An error equivalent to the one a worker raised (same message and `code`, so callers classify it alike). */
export function fromWireError(wire: WireError): Error {
  const err: NodeJS.ErrnoException = new Error(wire.message);
  err.name = wire.name;
  if (wire.code !== undefined) err.code = wire.code;
  return err;
}
