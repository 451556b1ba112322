/**
 * Tag sets of objects and buckets: the `x-amz-tagging` header (URL-encoded `k=v&k2=v2`) and the
 * `<Tagging><TagSet><Tag>` document, validated with S3's limits (10 tags per object, 50 per bucket, keys up
 * to 128 and values up to 256 characters, no duplicate keys, no `aws:` prefix).
 */
import { S3Error, S3Errors } from './errors.ts';
import type { Tag } from './store/records.ts';
import { children, childText, element, type ParsedElement, toXml } from './xml.ts';

const ALLOWED = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** @throws S3Error InvalidTag / BadRequest when the set breaks one of S3's rules. */
export function validateTags(tags: readonly Tag[], kind: 'object' | 'bucket'): void {
  const max = kind === 'object' ? 10 : 50;
  if (tags.length > max) {
    throw kind === 'object'
      ? new S3Error('BadRequest', 'Object tags cannot be greater than 10', 400)
      : S3Errors.invalidTag('Bucket tag count cannot be greater than 50');
  }
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    if (key.length === 0 || [...key].length > 128) {
      throw S3Errors.invalidTag('The TagKey you have provided is invalid');
    }
    if ([...value].length > 256)
      throw S3Errors.invalidTag('The TagValue you have provided is too long, max 256');
    if (!ALLOWED.test(key)) throw S3Errors.invalidTag('The TagKey you have provided is invalid');
    if (!ALLOWED.test(value)) throw S3Errors.invalidTag('The TagValue you have provided is invalid');
    if (key.toLowerCase().startsWith('aws:'))
      throw S3Errors.invalidTag('Your TagKey cannot be prefixed with aws:');
    if (seen.has(key)) throw S3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(key);
  }
}

/** The tags of an `x-amz-tagging` header. */
export function parseTaggingHeader(value: string | undefined): Tag[] {
  if (value === undefined || value === '') return [];
  const tags: Tag[] = [];
  for (const [key, tagValue] of new URLSearchParams(value)) tags.push({ key, value: tagValue });
  validateTags(tags, 'object');
  return tags;
}

/** The tags of a `<Tagging>` document. @throws S3Error MalformedXML, InvalidTag. */
export function parseTaggingXml(root: ParsedElement | string, kind: 'object' | 'bucket'): Tag[] {
  const tagSet = children(root, 'TagSet');
  if (tagSet.length !== 1) throw S3Errors.malformedXml();
  const tags = children(element(tagSet[0]), 'Tag').map((tag) => {
    const el = element(tag);
    const key = childText(el, 'Key');
    const value = childText(el, 'Value');
    if (key === undefined || value === undefined) throw S3Errors.malformedXml();
    return { key, value };
  });
  validateTags(tags, kind);
  return tags;
}

/** The `<Tagging>` document for a tag set. */
export function taggingDocument(tags: readonly Tag[]): string {
  return toXml('Tagging', { TagSet: { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } });
}
