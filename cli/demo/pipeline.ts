/**
 * `relay demo --pipeline`: the relay as a CodePipeline stage on the embedded local stack. It provisions the
 * demo configuration, deploys the relay (its tasks as their roles, granted the artifact store), and runs a
 * local pipeline — Source → Build (the demo's zip, written SSE-KMS into the artifact store) → Relay (the
 * relay's Lambda invoke action, answering the local CodePipeline through the SDK's CodePipeline client) —
 * printing each stage as it runs and the relay stage's result. `failTarget` makes one target refuse the
 * relay (AccessDenied), to show the failing stage and CodePipeline's message.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../core/config/load.ts';
import {
  artifactStoreGrants,
  createLocalPipelineActionHandler,
  RELAY_PIPELINE_STAGES,
  relayPipelineDefinition,
  runLocalPipeline,
} from '../../local/codepipeline/index.ts';
import { startLocalStack } from '../../local/index.ts';
import { deployRelay } from '../../local/relay.ts';
import { createLocalTaskHandlers } from '../../local/relay-handlers.ts';
import { createBucket, createKmsKey, provisionConfig } from '../local-relay/provision.ts';
import { buildArtifact } from './artifact.ts';
import { withPipelineProgress } from './pipeline-progress.ts';
import { renderPipelineReport } from './pipeline-report.ts';
import {
  DEMO_PIPELINE_NAME,
  DEMO_RELAY_NAMESPACE,
  failTargetFault,
  planPipelineDemo,
} from './pipeline-setup.ts';
import type { DemoOptions } from './run.ts';

/** The relay action's name in the demo pipeline. */
const RELAY_ACTION = 'RelayToRegions';

/** What `relay demo --pipeline` takes: the demo's options, and a target to fail. */
export interface PipelineDemoOptions extends DemoOptions {
  /** A target bucket of the relay rule that refuses every request (AccessDenied). */
  readonly failTarget?: string;
  /**
   * How long one job of the relay action watches the relay before answering with a continuation token.
   * @default 250 ms — short, so the demo shows the action continuing over several jobs
   */
  readonly waitBudgetMs?: number;
}

/** Runs the pipeline demo; resolves with the exit code (0 when the pipeline, relay stage included, succeeded). */
export async function runPipelineDemo(options: PipelineDemoOptions): Promise<number> {
  const started = Date.now();
  const write = options.write;
  const config = await loadConfig(resolve(options.configPath));
  const stack = await startLocalStack({ port: 0, dataDir: options.dataDir, timeScale: options.timeScale });
  try {
    const plan = planPipelineDemo(config, stack.accountId);
    const fault = options.failTarget === undefined ? undefined : failTargetFault(plan, options.failTarget);
    write(`Local stack on ${stack.endpoint} (data in ${options.dataDir})\n`);
    await provisionConfig(stack.endpoint, plan.config, stack.accountId);
    await createKmsKey(stack.endpoint, plan.store.kmsKeyArn);
    await createBucket(stack.endpoint, plan.store.bucket, plan.store.region);
    const relay = await deployRelay(stack, {
      config: plan.config,
      handlers: createLocalTaskHandlers(stack, plan.config, {
        asRoles: true,
        adjustPolicy: artifactStoreGrants(plan.store),
      }),
    });
    write(`Relay deployed: ${relay.stateMachineArn}\n`);
    write(`Artifact store: s3://${plan.store.bucket} (SSE-KMS with ${plan.store.kmsKeyArn})\n`);
    if (fault !== undefined) {
      stack.faults.add(fault);
      write(`Failing target: every request to s3://${fault.bucket} is refused with AccessDenied\n`);
    }

    const handler = createLocalPipelineActionHandler(stack, {
      stateMachineArn: relay.stateMachineArn,
      region: plan.region,
      asRoles: true,
      waitBudgetMs: options.waitBudgetMs ?? 250,
    });
    const definition = relayPipelineDefinition({
      name: DEMO_PIPELINE_NAME,
      artifactStore: plan.store,
      source: async () => `source of ${DEMO_PIPELINE_NAME} at ${new Date().toISOString()}\n`,
      // The "build": the demo's deployable zip (appspec.yml, a start script, a small site).
      build: async () => (await buildArtifact()).bytes,
      relay: {
        handler,
        actionName: RELAY_ACTION,
        namespace: DEMO_RELAY_NAMESPACE,
        parameters: { rule: plan.rule, destinationKey: plan.destinationKey },
      },
    });
    write(
      `\nPipeline ${DEMO_PIPELINE_NAME} in ${plan.region}: ${Object.values(RELAY_PIPELINE_STAGES).join(' → ')} (rule ${plan.rule}, key ${plan.destinationKey})\n`,
    );
    const run = await runLocalPipeline(stack, withPipelineProgress(definition, write));
    const relayStage = {
      stage: RELAY_PIPELINE_STAGES.relay,
      action: RELAY_ACTION,
      namespace: DEMO_RELAY_NAMESPACE,
    };
    write(
      renderPipelineReport({
        run,
        relay: relayStage,
        elapsedMs: Date.now() - started,
        dataDir: options.dataDir,
      }),
    );
    const executionArn = run.actions.find((a) => a.action === RELAY_ACTION)?.externalExecutionId;
    if (executionArn !== undefined) {
      await options.hold?.({
        endpoint: stack.endpoint,
        stateMachineArn: relay.stateMachineArn,
        executionArn,
      });
    }
    return run.status === 'Succeeded' ? 0 : 1;
  } finally {
    await stack.stop();
  }
}
