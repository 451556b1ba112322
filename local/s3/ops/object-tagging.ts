/**
 * Put/Get/DeleteObjectTagging on the current version or `?versionId=`. Only the version's record changes;
 * its data files are never touched.
 */
import { requireBucket } from '../bucket-access.ts';
import { objectKey, type S3Deps, type S3Handler, type S3Request } from '../context.ts';
import { checkKey } from '../object-headers.ts';
import { readXml } from '../small-body.ts';
import type { Tag } from '../store/records.ts';
import { parseTaggingXml, taggingDocument } from '../tagging.ts';
import { readableVersion, versionIdHeader } from '../version-lookup.ts';

async function retag(deps: S3Deps, request: S3Request, tags: readonly Tag[] | undefined) {
  const state = requireBucket(deps, request);
  const key = objectKey(request);
  checkKey(key);
  const version = await readableVersion(state, key, request.query.get('versionId'));
  const newTags = tags ?? parseTaggingXml(await readXml(request, 'Tagging'), 'object');
  await deps.store.updateVersion(state.record.name, key, version.versionId, (v) => ({ ...v, tags: newTags }));
  return { state, version };
}

/** PutObjectTagging: replaces the version's tag set. */
export const putObjectTagging: S3Handler = async (deps, request) => {
  const { state, version } = await retag(deps, request, undefined);
  return { status: 200, headers: versionIdHeader(state.record, version.versionId) };
};

/** DeleteObjectTagging: removes every tag of the version. */
export const deleteObjectTagging: S3Handler = async (deps, request) => {
  const { state, version } = await retag(deps, request, []);
  return { status: 204, headers: versionIdHeader(state.record, version.versionId) };
};

/** GetObjectTagging. */
export const getObjectTagging: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const key = objectKey(request);
  checkKey(key);
  const version = await readableVersion(state, key, request.query.get('versionId'));
  return {
    status: 200,
    headers: versionIdHeader(state.record, version.versionId),
    body: taggingDocument(version.tags),
  };
};
