/**
 * Amazon S3 limits the relay depends on (S3 User Guide: "Creating object key names",
 * "Working with object metadata", "Amazon S3 multipart upload limits", "Copying objects").
 */

/** 1 MiB in bytes. */
export const MIB = 1024 * 1024;

/** 1 GiB in bytes. */
export const GIB = 1024 * MIB;

/** An object key is at most 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/** User-defined metadata: the UTF-8 bytes of every key and value together, at most 2 KB. */
export const MAX_USER_METADATA_BYTES = 2048;

/** A single CopyObject request copies objects up to 5 GiB; larger objects need a multipart copy. */
export const MAX_COPY_OBJECT_BYTES = 5 * GIB;

/** Every part but the last is at least 5 MiB. */
export const MIN_PART_BYTES = 5 * MIB;

/** A part is at most 5 GiB. */
export const MAX_PART_BYTES = 5 * GIB;

/** A multipart upload has at most 10,000 parts. */
export const MAX_PARTS = 10_000;

/** An object is at most 5 TiB. */
export const MAX_OBJECT_BYTES = 5 * 1024 * GIB;

/** The number of bytes `value` takes in UTF-8. */
export function utf8Length(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}
