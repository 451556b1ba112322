/**
 * The `Range` header of GetObject and the `x-amz-copy-source-range` header of UploadPartCopy, read as S3
 * reads them: a single `bytes=` range; a syntactically invalid or multi-range header is ignored (the whole
 * object is returned), an unsatisfiable one is 416 InvalidRange.
 */
import { S3Errors } from './errors.ts';

/** An inclusive byte range. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * The range to serve of an object of `size` bytes; `undefined` for the whole object.
 * @throws S3Error InvalidRange when the range is not satisfiable.
 */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = SINGLE.exec(value.trim());
  if (!m) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw S3Errors.invalidRange(value, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return undefined;
  if (start >= size) throw S3Errors.invalidRange(value, size);
  return { start, end: Math.min(end, size - 1) };
}

/**
 * The `bytes=first-last` of `x-amz-copy-source-range`, which must lie inside the source.
 * @throws S3Error InvalidArgument when malformed or outside an object of `size` bytes.
 */
export function parseCopySourceRange(value: string, size: number): ByteRange {
  const m = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  if (!m) {
    throw S3Errors.invalidArgument(
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      'x-amz-copy-source-range',
      value,
    );
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start || end >= size) {
    throw S3Errors.invalidArgument(
      `Range specified is not valid for source object of size: ${size}`,
      'x-amz-copy-source-range',
      value,
    );
  }
  return { start, end };
}
