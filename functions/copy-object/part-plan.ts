import { CopyTooLarge } from '../../core/errors.ts';
import { MAX_OBJECT_BYTES, MAX_PART_BYTES, MAX_PARTS, MIB } from '../../core/s3-limits.ts';
import type { SourceObject } from '../../core/workflow.ts';

/**
 * How a multipart copy splits the object. A multipart source keeps its own part boundaries (each
 * read with HeadObject `PartNumber=n`), so the replica's `-N` ETag and composite checksum can equal
 * the source's; any other source is cut into equal parts of the configured size, enlarged when
 * needed to stay within 10,000 parts.
 */
export type PartPlan =
  | { readonly layout: 'source'; readonly count: number }
  | { readonly layout: 'uniform'; readonly count: number; readonly partSize: number; readonly size: number };

/** An inclusive byte range (`bytes=start-end`). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

function roundUpToMib(bytes: number): number {
  return Math.ceil(bytes / MIB) * MIB;
}

/**
 * The part plan for copying `source` in parts.
 *
 * @throws CopyTooLarge when the object exceeds S3's 5 TiB limit
 */
export function planParts(source: SourceObject, partSizeBytes: number): PartPlan {
  if (source.size > MAX_OBJECT_BYTES) {
    throw new CopyTooLarge(
      `s3://${source.bucket}/${source.key} is ${source.size} bytes; S3 objects are at most ${MAX_OBJECT_BYTES} bytes (5 TiB)`,
    );
  }
  if (source.partCount !== undefined && source.partCount <= MAX_PARTS) {
    return { layout: 'source', count: source.partCount };
  }
  const minimum = Math.ceil(source.size / MAX_PARTS);
  const partSize = Math.min(MAX_PART_BYTES, partSizeBytes >= minimum ? partSizeBytes : roundUpToMib(minimum));
  return {
    layout: 'uniform',
    count: Math.max(1, Math.ceil(source.size / partSize)),
    partSize,
    size: source.size,
  };
}

/** The byte range of part `n` (1-based) of a uniform plan. */
export function uniformRange(plan: Extract<PartPlan, { layout: 'uniform' }>, n: number): ByteRange {
  const start = (n - 1) * plan.partSize;
  return { start, end: Math.min(plan.size, start + plan.partSize) - 1 };
}

/** Parses a `Content-Range: bytes start-end/total` value. */
export function parseContentRange(value: string | undefined): ByteRange | undefined {
  const match = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value.trim());
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { start: Number(match[1]), end: Number(match[2]) };
}

/** The `x-amz-copy-source-range` value of a range. */
export function copySourceRange(range: ByteRange): string {
  return `bytes=${range.start}-${range.end}`;
}
