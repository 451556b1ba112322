/**
 * The form in which the store keeps version records in memory — every version of every bucket, so their
 * size is what `relay local` grows by per object. A compacted record equals the record it was made from
 * (what S3 answers is the same), but what versions have in common is one shared, frozen instance: the
 * timestamp of the second they were written in, content headers, encryption settings, storage class,
 * checksum algorithm and type, the empty tag set and metadata; and the data-file list of a body that is one
 * file is left out (it follows from the size: {@link segmentsOf}).
 */

import { InternTable, StringTable } from './intern.ts';
import type { ContentHeaders, Encryption, ObjectChecksum, ObjectVersion, Segment, Tag } from './records.ts';
import { SINGLE_SEGMENT_FILE } from './records.ts';

const NO_TAGS: readonly Tag[] = Object.freeze([]);
const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});
const NO_HEADERS: ContentHeaders = Object.freeze({});
const NO_SEGMENTS: readonly Segment[] = Object.freeze([]);

/** Names from small vocabularies: storage classes, ACLs, checksum algorithms and types, data-file names. */
const NAMES_KEPT = 1024;
/** Whole-second timestamps: versions written in the same second share one. */
const TIMESTAMPS_KEPT = 4096;
/** Encryption settings and content-header sets. */
const SETTINGS_KEPT = 1024;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isEmpty(record: object): boolean {
  for (const _ in record) return false;
  return true;
}

/** Makes compact version records; one per store, so that all its buckets share the same instances. */
export class VersionCompactor {
  readonly #names = new StringTable(NAMES_KEPT);
  readonly #timestamps = new StringTable(TIMESTAMPS_KEPT);
  readonly #encryptions = new InternTable<string, Encryption>(SETTINGS_KEPT);
  readonly #headers = new InternTable<string, ContentHeaders>(SETTINGS_KEPT);

  /** A record equal to `version` that shares what it has in common with other versions. */
  compact(version: ObjectVersion): ObjectVersion {
    const id = version.id;
    const key = version.key;
    const versionId = version.versionId === 'null' ? 'null' : version.versionId;
    const sequencer = version.sequencer;
    const deleteMarker = version.deleteMarker;
    const lastModified = this.#timestamps.intern(version.lastModified);
    const size = version.size;
    const etag = version.etag;
    const headers = this.#sharedHeaders(version.headers);
    const metadata = isEmpty(version.metadata) ? NO_METADATA : version.metadata;
    const tags = version.tags.length === 0 ? NO_TAGS : version.tags;
    const storageClass = this.#names.intern(version.storageClass);
    const encryption = this.#encryptions.share(JSON.stringify(version.encryption), () =>
      Object.freeze({ ...version.encryption }),
    );
    // Built by literals, always in this order, so that all records share a few hidden classes with their
    // fields inside the object (a record cloned by spreading gets a hidden class of its own: ~400 bytes).
    // Most versions have a checksum, so it has a literal of its own.
    const record: Mutable<ObjectVersion> =
      version.checksum === undefined
        ? {
            id,
            key,
            versionId,
            sequencer,
            deleteMarker,
            lastModified,
            size,
            etag,
            headers,
            metadata,
            tags,
            storageClass,
            encryption,
          }
        : {
            id,
            key,
            versionId,
            sequencer,
            deleteMarker,
            lastModified,
            size,
            etag,
            headers,
            metadata,
            tags,
            storageClass,
            encryption,
            checksum: this.#checksum(version.checksum),
          };
    if (version.acl !== undefined) record.acl = this.#names.intern(version.acl);
    if (version.parts !== undefined) record.parts = version.parts;
    const segments = this.#segments(size, version.segments);
    if (segments !== undefined) record.segments = segments;
    return record;
  }

  #sharedHeaders(headers: ContentHeaders): ContentHeaders {
    if (isEmpty(headers)) return NO_HEADERS;
    return this.#headers.share(JSON.stringify(headers), () => Object.freeze({ ...headers }));
  }

  #checksum(checksum: ObjectChecksum): ObjectChecksum {
    return {
      algorithm: this.#names.intern(checksum.algorithm) as ObjectChecksum['algorithm'],
      type: this.#names.intern(checksum.type) as ObjectChecksum['type'],
      value: checksum.value,
    };
  }

  /** The segments to keep: none when the body is the single file of `size` bytes. */
  #segments(size: number, segments: readonly Segment[] | undefined): readonly Segment[] | undefined {
    if (segments === undefined) return undefined;
    if (segments.length === 0) return NO_SEGMENTS;
    const [only] = segments;
    if (segments.length === 1 && only?.file === SINGLE_SEGMENT_FILE && only.size === size) return undefined;
    return segments.map((s) => ({ file: this.#names.intern(s.file), size: s.size }));
  }
}
