/**
 * A deployment's revision: reading `RevisionLocation` from a request, then checking it the way
 * CreateDeployment does — the bucket exists in the deployment group's region, the object (version)
 * exists, the eTag matches, and the bytes are a readable bundle of the stated type.
 */
import { createHash } from 'node:crypto';
import type { S3ObjectReader, StoredObject } from '../types.ts';
import { parseYamlAppSpec } from './bundle/appspec.ts';
import { validateBundle } from './bundle/validate.ts';
import { InvalidBundleError, invalidRevision, revisionDoesNotExist, revisionRequired } from './errors.ts';
import {
  BUNDLE_TYPES,
  type BundleType,
  type ComputePlatform,
  type RawContent,
  type RevisionLocation,
} from './model.ts';

const ARCHIVE_TYPES: ReadonlySet<BundleType> = new Set(['zip', 'tar', 'tgz']);

function member(obj: Record<string, unknown>, name: string): string | undefined {
  const value = obj[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalidRevision(`The revision's ${name} must be a string`);
  return value;
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) throw invalidRevision(`${what} must be specified`);
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRevision(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function rawContent(value: unknown, what: string): RawContent {
  const obj = asObject(value, what);
  const content = obj.content;
  if (typeof content !== 'string' || content === '')
    throw invalidRevision(`${what}.content must be specified`);
  const sha256 = member(obj, 'sha256');
  return { content, ...(sha256 !== undefined ? { sha256 } : {}) };
}

/** Reads the `revision` member of CreateDeployment. */
export function parseRevision(value: unknown): RevisionLocation {
  if (value === undefined || value === null) throw revisionRequired();
  const revision = asObject(value, 'revision');
  const type = revision.revisionType;
  switch (type) {
    case 'S3': {
      const loc = asObject(revision.s3Location, 's3Location');
      const bucket = member(loc, 'bucket');
      if (bucket === undefined) throw invalidRevision('The S3 bucket of the revision must be specified');
      const key = member(loc, 'key');
      if (key === undefined) throw invalidRevision('The S3 key of the revision must be specified');
      const bundleType = member(loc, 'bundleType');
      if (bundleType === undefined || !(BUNDLE_TYPES as readonly string[]).includes(bundleType)) {
        throw invalidRevision(
          `The bundle type of the revision must be one of ${BUNDLE_TYPES.join(', ')}${bundleType === undefined ? '' : `, not '${bundleType}'`}`,
        );
      }
      const eTag = member(loc, 'eTag');
      const version = member(loc, 'version');
      return {
        revisionType: 'S3',
        s3Location: {
          bucket,
          key,
          bundleType: bundleType as BundleType,
          ...(eTag !== undefined ? { eTag } : {}),
          ...(version !== undefined ? { version } : {}),
        },
      };
    }
    case 'String':
      return { revisionType: 'String', string: rawContent(revision.string, 'string') };
    case 'AppSpecContent':
      return {
        revisionType: 'AppSpecContent',
        appSpecContent: rawContent(revision.appSpecContent, 'appSpecContent'),
      };
    case 'GitHub':
      throw invalidRevision(
        'GitHub revisions are not supported by the local stack; store the revision in S3',
      );
    default:
      throw invalidRevision(
        type === undefined
          ? 'The revision type must be specified'
          : `Revision type '${String(type)}' is not valid`,
      );
  }
}

/** What a revision check needs to know besides the revision. */
export interface RevisionCheck {
  readonly s3: S3ObjectReader;
  /** The deployment group's region. */
  readonly region: string;
  readonly deploymentGroupName: string;
  readonly computePlatform: ComputePlatform;
  /** Where a zip may be spooled while it is read. */
  readonly scratchDir: string;
}

const unquote = (etag: string): string => etag.replace(/^"|"$/g, '');

function s3Uri(bucket: string, key: string, version: string | undefined): string {
  return `s3://${bucket}/${key}${version !== undefined ? `?versionId=${version}` : ''}`;
}

function checkPlatform(revision: RevisionLocation, platform: ComputePlatform): void {
  if (platform === 'Server') {
    if (revision.revisionType !== 'S3') {
      throw invalidRevision(
        `A ${revision.revisionType} revision is only for AWS Lambda and Amazon ECS deployments; an EC2/On-Premises deployment needs an S3 or GitHub revision`,
      );
    }
    if (!ARCHIVE_TYPES.has(revision.s3Location.bundleType)) {
      throw invalidRevision(
        `Bundle type ${revision.s3Location.bundleType} is only for AWS Lambda and Amazon ECS deployments; an EC2/On-Premises revision must be zip, tar or tgz`,
      );
    }
  } else if (revision.revisionType === 'S3' && ARCHIVE_TYPES.has(revision.s3Location.bundleType)) {
    throw invalidRevision(
      `Bundle type ${revision.s3Location.bundleType} is not supported for ${platform} deployments; the revision must be an AppSpec file of type YAML or JSON`,
    );
  }
}

async function locateObject(
  location: RevisionLocation & { revisionType: 'S3' },
  check: RevisionCheck,
): Promise<StoredObject> {
  const { bucket, key, eTag, version } = location.s3Location;
  const bucketRegion = check.s3.bucketRegion(bucket);
  if (bucketRegion === undefined) throw revisionDoesNotExist(`The S3 bucket '${bucket}' does not exist`);
  if (bucketRegion !== check.region) {
    throw invalidRevision(
      `The S3 bucket '${bucket}' is in region ${bucketRegion}, but deployment group '${check.deploymentGroupName}' is in region ${check.region}: CodeDeploy reads revisions only from a bucket in the deployment group's region`,
    );
  }
  const object = await check.s3.getObject(bucket, key, version);
  if (!object) throw revisionDoesNotExist(`No revision found at ${s3Uri(bucket, key, version)}`);
  if (eTag !== undefined && unquote(eTag) !== unquote(object.etag)) {
    throw revisionDoesNotExist(
      `The revision at ${s3Uri(bucket, key, version)} has ETag ${unquote(object.etag)}, not the eTag ${unquote(eTag)} given`,
    );
  }
  return object;
}

function checkRawContent(raw: RawContent, what: string): string {
  if (raw.sha256 !== undefined) {
    const actual = createHash('sha256').update(raw.content, 'utf8').digest('hex');
    if (actual !== raw.sha256.toLowerCase()) {
      throw invalidRevision(
        `The SHA-256 of ${what}.content is ${actual}, not the sha256 ${raw.sha256} given`,
      );
    }
  }
  return raw.content;
}

/** Throws the CodeDeploy error CreateDeployment would give for this revision, if any. */
export async function checkRevision(revision: RevisionLocation, check: RevisionCheck): Promise<void> {
  checkPlatform(revision, check.computePlatform);
  try {
    if (revision.revisionType === 'S3') {
      const object = await locateObject(revision, check);
      await validateBundle(object, revision.s3Location.bundleType, check.scratchDir);
      return;
    }
    const raw = revision.revisionType === 'String' ? revision.string : revision.appSpecContent;
    const text = checkRawContent(raw, revision.revisionType === 'String' ? 'string' : 'appSpecContent');
    parseYamlAppSpec(text, `The ${revision.revisionType} revision`);
  } catch (cause) {
    if (cause instanceof InvalidBundleError) throw invalidRevision(cause.message);
    throw cause;
  }
}
