/**
 * The pipeline scenarios of the least-privilege proof: a local CodePipeline run (Source → Build → Relay,
 * local/codepipeline/) whose Relay stage is the relay's pipeline action, running as its own role
 * (`planPipelineActionPermissions`), while the relay's tasks hold their plan plus the artifact store's
 * grants (`planPipelineArtifactPermissions`). Together they use every one of those grants: a build
 * copied multipart out of a versioned and an unversioned artifact store (UploadPartCopy of the version or
 * the object, its tags read whether or not it has any, the store's KMS key) and verified by streaming
 * both sides; an artifact gone before the relay, between ResolveTargets and Copy, and between Copy and
 * Verify of an older execution (404 rather than 403 only with `s3:ListBucket`); and the job's result,
 * reported as a success or as a failure.
 */
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { parsePipelineJob } from '../../../core/pipeline/job.ts';
import {
  type LocalPipelineActionHandler,
  type LocalPipelineRun,
  LocalPipelineRunner,
  relayPipelineDefinition,
} from '../../../local/codepipeline/index.ts';
import type { TaskHook, WorkflowHarness } from '../workflow/harness.ts';
import { nothingToRelayProblems, relayProblems, shorten } from './outcomes.ts';
import type { RunNames } from './run-names.ts';
import type { PreparedRun, Scenario } from './scenario.ts';
import {
  asOlderExecution,
  COPIED,
  deleteSourceAfterCopy,
  deleteSourceAfterResolve,
  EU,
  expect,
  MULTIPART_DEFAULTS,
  ONE_PART_MULTIPART_BYTES,
  RULE,
  SOURCE_REGION,
  source,
  zip,
} from './scenario-kit.ts';

/** Where the relay stage puts the artifact: under the rule's prefix, with its suffix. */
const DESTINATION_KEY = `${RULE.prefix}{pipeline}/{pipelineExecutionId}${RULE.suffix}`;

/** How a pipeline run must end. */
type PipelineEnd =
  /** The stage succeeded and the artifact was copied. */
  | { readonly kind: 'delivered' }
  /** The stage failed, reported by the action with a message matching `message`. */
  | {
      readonly kind: 'reported-failure';
      readonly message: RegExp;
      readonly relay: 'nothing' | 'source-gone';
    };

interface PipelineShape {
  readonly name: string;
  readonly summary: string;
  readonly versionedStore: boolean;
  /** A build big enough for a multipart copy, else a small zip. */
  readonly multipart: boolean;
  readonly verify?: 'stream';
  /** Runs just before the relay action's first job, with the artifact it relays. */
  readonly beforeRelay?: (h: WorkflowHarness, artifact: { bucket: string; key: string }) => Promise<void>;
  readonly afterTask?: (h: WorkflowHarness) => TaskHook;
  readonly end: PipelineEnd;
}

/** The artifact a job event names (its first input artifact). */
function inputArtifactOf(event: unknown): { bucket: string; key: string } {
  const [artifact] = parsePipelineJob(event).inputArtifacts;
  if (artifact === undefined) throw new Error('the job event names no input artifact');
  return { bucket: artifact.bucket, key: artifact.key };
}

/** Runs `before` once, ahead of the first job the action handles. */
function withBeforeFirstJob(
  handler: LocalPipelineActionHandler,
  before: ((event: unknown) => Promise<void>) | undefined,
): LocalPipelineActionHandler {
  if (before === undefined) return handler;
  let done = false;
  return async (event) => {
    if (!done) {
      done = true;
      await before(event);
    }
    return handler(event);
  };
}

/** What is wrong with how the pipeline run ended. */
function pipelineRunProblems(run: LocalPipelineRun | undefined, end: PipelineEnd): string[] {
  if (run === undefined) return ['the pipeline did not run'];
  const relay = run.actions.find((action) => action.stage === 'Relay');
  if (end.kind === 'delivered') {
    return run.status === 'Succeeded'
      ? []
      : [`the pipeline ${run.status} at ${run.failedStage}: ${shorten(relay?.errorDetails?.message)}`];
  }
  const message = relay?.errorDetails?.message ?? '';
  return run.status === 'Failed' && run.failedStage === 'Relay' && end.message.test(message)
    ? []
    : [`the pipeline ${run.status}, expected its Relay stage to report ${end.message}: ${shorten(message)}`];
}

function pipelineScenario(shape: PipelineShape): Scenario {
  return {
    name: shape.name,
    summary: shape.summary,
    prepare(names: RunNames, account: string): PreparedRun {
      const src = names.bucket('source-bucket');
      const eu = names.bucket('target-bucket');
      const store = names.bucket('artifact-store');
      const storeKey = `arn:aws:kms:${SOURCE_REGION}:${account}:key/${names.keyId('artifact-key-id')}`;
      const pipelineName = names.name('pipeline');
      const artifactStore = { bucket: store, region: SOURCE_REGION, kmsKeyArn: storeKey };
      let run: LocalPipelineRun | undefined;
      return {
        config: {
          sources: [source(src, [{ bucket: eu, region: EU }])],
          defaults: {
            ...(shape.multipart ? MULTIPART_DEFAULTS : {}),
            ...(shape.verify === undefined ? {} : { verify: shape.verify }),
          },
        },
        artifactStore,
        async arrange(h) {
          await h.bucket(src, SOURCE_REGION);
          await h.bucket(eu, EU);
          await h.bucket(store, SOURCE_REGION, { versioned: shape.versionedStore });
          await h.stack.createKmsKey(storeKey);
        },
        ...(shape.afterTask === undefined ? {} : { afterTask: shape.afterTask }),
        async act(h, relay, seams) {
          const build = shape.multipart ? randomBytes(ONE_PART_MULTIPART_BYTES) : await zip(shape.name);
          const before = shape.beforeRelay;
          const definition = relayPipelineDefinition({
            name: pipelineName,
            artifactStore,
            source: async () => 'source tree',
            build: async () => build,
            relay: {
              handler: withBeforeFirstJob(
                seams.pipelineAction(relay),
                before === undefined ? undefined : (event) => before(h, inputArtifactOf(event)),
              ),
              parameters: { rule: RULE.name, destinationKey: DESTINATION_KEY },
            },
          });
          const runner = new LocalPipelineRunner(h.stack, definition, { continuationDelayMs: 10 });
          try {
            run = await runner.run();
          } finally {
            runner.dispose();
          }
          return relay.settle();
        },
        async check(_h, executions) {
          const end = shape.end;
          const relayed =
            end.kind === 'delivered'
              ? relayProblems(executions, expect([[eu, COPIED]]))
              : end.relay === 'nothing'
                ? nothingToRelayProblems(executions, 'source-gone')
                : relayProblems(executions, expect([[eu, { status: ['source-gone'] }]]));
          return [...pipelineRunProblems(run, end), ...relayed];
        },
      };
    },
  };
}

/** Deletes the artifact (its current version: a delete marker in a versioned store). */
async function deleteArtifact(h: WorkflowHarness, artifact: { bucket: string; key: string }): Promise<void> {
  await h.s3(SOURCE_REGION).send(new DeleteObjectCommand({ Bucket: artifact.bucket, Key: artifact.key }));
}

/** Every pipeline scenario, in the order the proof tries them. */
export const PIPELINE_SCENARIOS: readonly Scenario[] = [
  pipelineScenario({
    name: 'pipeline',
    summary:
      "A pipeline run relays its build out of a versioned artifact store under the store's KMS key: a multipart copy of the artifact's version (its tags read too) verified by streaming both sides, and the job reported as a success.",
    versionedStore: true,
    multipart: true,
    verify: 'stream',
    end: { kind: 'delivered' },
  }),
  pipelineScenario({
    name: 'pipeline-unversioned-store',
    summary:
      'As `pipeline`, out of an unversioned artifact store: the copy and the verification read the object rather than a version.',
    versionedStore: false,
    multipart: true,
    verify: 'stream',
    end: { kind: 'delivered' },
  }),
  pipelineScenario({
    name: 'pipeline-artifact-gone',
    summary:
      'The artifact is deleted before the relay stage runs: ResolveTargets reads 404 (not 403) and relays nothing, and the action reports the job as a failure that says so.',
    versionedStore: true,
    multipart: false,
    beforeRelay: deleteArtifact,
    end: { kind: 'reported-failure', message: /relayed nothing/, relay: 'nothing' },
  }),
  pipelineScenario({
    name: 'pipeline-artifact-deleted-before-copy',
    summary:
      'The artifact version is deleted between ResolveTargets and Copy: Copy reads 404 (not 403) and reports source-gone, and the action fails the job naming the target.',
    versionedStore: true,
    multipart: false,
    afterTask: deleteSourceAfterResolve,
    end: { kind: 'reported-failure', message: /did not deliver the artifact/, relay: 'source-gone' },
  }),
  pipelineScenario({
    name: 'pipeline-artifact-deleted-after-copy',
    summary:
      'The artifact version is deleted between Copy and Verify of an execution started before the relay carried the source facts: Verify reads 404 (not 403) and falls back to the facts recorded when the artifact was pinned.',
    versionedStore: true,
    multipart: false,
    afterTask: asOlderExecution(deleteSourceAfterCopy('copied')),
    end: { kind: 'delivered' },
  }),
];
