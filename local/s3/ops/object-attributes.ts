/**
 * GetObjectAttributes: ETag (without quotes), Checksum, ObjectParts (paged with x-amz-max-parts and
 * x-amz-part-number-marker; the parts listed only when they carry checksums), StorageClass and
 * ObjectSize, as selected by `x-amz-object-attributes`.
 */
import { requireBucket } from '../bucket-access.ts';
import { type ChecksumAlgorithm, checksumXmlName } from '../checksums.ts';
import { header, objectKey, type S3Handler } from '../context.ts';
import { S3Errors } from '../errors.ts';
import { checkKey, httpDate } from '../object-headers.ts';
import type { ObjectVersion, PartLayout } from '../store/records.ts';
import { readableVersion, versionIdHeader } from '../version-lookup.ts';
import { toXml, type XmlNode } from '../xml.ts';

const ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

function intHeader(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim())) {
    throw S3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, value);
  }
  return Number(value.trim());
}

/**
 * ObjectParts, paged by `x-amz-max-parts` / `x-amz-part-number-marker`. `Part` entries (PartNumber, Size
 * and the part's checksum) are listed only when the parts carry checksums: "if an additional checksum …
 * isn't applied to the object …, the response doesn't return the Part element" (GetObjectAttributesParts,
 * S3 API reference).
 */
function objectParts(version: ObjectVersion, maxParts: number, marker: number): XmlNode | undefined {
  const parts = version.parts;
  if (!parts) return undefined;
  const objectAlgorithm = version.checksum?.algorithm;
  const algorithmOf = (p: PartLayout): ChecksumAlgorithm | undefined =>
    p.checksum === undefined ? undefined : (p.checksumAlgorithm ?? objectAlgorithm);
  const withChecksums = parts.every((p) => algorithmOf(p) !== undefined);
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  return {
    PartsCount: parts.length,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length > 0 ? page[page.length - 1]?.partNumber : undefined,
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: withChecksums
      ? page.map((p) => {
          const algorithm = algorithmOf(p);
          return {
            PartNumber: p.partNumber,
            Size: p.size,
            ...(algorithm !== undefined ? { [checksumXmlName(algorithm)]: p.checksum } : {}),
          };
        })
      : [],
  };
}

/** GetObjectAttributes. */
export const getObjectAttributes: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const key = objectKey(request);
  checkKey(key);
  const wanted = (header(request, 'x-amz-object-attributes') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (wanted.length === 0 || wanted.some((a) => !ATTRIBUTES.has(a))) {
    throw S3Errors.invalidArgument(
      'Invalid attribute name specified.',
      'x-amz-object-attributes',
      wanted.join(','),
    );
  }
  const version = await readableVersion(state, key, request.query.get('versionId'));
  const maxParts = Math.min(intHeader(header(request, 'x-amz-max-parts'), 'x-amz-max-parts', 1000), 1000);
  const marker = intHeader(header(request, 'x-amz-part-number-marker'), 'x-amz-part-number-marker', 0);
  const want = new Set(wanted);
  const checksum = version.checksum;
  return {
    status: 200,
    headers: {
      'last-modified': httpDate(version.lastModified),
      ...versionIdHeader(state.record, version.versionId),
    },
    body: toXml('GetObjectAttributesResponse', {
      ETag: want.has('ETag') ? version.etag.replace(/^"(.*)"$/, '$1') : undefined,
      Checksum:
        want.has('Checksum') && checksum
          ? { [checksumXmlName(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
          : undefined,
      ObjectParts: want.has('ObjectParts') ? objectParts(version, maxParts, marker) : undefined,
      StorageClass: want.has('StorageClass') ? version.storageClass : undefined,
      ObjectSize: want.has('ObjectSize') ? version.size : undefined,
    }),
  };
};
