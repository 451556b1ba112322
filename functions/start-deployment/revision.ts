import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { deploysRevision as sameRevision } from '../../core/deployment/find.ts';
import type { DeploymentRevision } from '../../core/deployment/ports.ts';

/** Whether a deployment deploys this very revision (core/deployment/find.ts). */
export function deploysRevision(deployment: DeploymentInfo, revision: DeploymentRevision): boolean {
  return sameRevision(deployment.revision, revision);
}
