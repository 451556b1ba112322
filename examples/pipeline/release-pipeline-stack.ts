import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxArmBuildImage, PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import { Artifact, Pipeline, PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { CodeBuildAction, S3SourceAction, S3Trigger } from 'aws-cdk-lib/aws-codepipeline-actions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { CodePipeline as PipelineTarget } from 'aws-cdk-lib/aws-events-targets';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { ArtifactRelay } from '../../infra/artifact-relay.ts';
import type { RelayPipelineAction } from '../../infra/pipeline-action.ts';
import { acknowledgePipelineFindings } from './nag.ts';

/** Properties of {@link ReleasePipelineStack}. */
export interface ReleasePipelineStackProps extends StackProps {
  /** The relay whose action the pipeline's last stage runs. */
  readonly relay: ArtifactRelay;
  /** The versioned bucket the pipeline's source is uploaded to. */
  readonly sourceBucket: IBucket;
  /**
   * The key of the source object the pipeline builds.
   *
   * @default 'source/app.zip'
   */
  readonly sourceKey?: string;
  /**
   * The pipeline's name (the destination key uses it as `{pipeline}`).
   *
   * @default 'artifact-relay-example'
   */
  readonly pipelineName?: string;
}

/**
 * A bucket as `IBucket`: aws-cdk-lib's `Bucket` declares `isWebsite` as `boolean | undefined`, which
 * `IBucket` does not accept under this project's `exactOptionalPropertyTypes`.
 */
export function bucketRef(bucket: Bucket): IBucket {
  return bucket as IBucket;
}

/** The default source object key. */
export const DEFAULT_SOURCE_KEY = 'source/app.zip';

/** The default pipeline name. */
export const DEFAULT_PIPELINE_NAME = 'artifact-relay-example';

/**
 * What the build produces: a CodeDeploy bundle (appspec.yml at the root, the site, a hook script).
 * CodePipeline stores the output artifact as a zip of these files — the zip the relay copies.
 */
const BUILD_SPEC = {
  version: '0.2',
  phases: {
    build: {
      commands: [
        // Assembled outside the source tree, then moved in as bundle/ (the artifact's base directory).
        'B=$(mktemp -d) && mkdir -p "$B/site" "$B/scripts" && cp -r . "$B/site/"' +
          ' && printf "<p>built by %s</p>\\n" "$CODEBUILD_BUILD_ID" >> "$B/site/index.html"' +
          ' && printf "#!/bin/sh\\nexit 0\\n" > "$B/scripts/validate.sh" && chmod +x "$B/scripts/validate.sh"' +
          ' && printf "version: 0.0\\nos: linux\\nfiles:\\n  - source: site\\n    destination: /var/www/html\\nhooks:\\n  ValidateService:\\n    - location: scripts/validate.sh\\n" > "$B/appspec.yml"' +
          ' && mv "$B" bundle',
      ],
    },
  },
  artifacts: { 'base-directory': 'bundle', files: ['**/*'] },
};

/**
 * The example release pipeline: an S3 source (a versioned bucket; EventBridge starts the pipeline when
 * the source object is uploaded) → CodeBuild producing the bundle → the relay, which copies the build
 * output out of the KMS-encrypted artifact bucket to the rule's targets in other regions, verifies and
 * deploys it, and fails the stage when a target fails.
 */
export class ReleasePipelineStack extends Stack {
  /** The pipeline. */
  readonly pipeline: Pipeline;
  /** The relay action of the `Relay` stage. */
  readonly relayAction: RelayPipelineAction;

  constructor(scope: Construct, id: string, props: ReleasePipelineStackProps) {
    super(scope, id, {
      description: 'artifact-relay example: S3 source -> CodeBuild -> relay to other regions',
      ...props,
    });
    const sourceKey = props.sourceKey ?? DEFAULT_SOURCE_KEY;

    // The artifact store, encrypted with the pipeline's own KMS key: exactly what makes the build
    // output unreadable in other regions without re-encryption.
    const artifactKey = new Key(this, 'ArtifactKey', {
      description: 'artifact-relay example: the pipeline artifact store key',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const artifactBucket = new Bucket(this, 'Artifacts', {
      encryption: BucketEncryption.KMS,
      encryptionKey: artifactKey,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: bucketRef(accessLogs),
      serverAccessLogsPrefix: 'artifacts/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const project = new PipelineProject(this, 'Build', {
      description: 'artifact-relay example: builds the CodeDeploy bundle',
      buildSpec: BuildSpec.fromObject(BUILD_SPEC),
      environment: {
        buildImage: LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
        computeType: ComputeType.SMALL,
      },
      encryptionKey: artifactKey,
      timeout: Duration.minutes(15),
      logging: {
        cloudWatch: { logGroup: new LogGroup(this, 'BuildLogs', { retention: RetentionDays.ONE_MONTH }) },
      },
    });

    const source = new Artifact('Source');
    const build = new Artifact('Build');
    this.relayAction = props.relay.pipelineAction({
      actionName: 'RelayToRegions',
      input: build,
      rule: 'web-bundles',
      destinationKey: 'releases/{pipeline}/{pipelineExecutionId}.zip',
      bundleType: 'zip',
      variablesNamespace: 'Relay',
    });
    this.pipeline = new Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName ?? DEFAULT_PIPELINE_NAME,
      pipelineType: PipelineType.V2,
      artifactBucket: bucketRef(artifactBucket),
      restartExecutionOnUpdate: false,
      stages: [
        {
          stageName: 'Source',
          actions: [
            new S3SourceAction({
              actionName: 'Source',
              bucket: props.sourceBucket,
              bucketKey: sourceKey,
              output: source,
              // Started by the EventBridge rule below (S3 sends the bucket's events to EventBridge).
              trigger: S3Trigger.NONE,
            }),
          ],
        },
        {
          stageName: 'Build',
          actions: [new CodeBuildAction({ actionName: 'Build', project, input: source, outputs: [build] })],
        },
        { stageName: 'Relay', actions: [this.relayAction] },
      ],
    });

    new Rule(this, 'StartOnUpload', {
      description: 'artifact-relay example: start the pipeline when the source object is uploaded',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [props.sourceBucket.bucketName] }, object: { key: [sourceKey] } },
      },
      targets: [new PipelineTarget(this.pipeline)],
    });

    acknowledgePipelineFindings({ accessLogs, artifactBucket, pipeline: this.pipeline, project });
  }
}
