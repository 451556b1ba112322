import type { DeploymentInfo, RevisionLocation } from '@aws-sdk/client-codedeploy';
import type { DeployConfig } from '../../core/config/schema.ts';
import { sameEtag } from '../../core/etag.ts';
import type { Replica } from '../../core/workflow.ts';

/**
 * The CodeDeploy revision of a replica: S3, the *destination* bucket and key, the bundle type,
 * the ETag (unquoted) and the version when the bucket is versioned.
 */
export function revisionOf(replica: Replica, deploy: DeployConfig): RevisionLocation {
  return {
    revisionType: 'S3',
    s3Location: {
      bucket: replica.bucket,
      key: replica.key,
      bundleType: deploy.bundleType,
      eTag: replica.etag,
      ...(replica.versionId === undefined ? {} : { version: replica.versionId }),
    },
  };
}

/**
 * Whether a deployment deploys this very revision: same bucket, key and bundle type, and the same
 * version (when both name one) or else the same ETag. Bucket and key alone never suffice — another
 * object may have been written under the key since.
 */
export function deploysRevision(deployment: DeploymentInfo, revision: RevisionLocation): boolean {
  const theirs = deployment.revision?.s3Location;
  const ours = revision.s3Location;
  if (deployment.revision?.revisionType !== 'S3' || theirs === undefined || ours === undefined) return false;
  if (theirs.bucket !== ours.bucket || theirs.key !== ours.key || theirs.bundleType !== ours.bundleType)
    return false;
  if (theirs.version !== undefined && ours.version !== undefined) return theirs.version === ours.version;
  return theirs.eTag !== undefined && ours.eTag !== undefined && sameEtag(theirs.eTag, ours.eTag);
}
