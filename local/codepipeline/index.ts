/**
 * The local CodePipeline: the API a Lambda invoke action touches (service.ts), the job event it receives
 * (event.ts), the relay's pipeline action as a local handler (action-handler.ts) and a small pipeline
 * runner (runner.ts) — what `relay demo --pipeline` builds on.
 */
export {
  createLocalPipelineActionHandler,
  type LocalPipelineActionHandler,
  type LocalPipelineActionOptions,
} from './action-handler.ts';
export { type JobArtifact, jobEvent } from './event.ts';
export {
  artifactStoreGrants,
  RELAY_PIPELINE_STAGES,
  type RelayPipelineOptions,
  relayPipelineDefinition,
} from './relay-pipeline.ts';
export {
  InvalidLocalPipeline,
  type LocalActionOutcome,
  type LocalArtifactStore,
  type LocalBuildAction,
  type LocalInvokeAction,
  type LocalPipelineAction,
  type LocalPipelineDefinition,
  type LocalPipelineRun,
  LocalPipelineRunner,
  type LocalPipelineRunOptions,
  type LocalSourceAction,
  runLocalPipeline,
} from './runner.ts';
export { CodePipelineService, type JobPlacement, type PipelineDeclaration } from './service.ts';
