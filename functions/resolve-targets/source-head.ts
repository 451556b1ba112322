import { GetBucketTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import type { SourceConfig } from '../../core/config/schema.ts';
import type { SourceRequest } from '../../core/events/normalize.ts';
import { describeHead, type StoredObject } from '../../core/object-facts.ts';
import { NO_TAG_SET_CODE, targetTagValue } from '../../core/target-tag.ts';
import type { SourceContent } from '../../core/workflow.ts';
import { errorCodeOf, isMissingObject, isPreconditionFailed, sendOptions } from '../shared/aws-call.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import { pinnedReadParams } from '../shared/source-pin.ts';

/** The source as found: present (pinned), gone, or overwritten since the event. */
export type SourceLookup =
  | { readonly found: true; readonly object: StoredObject }
  | { readonly found: false; readonly why: 'gone' | 'changed' };

/**
 * HEADs the source the event named (`ChecksumMode=ENABLED`): its version when the event has one,
 * else the current object while its ETag still matches the event's.
 */
export async function headSource(
  s3ClientFor: S3ClientFor,
  source: Pick<SourceConfig, 'region' | 'account'>,
  request: SourceRequest,
  signal: AbortSignal | undefined,
): Promise<SourceLookup> {
  try {
    const head = await s3ClientFor(source.region).send(
      new HeadObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        ...pinnedReadParams(request),
        ChecksumMode: 'ENABLED',
        ...(source.account === undefined ? {} : { ExpectedBucketOwner: source.account }),
      }),
      sendOptions(signal),
    );
    return { found: true, object: describeHead(head) };
  } catch (err) {
    if (isMissingObject(err)) return { found: false, why: 'gone' };
    if (isPreconditionFailed(err)) return { found: false, why: 'changed' };
    throw classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'source',
      bucket: request.bucket,
      key: request.key,
    });
  }
}

/** What a copy restates of the source (MetadataDirective REPLACE): its user metadata and content headers. */
export function sourceContent(object: StoredObject): SourceContent {
  return {
    metadata: { ...object.metadata },
    ...(object.contentType === undefined ? {} : { contentType: object.contentType }),
    ...(object.cacheControl === undefined ? {} : { cacheControl: object.cacheControl }),
    ...(object.contentDisposition === undefined ? {} : { contentDisposition: object.contentDisposition }),
    ...(object.contentEncoding === undefined ? {} : { contentEncoding: object.contentEncoding }),
    ...(object.contentLanguage === undefined ? {} : { contentLanguage: object.contentLanguage }),
  };
}

/**
 * The value of the source bucket's `TargetBucket` tag (its configured key), or `undefined` when
 * the bucket has no such tag.
 */
export async function readTargetBucketTagValue(
  s3ClientFor: S3ClientFor,
  source: SourceConfig,
  tagKey: string,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  try {
    const tagging = await s3ClientFor(source.region).send(
      new GetBucketTaggingCommand({
        Bucket: source.bucket,
        ...(source.account === undefined ? {} : { ExpectedBucketOwner: source.account }),
      }),
      sendOptions(signal),
    );
    return targetTagValue(tagging.TagSet, tagKey);
  } catch (err) {
    if (errorCodeOf(err) === NO_TAG_SET_CODE) return undefined;
    throw classifyAwsError(err, { operation: 's3:GetBucketTagging', side: 'source', bucket: source.bucket });
  }
}
