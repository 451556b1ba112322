import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SFNClient } from '@aws-sdk/client-sfn';
import { clientSettingsFromEnv } from '../shared/clients.ts';
import { createLambdaHandler } from '../shared/lambda-handler.ts';
import { logger, metrics, tracer } from '../shared/powertools.ts';
import {
  failMisconfiguredJob,
  type PipelineActionDeps,
  type PipelineActionLog,
  runPipelineAction,
} from './action.ts';
import { relayStateMachineArnFromEnv } from './env.ts';

/**
 * The pipeline action Lambda: the relay state machine from `RELAY_STATE_MACHINE_ARN`, clients at module
 * scope (Step Functions in the state machine's region, CodePipeline in the function's own). A function
 * deployed without a usable state machine ARN fails each job with a configuration error instead of
 * leaving it to time out.
 */
const region = process.env.AWS_REGION ?? 'us-east-1';
const settings = clientSettingsFromEnv();
const endpoint = settings.endpoint === undefined ? {} : { endpoint: settings.endpoint };
const codePipeline = tracer.captureAWSv3Client(new CodePipelineClient({ region, ...endpoint }));
const log: PipelineActionLog = {
  info: (message, details) => logger.info(message, details ?? {}),
  warn: (message, details) => logger.warn(message, details ?? {}),
  error: (message, details) => logger.error(message, details ?? {}),
};

let deps: PipelineActionDeps | undefined;

/** The action's dependencies, built once per container. */
function depsFromEnv(): PipelineActionDeps {
  if (deps === undefined) {
    const stateMachineArn = relayStateMachineArnFromEnv();
    const sfn = tracer.captureAWSv3Client(
      new SFNClient({ region: stateMachineArn.split(':')[3] ?? region, ...endpoint }),
    );
    deps = { sfn, codePipeline, stateMachineArn, region, log };
  }
  return deps;
}

export const handler = createLambdaHandler(
  'pipeline-action',
  async (event, options = {}) => {
    let resolved: PipelineActionDeps;
    try {
      resolved = depsFromEnv();
    } catch (problem) {
      return failMisconfiguredJob(event, codePipeline, problem, log, options.signal);
    }
    return runPipelineAction(event, resolved, options);
  },
  {
    recordResult: (outcome) => metrics.addMetric(`PipelineAction.${outcome.result}`, MetricUnit.Count, 1),
  },
);
