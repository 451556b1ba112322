import type { DeploymentInfo, RevisionLocation } from '@aws-sdk/client-codedeploy';
import { deploysRevision as sameRevision } from '../../core/deployment/find.ts';
import type { DeploymentRevision } from '../../core/deployment/ports.ts';

/**
 * The CodeDeploy revision (RevisionLocation, CodeDeploy API reference) of a replica: S3, the
 * *destination* bucket and key, the bundle type, the ETag (unquoted) and the version when the bucket
 * is versioned.
 */
export function revisionLocation(revision: DeploymentRevision): RevisionLocation {
  return {
    revisionType: 'S3',
    s3Location: {
      bucket: revision.bucket,
      key: revision.key,
      bundleType: revision.bundleType as NonNullable<RevisionLocation['s3Location']>['bundleType'],
      eTag: revision.etag,
      ...(revision.versionId === undefined ? {} : { version: revision.versionId }),
    },
  };
}

/** Whether a deployment deploys this very revision (core/deployment/find.ts). */
export function deploysRevision(deployment: DeploymentInfo, revision: DeploymentRevision): boolean {
  return sameRevision(deployment.revision, revision);
}
