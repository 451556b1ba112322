import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { clientSettingsFromEnv, createCodeDeployClientFactory } from './clients.ts';

import { tracer } from './powertools.ts';

/**
 * The deployment handlers' CodeDeploy clients per region, traced, at module scope, configured from the
 * environment. A module of its own so these handlers do not bundle the S3 client, and vice versa.
 */
export const defaultCodeDeployClientFor = createCodeDeployClientFactory(
  clientSettingsFromEnv(),
  (client: CodeDeployClient) => tracer.captureAWSv3Client(client),
);
