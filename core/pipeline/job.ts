import * as z from 'zod/mini';
import '../schema-locale.ts';
import { InvalidInput } from '../errors.ts';
import { describeIssues } from './issues.ts';
import { JOB_ID_PATTERN } from './limits.ts';

/**
 * The job event CodePipeline sends a Lambda invoke action, in the shape the CodePipeline User Guide
 * documents ("Invoke an AWS Lambda function in a pipeline", example JSON event): `CodePipeline.job`
 * with the job `id`, the `accountId` and `data` — the action's configuration (`FunctionName`,
 * `UserParameters`), the input and output artifacts' S3 locations, temporary `artifactCredentials`,
 * the artifact store's `encryptionKey`, and the `continuationToken` the previous invocation returned.
 * The pipeline context (`pipelineContext`, as GetJobDetails returns it) is read where present.
 *
 * Like every AWS event, members are added over time: unknown members are ignored. The artifact
 * credentials are never kept — the relay's own roles read the artifact — so nothing can log them (the
 * User Guide warns against logging the event for this reason).
 */

/** The top-level member that holds the job. */
export const JOB_EVENT_MEMBER = 'CodePipeline.job';

const nonEmpty = z.string().check(z.minLength(1));

const s3LocationSchema = z.object({ bucketName: nonEmpty, objectKey: nonEmpty });

/** An input or output artifact of the job. */
export const jobArtifactSchema = z.object({
  name: nonEmpty,
  revision: z.nullish(z.string()),
  location: z.object({ type: z.string(), s3Location: s3LocationSchema }),
});

/** The pipeline context of a job (GetJobDetails' `pipelineContext`), when the event carries one. */
export const pipelineContextSchema = z.object({
  pipelineName: z.optional(nonEmpty),
  stage: z.optional(z.partial(z.object({ name: nonEmpty }))),
  action: z.optional(z.partial(z.object({ name: nonEmpty, actionExecutionId: nonEmpty }))),
  pipelineArn: z.optional(nonEmpty),
  pipelineExecutionId: z.optional(nonEmpty),
});

/** The documented job event. */
export const pipelineJobEventSchema = z.object({
  [JOB_EVENT_MEMBER]: z.object({
    id: z.string().check(z.regex(JOB_ID_PATTERN, { message: 'a CodePipeline job id is a UUID' })),
    accountId: z.string().check(z.regex(/^\d{12}$/, { message: 'an account id is 12 digits' })),
    data: z.object({
      actionConfiguration: z.object({
        configuration: z.object({
          FunctionName: nonEmpty,
          UserParameters: z.optional(z.string()),
        }),
      }),
      inputArtifacts: z.array(jobArtifactSchema),
      outputArtifacts: z.optional(z.array(jobArtifactSchema)),
      artifactCredentials: z.optional(z.unknown()),
      encryptionKey: z.optional(z.object({ id: nonEmpty, type: nonEmpty })),
      continuationToken: z.optional(nonEmpty),
      pipelineContext: z.optional(pipelineContextSchema),
    }),
  }),
});

/** An artifact's S3 location. */
export interface ArtifactLocation {
  readonly bucket: string;
  readonly key: string;
}

/** The job, as the action uses it (no credentials). */
export interface PipelineJob {
  readonly id: string;
  readonly accountId: string;
  readonly functionName: string;
  /** The raw `UserParameters` string, if the action sets one. */
  readonly userParameters?: string;
  /** The input artifacts, in the order the action declares them. */
  readonly inputArtifacts: ReadonlyArray<{ readonly name: string } & ArtifactLocation>;
  /** The artifact store's key (`encryptionKey.id`), when the pipeline names one. */
  readonly encryptionKeyId?: string;
  /** Set on every invocation after one that answered with a continuation token. */
  readonly continuationToken?: string;
  readonly pipelineContext?: z.infer<typeof pipelineContextSchema>;
}

/** The job id of an event, when it has a usable one — to report a failure for an event that is otherwise broken. */
export function jobIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const job = (event as Record<string, unknown>)[JOB_EVENT_MEMBER];
  if (typeof job !== 'object' || job === null) return undefined;
  const id = (job as Record<string, unknown>).id;
  return typeof id === 'string' && JOB_ID_PATTERN.test(id) ? id : undefined;
}

/**
 * Reads the job event.
 *
 * @throws InvalidInput naming every missing or malformed member
 */
export function parsePipelineJob(event: unknown): PipelineJob {
  const parsed = pipelineJobEventSchema.safeParse(event, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidInput(
      `The event is not a CodePipeline Lambda invoke job: ${describeIssues(parsed.error, '')}`,
      { cause: parsed.error },
    );
  }
  const job = parsed.data[JOB_EVENT_MEMBER];
  const { configuration } = job.data.actionConfiguration;
  return {
    id: job.id,
    accountId: job.accountId,
    functionName: configuration.FunctionName,
    ...(configuration.UserParameters === undefined ? {} : { userParameters: configuration.UserParameters }),
    inputArtifacts: job.data.inputArtifacts.map((artifact) => ({
      name: artifact.name,
      bucket: artifact.location.s3Location.bucketName,
      key: artifact.location.s3Location.objectKey,
    })),
    ...(job.data.encryptionKey === undefined ? {} : { encryptionKeyId: job.data.encryptionKey.id }),
    ...(job.data.continuationToken === undefined ? {} : { continuationToken: job.data.continuationToken }),
    ...(job.data.pipelineContext === undefined ? {} : { pipelineContext: job.data.pipelineContext }),
  };
}
