/**
 * A pipeline around the relay on the local stack: the relay deployed by the workflow harness (its tasks
 * as their roles, granted the pipeline's artifact store as core/permissions plans it), the pipeline action
 * as its own role, and a local pipeline — Source (puts the source object into the artifact store), Build
 * (a deployable zip, SSE-KMS with the store's key) and Relay (the Lambda invoke action).
 */
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import {
  artifactStoreGrants,
  createLocalPipelineActionHandler,
  type LocalPipelineActionOptions,
  LocalPipelineRunner,
  relayPipelineDefinition,
} from '../../../local/codepipeline/index.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { signHeaders } from '../../helpers/sigv4-sign.ts';
import type { Relay, WorkflowHarness } from '../workflow/harness.ts';

export const PIPELINE_REGION = 'us-west-2';

/** The buckets and names of one pipeline test. */
export interface PipelineSetup {
  readonly relay: Relay;
  readonly runner: LocalPipelineRunner;
  readonly store: string;
  readonly storeKey: string;
  readonly seoul: string;
  readonly frankfurt: string;
  /** Seoul's CodeDeploy application and deployment group. */
  readonly application: string;
  readonly deploymentGroup: string;
  readonly pipelineName: string;
  /** The bytes the build produced. */
  readonly bundle: Buffer;
  /** Every execution of the relay's state machine. */
  executions(): Promise<string[]>;
}

/** Deploys a relay with a `web-bundles` rule (Seoul deploying, Frankfurt) and a pipeline that relays its build. */
export async function setUpPipeline(
  h: WorkflowHarness,
  prefix: string,
  action: Partial<Pick<LocalPipelineActionOptions, 'waitBudgetMs'>> = {},
  parameters: { readonly rule?: string; readonly destinationKey?: string } = {},
): Promise<PipelineSetup> {
  const storeBucket = h.name(`${prefix}-store`);
  const storeKey = `arn:aws:kms:${PIPELINE_REGION}:${h.stack.accountId}:key/${h.name(`${prefix}-key`)}`;
  const store = { bucket: storeBucket, region: PIPELINE_REGION, kmsKeyArn: storeKey };
  const source = h.name(`${prefix}-src`);
  const seoul = h.name(`${prefix}-seoul`);
  const frankfurt = h.name(`${prefix}-frankfurt`);
  await h.stack.createKmsKey(storeKey);
  await h.bucket(storeBucket, PIPELINE_REGION);
  await h.bucket(source, PIPELINE_REGION);
  await h.bucket(seoul, 'ap-northeast-2');
  await h.bucket(frankfurt, 'eu-central-1');
  const application = h.name(`${prefix}-web`);
  const deploymentGroup = h.name(`${prefix}-prod`);
  await h.deploymentGroup('ap-northeast-2', application, deploymentGroup);
  const relay = await h.deploy(
    {
      sources: [
        {
          bucket: source,
          region: PIPELINE_REGION,
          rules: [
            {
              name: 'web-bundles',
              prefix: 'build_artifacts/',
              suffix: '.zip',
              targets: [
                {
                  bucket: seoul,
                  region: 'ap-northeast-2',
                  deploy: { application, deploymentGroup, bundleType: 'zip' },
                },
                { bucket: frankfurt, region: 'eu-central-1' },
              ],
            },
          ],
        },
      ],
    },
    {
      handlers: {
        adjustPolicy: artifactStoreGrants(store),
      },
    },
  );
  const pipelineName = h.name(`${prefix}-release`);
  const bundle = await zipWithAppspec({ 'index.html': `<h1>${prefix}</h1>` });
  const handler = createLocalPipelineActionHandler(h.stack, {
    stateMachineArn: relay.deployed.stateMachineArn,
    region: PIPELINE_REGION,
    asRoles: true,
    pollIntervalMs: 20,
    ...action,
  });
  const definition = relayPipelineDefinition({
    name: pipelineName,
    artifactStore: store,
    source: async () => 'source tree',
    build: async () => bundle,
    relay: {
      handler,
      parameters: {
        rule: 'web-bundles',
        destinationKey: 'build_artifacts/{pipeline}/{pipelineExecutionId}.zip',
        ...parameters,
      },
    },
  });
  const runner = new LocalPipelineRunner(h.stack, definition, { continuationDelayMs: 10 });
  return {
    relay,
    runner,
    store: storeBucket,
    storeKey,
    seoul,
    frankfurt,
    application,
    deploymentGroup,
    pipelineName,
    bundle,
    async executions() {
      const listed = await h
        .sfn(relay.deployed.region)
        .send(new ListExecutionsCommand({ stateMachineArn: relay.deployed.stateMachineArn }));
      return (listed.executions ?? []).map((e) => e.executionArn ?? '');
    },
  };
}

/** A CodePipeline API call through the stack's endpoint, signed with the test key pair. */
export async function codePipelineCall(
  endpoint: string,
  operation: string,
  input: object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(endpoint);
  const body = JSON.stringify(input);
  const headers = await signHeaders({
    method: 'POST',
    path: '/',
    service: 'codepipeline',
    region: PIPELINE_REGION,
    body,
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `CodePipeline_20150709.${operation}`,
    },
  });
  const response = await fetch(endpoint, { method: 'POST', headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
