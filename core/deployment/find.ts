/**
 * How a deployment of a revision is looked for (CodeDeploy ListDeployments with `includeOnlyStatuses`
 * and `createTimeRange`, then BatchGetDeployments): the window, the page bound, and whether a listed
 * deployment deploys this very revision. Each side's CodeDeploy adapter pages with these.
 */
import type { BUNDLE_TYPES } from '../config/schema.ts';
import { sameEtag } from '../etag.ts';
import type { DeploymentRevision } from './ports.ts';

/** How far back a deployment of the same revision is looked for: Step Functions' redrive window (14 days). */
export const REUSE_WINDOW_MS = 14 * 24 * 3600 * 1000;

/** ListDeployments pages read at most (each up to 100 deployments). */
export const MAX_LIST_PAGES = 20;

/** BatchGetDeployments takes at most 25 ids. */
export const BATCH_SIZE = 25;

/** A deployment's revision as CodeDeploy describes it (RevisionLocation). */
export interface ListedRevision {
  readonly revisionType?: string | undefined;
  readonly s3Location?:
    | {
        readonly bucket?: string | undefined;
        readonly key?: string | undefined;
        readonly bundleType?: string | undefined;
        readonly version?: string | undefined;
        readonly eTag?: string | undefined;
      }
    | undefined;
}

/**
 * Whether a deployment deploys this very revision: same bucket, key and bundle type, and the same
 * version (when both name one) or else the same ETag. Bucket and key alone never suffice — another
 * object may have been written under the key since.
 */
export function deploysRevision(theirs: ListedRevision | undefined, ours: DeploymentRevision): boolean {
  const location = theirs?.s3Location;
  if (theirs?.revisionType !== 'S3' || location === undefined) return false;
  if (location.bucket !== ours.bucket || location.key !== ours.key || location.bundleType !== ours.bundleType)
    return false;
  if (location.version !== undefined && ours.versionId !== undefined)
    return location.version === ours.versionId;
  return location.eTag !== undefined && sameEtag(location.eTag, ours.etag);
}

/** A CodeDeploy RevisionLocation (API field names), as plain data each side sends with its own client. */
export interface RevisionLocationInput {
  readonly revisionType: 'S3';
  readonly s3Location: {
    readonly bucket: string;
    readonly key: string;
    readonly bundleType: (typeof BUNDLE_TYPES)[number];
    readonly eTag: string;
    readonly version?: string;
  };
}

/**
 * The CodeDeploy revision (RevisionLocation, CodeDeploy API reference) of a replica: S3, the
 * *destination* bucket and key, the bundle type, the ETag (unquoted) and the version when the bucket
 * is versioned.
 */
export function revisionLocationOf(revision: DeploymentRevision): RevisionLocationInput {
  return {
    revisionType: 'S3',
    s3Location: {
      bucket: revision.bucket,
      key: revision.key,
      bundleType: revision.bundleType as (typeof BUNDLE_TYPES)[number],
      eTag: revision.etag,
      ...(revision.versionId === undefined ? {} : { version: revision.versionId }),
    },
  };
}
