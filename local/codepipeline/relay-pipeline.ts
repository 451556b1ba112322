/**
 * The pipeline of the third figure, for the local stack: Source → Build → Relay. The source action
 * puts the source into the artifact store, the build turns it into the deployable artifact (SSE-KMS with
 * the store's key when it has one), and the relay stage is the relay's Lambda invoke action. With the task
 * roles on, {@link artifactStoreGrants} gives the relay's tasks what they need of the store — what an
 * `relay demo --pipeline` and the integration tests both build on.
 */
import {
  type PlannedRole,
  type PlannedStatement,
  planPipelineArtifactPermissions,
} from '../../core/permissions/plan.ts';
import { relayUserParameters, type UserParameters } from '../../core/pipeline/user-parameters.ts';
import type { LocalPipelineActionHandler } from './action-handler.ts';
import type { LocalArtifactStore, LocalPipelineDefinition } from './runner.ts';

/** What the relay pipeline is made of. */
export interface RelayPipelineOptions {
  readonly name: string;
  readonly artifactStore: LocalArtifactStore;
  /** The source bytes (the source action's output). */
  readonly source: () => Promise<Buffer | string>;
  /** The build: the source bytes in, the artifact to relay out. */
  readonly build: (source: Buffer) => Promise<Buffer | string>;
  readonly relay: {
    readonly handler: LocalPipelineActionHandler;
    /** `UserParameters` besides the names this function fills (pipeline, stage, action, execution id). */
    readonly parameters: Pick<UserParameters, 'rule' | 'destinationKey'> & Partial<UserParameters>;
    /** @default 'RelayToRegions' */
    readonly actionName?: string;
    /** @default 'RelayVariables' */
    readonly namespace?: string;
  };
}

/** The stage names of the relay pipeline. */
export const RELAY_PIPELINE_STAGES = { source: 'Source', build: 'Build', relay: 'Relay' } as const;

/** The Source → Build → Relay pipeline. */
export function relayPipelineDefinition(options: RelayPipelineOptions): LocalPipelineDefinition {
  const actionName = options.relay.actionName ?? 'RelayToRegions';
  return {
    name: options.name,
    artifactStore: options.artifactStore,
    stages: [
      {
        name: RELAY_PIPELINE_STAGES.source,
        actions: [
          { kind: 'source', name: 'Source', outputArtifact: 'SourceOutput', produce: options.source },
        ],
      },
      {
        name: RELAY_PIPELINE_STAGES.build,
        actions: [
          {
            kind: 'build',
            name: 'Build',
            inputArtifacts: ['SourceOutput'],
            outputArtifact: 'BuildOutput',
            build: async (inputs) => options.build(inputs.SourceOutput ?? Buffer.alloc(0)),
          },
        ],
      },
      {
        name: RELAY_PIPELINE_STAGES.relay,
        actions: [
          {
            kind: 'invoke',
            name: actionName,
            namespace: options.relay.namespace ?? 'RelayVariables',
            inputArtifacts: ['BuildOutput'],
            functionName: 'artifact-relay-pipeline-action',
            userParameters: relayUserParameters({
              pipeline: options.name,
              stage: RELAY_PIPELINE_STAGES.relay,
              actionName,
              ...options.relay.parameters,
            }),
            handler: options.relay.handler,
          },
        ],
      },
    ],
  };
}

/**
 * An `adjustPolicy` for the local task handlers (local/relay-handlers.ts) adding what the relay's tasks
 * need of the pipeline's artifact store (core/permissions/plan.ts `planPipelineArtifactPermissions`).
 */
export function artifactStoreGrants(
  store: LocalArtifactStore,
): (role: PlannedRole, statements: readonly PlannedStatement[]) => readonly PlannedStatement[] {
  const grants = planPipelineArtifactPermissions({
    bucket: store.bucket,
    region: store.region,
    ...(store.kmsKeyArn === undefined ? {} : { kmsKeyArn: store.kmsKeyArn }),
  });
  return (role, statements) => [...statements, ...(grants[role] ?? [])];
}
