import type { S3Client } from '@aws-sdk/client-s3';
import { clientSettingsFromEnv, createS3ClientFactory } from './clients.ts';
import { tracer } from './powertools.ts';

/**
 * The S3 handlers' clients per region, traced, at module scope, configured from the environment.
 * A module of its own so the S3 handlers do not bundle the CodeDeploy client, and vice versa.
 */
export const defaultS3ClientFor = createS3ClientFactory(clientSettingsFromEnv(), (client: S3Client) =>
  tracer.captureAWSv3Client(client),
);
