import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ArtifactRelay } from '../../infra/artifact-relay.ts';
import { readRelayConfig } from '../../infra/config-input.ts';
import { acknowledge } from '../../infra/nag.ts';
import { bucketRef, ReleasePipelineStack } from './release-pipeline-stack.ts';

/**
 * The example app: two stacks in the region of the relay configuration's source —
 * `ArtifactRelayPipelineExample-Relay` (the relay, and the versioned source bucket the configuration
 * names, created before the relay switches its EventBridge notifications on) and
 * `ArtifactRelayPipelineExample-Pipeline` (S3 source → CodeBuild → the relay action). cdk-nag's AWS
 * Solutions rules check both at every synth.
 */

/** The example's relay configuration. */
export const EXAMPLE_PIPELINE_CONFIG = fileURLToPath(new URL('./relay.config.json', import.meta.url));

/** The repository's `cdk.json`: the example uses the same feature flags as the relay's own app. */
const ROOT_CDK_JSON = fileURLToPath(new URL('../../cdk.json', import.meta.url));

/** Options of {@link createPipelineExampleApp}. */
export interface PipelineExampleOptions {
  /**
   * Extra context (`-c key=value`): `config` (another relay configuration file), `alarmEmail`.
   *
   * @default - none
   */
  readonly context?: Record<string, unknown>;
  /**
   * The account to deploy to.
   *
   * @default process.env.CDK_DEFAULT_ACCOUNT
   */
  readonly account?: string;
  /**
   * Where the cloud assembly is written.
   *
   * @default - the CLI's output folder, or a temporary one
   */
  readonly outdir?: string;
}

/** The example app and its stacks. */
export interface PipelineExampleApp {
  readonly app: App;
  readonly relayStack: Stack;
  readonly relay: ArtifactRelay;
  readonly pipelineStack: ReleasePipelineStack;
}

function rootContext(): Record<string, unknown> {
  const parsed = JSON.parse(readFileSync(ROOT_CDK_JSON, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

/** Builds the example app (not yet synthesized). */
export function createPipelineExampleApp(options: PipelineExampleOptions = {}): PipelineExampleApp {
  const app = new App({
    context: { ...rootContext(), ...options.context },
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  const configured: unknown = app.node.tryGetContext('config');
  const configPath =
    typeof configured === 'string' && configured !== '' ? configured : EXAMPLE_PIPELINE_CONFIG;
  const { config } = readRelayConfig(configPath);
  const source = config.sources[0];
  if (source === undefined) throw new Error(`${configPath} names no source`);
  const account = options.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  const env = { region: source.region, ...(account === undefined ? {} : { account }) };

  const relayStack = new Stack(app, 'ArtifactRelayPipelineExample-Relay', {
    env,
    description: 'artifact-relay example: the relay and the source bucket of the example pipeline',
  });
  const sourceBucket = new Bucket(relayStack, 'SourceBucket', {
    bucketName: source.bucket,
    versioned: true,
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledge(
    sourceBucket,
    'AwsSolutions-S1',
    'Example source bucket: uploads are recorded as the pipeline executions they start; point serverAccessLogsBucket at your log bucket for a real one.',
  );
  const alarmEmail: unknown = app.node.tryGetContext('alarmEmail');
  const relay = new ArtifactRelay(relayStack, 'Relay', {
    config: configPath,
    ...(typeof alarmEmail === 'string' && alarmEmail !== ''
      ? { alarmNotifications: { email: alarmEmail } }
      : {}),
  });
  // The relay switches the source bucket's EventBridge notifications on: the bucket must exist first.
  relay.node.addDependency(sourceBucket);

  const pipelineStack = new ReleasePipelineStack(app, 'ArtifactRelayPipelineExample-Pipeline', {
    env,
    relay,
    sourceBucket: bucketRef(sourceBucket),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, relayStack, relay, pipelineStack };
}
