import { Stack } from 'aws-cdk-lib';
import type { PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import type { Pipeline } from 'aws-cdk-lib/aws-codepipeline';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from '../../infra/nag.ts';

/**
 * The example pipeline stack's cdk-nag acknowledgements, each with its reason. All of them answer
 * aws-cdk-lib's own grants for a pipeline (its artifact store, CodeBuild's logs and reports); the relay
 * action acknowledges the wildcards of its own grants itself.
 */

/** The constructs of the example pipeline stack whose findings are acknowledged. */
export interface PipelineFindings {
  readonly accessLogs: Bucket;
  readonly artifactBucket: Bucket;
  readonly pipeline: Pipeline;
  readonly project: PipelineProject;
}

/** The wildcard actions aws-cdk-lib's artifact-store grants (Bucket.grantReadWrite, Key.grantEncryptDecrypt) use. */
const ARTIFACT_STORE_ACTIONS = [
  's3:GetObject*',
  's3:GetBucket*',
  's3:List*',
  's3:DeleteObject*',
  's3:Abort*',
  'kms:GenerateDataKey*',
  'kms:ReEncrypt*',
] as const;

const ARTIFACT_STORE_REASON =
  "aws-cdk-lib's grants on the pipeline's artifact store (Bucket.grantReadWrite, Key.grantEncryptDecrypt) for the pipeline, its source action and CodeBuild: CodePipeline names each artifact object per execution, so the grant covers this pipeline's own artifact bucket and key only.";

function acknowledgeArtifactStore(scope: IConstruct, artifactBucket: Bucket): void {
  for (const action of ARTIFACT_STORE_ACTIONS) {
    acknowledge(scope, `AwsSolutions-IAM5[Action::${action}]`, ARTIFACT_STORE_REASON);
  }
  acknowledge(scope, wildcardResourceFinding(scope, `${artifactBucket.bucketArn}/*`), ARTIFACT_STORE_REASON);
}

/** Acknowledges the example pipeline stack's findings. */
export function acknowledgePipelineFindings(found: PipelineFindings): void {
  acknowledge(
    found.accessLogs,
    'AwsSolutions-S1',
    "This bucket receives the artifact bucket's server access logs; logging the log bucket itself would only log the log deliveries.",
  );
  acknowledgeArtifactStore(found.pipeline, found.artifactBucket);
  acknowledgeArtifactStore(found.project, found.artifactBucket);
  const { partition, region, account } = Stack.of(found.project);
  const projectName = found.project.projectName;
  acknowledge(
    found.project,
    wildcardResourceFinding(
      found.project,
      `arn:${partition}:logs:${region}:${account}:log-group:/aws/codebuild/${projectName}:*`,
    ),
    "aws-cdk-lib grants a CodeBuild project its default log group's streams (/aws/codebuild/<project>:*), whose names CodeBuild generates per build.",
  );
  acknowledge(
    found.project,
    wildcardResourceFinding(
      found.project,
      `arn:${partition}:codebuild:${region}:${account}:report-group/${projectName}-*`,
    ),
    'aws-cdk-lib grants a CodeBuild project the test report groups named after it (<project>-*), which CodeBuild creates when a build reports.',
  );
}
