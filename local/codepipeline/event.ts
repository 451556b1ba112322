/**
 * The job event the local CodePipeline sends a Lambda invoke action, in the documented shape (CodePipeline
 * User Guide, "Invoke an AWS Lambda function in a pipeline", example JSON event) — built from
 * core/pipeline's schema member names, so the local event and the parser cannot drift.
 */
import { randomBytes } from 'node:crypto';
import { JOB_EVENT_MEMBER } from '../../core/pipeline/job.ts';

/** An artifact the job reads: its name and S3 location. */
export interface JobArtifact {
  readonly name: string;
  readonly bucket: string;
  readonly key: string;
}

/** What the event is built from. */
export interface JobEventInput {
  readonly jobId: string;
  readonly accountId: string;
  readonly functionName: string;
  readonly userParameters?: string;
  readonly inputArtifacts: readonly JobArtifact[];
  readonly continuationToken?: string;
  /** The artifact store's KMS key, when it has one. */
  readonly encryptionKeyId?: string;
}

/**
 * The job event. The artifact credentials are placeholders: the local stack hands out no session
 * credentials (the relay never uses them — its own roles read the artifact).
 */
export function jobEvent(input: JobEventInput): Record<string, unknown> {
  return {
    [JOB_EVENT_MEMBER]: {
      id: input.jobId,
      accountId: input.accountId,
      data: {
        actionConfiguration: {
          configuration: {
            FunctionName: input.functionName,
            ...(input.userParameters === undefined ? {} : { UserParameters: input.userParameters }),
          },
        },
        inputArtifacts: input.inputArtifacts.map((artifact) => ({
          location: { s3Location: { bucketName: artifact.bucket, objectKey: artifact.key }, type: 'S3' },
          revision: null,
          name: artifact.name,
        })),
        outputArtifacts: [],
        artifactCredentials: {
          accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
          secretAccessKey: randomBytes(30).toString('base64'),
          sessionToken: randomBytes(48).toString('base64'),
        },
        ...(input.continuationToken === undefined ? {} : { continuationToken: input.continuationToken }),
        ...(input.encryptionKeyId === undefined
          ? {}
          : { encryptionKey: { id: input.encryptionKeyId, type: 'KMS' } }),
      },
    },
  };
}
