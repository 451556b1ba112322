import { createHash } from 'node:crypto';
import { InvalidInput } from '../errors.ts';
import type { RelayRequest } from '../events/shapes.ts';
import { isValidExecutionName, MAX_EXECUTION_NAME_LENGTH } from '../naming.ts';
import { renderDestinationKey } from './destination-key.ts';
import type { ArtifactLocation, PipelineJob } from './job.ts';
import type { UserParameters } from './user-parameters.ts';

/**
 * What the relay action makes of a job: which pipeline run it belongs to, which artifact it relays,
 * the relay request for it, and the relay execution's name.
 */

/** The pipeline run a job belongs to, from its pipeline context, else from `UserParameters`. */
export interface PipelineRun {
  readonly pipeline?: string;
  readonly pipelineExecutionId?: string;
  readonly stage?: string;
  readonly actionName?: string;
}

/** The run of `job`: the event's pipeline context wins over what `UserParameters` says. */
export function pipelineRunOf(job: PipelineJob, params: UserParameters): PipelineRun {
  const context = job.pipelineContext;
  const pipeline = context?.pipelineName ?? params.pipeline;
  const pipelineExecutionId = context?.pipelineExecutionId ?? params.pipelineExecutionId;
  const stage = context?.stage?.name ?? params.stage;
  const actionName = context?.action?.name ?? params.actionName;
  return {
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(pipelineExecutionId === undefined ? {} : { pipelineExecutionId }),
    ...(stage === undefined ? {} : { stage }),
    ...(actionName === undefined ? {} : { actionName }),
  };
}

/**
 * The input artifact to relay: the only one, or the one `UserParameters.artifact` names.
 *
 * @throws InvalidInput when the action has no input artifact, or several and none (or an unknown one) named
 */
export function artifactToRelay(
  job: PipelineJob,
  params: UserParameters,
): ArtifactLocation & { readonly name: string } {
  const artifacts = job.inputArtifacts;
  const names = artifacts.map((artifact) => artifact.name).join(', ');
  if (params.artifact !== undefined) {
    const named = artifacts.find((artifact) => artifact.name === params.artifact);
    if (named === undefined) {
      throw new InvalidInput(
        `UserParameters.artifact names the input artifact ${JSON.stringify(params.artifact)}, but the action's input artifacts are: ${names || '(none)'}`,
      );
    }
    return named;
  }
  const [only, ...more] = artifacts;
  if (only === undefined) {
    throw new InvalidInput(
      'The action has no input artifact: give it the build output to relay as its input artifact',
    );
  }
  if (more.length > 0) {
    throw new InvalidInput(
      `The action has ${artifacts.length} input artifacts (${names}): set UserParameters.artifact to the one to relay`,
    );
  }
  return only;
}

/** Hex characters of the name's hash (96 bits, as core/naming.ts's). */
const HASH_CHARS = 24;

function readable(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/**
 * The relay execution's name for one run of the action: a readable part (the action name and the
 * pipeline execution id) and a hash of the pipeline execution id, stage and action. A retried stage
 * is a new job of the same pipeline execution, so it gets the same name and continues the relay
 * (StartExecution of a name in use answers ExecutionAlreadyExists) instead of starting a second one.
 * Without a known pipeline execution id, the input artifact's location stands for the run: a
 * retried stage reads the same input artifact, a new run a new one.
 */
export function relayExecutionName(run: PipelineRun, artifact: ArtifactLocation): string {
  const identity = [
    run.pipelineExecutionId ?? null,
    run.stage ?? null,
    run.actionName ?? null,
    run.pipelineExecutionId === undefined ? [artifact.bucket, artifact.key] : null,
  ];
  const hash = createHash('sha256')
    .update(JSON.stringify(identity), 'utf8')
    .digest('hex')
    .slice(0, HASH_CHARS);
  const room = MAX_EXECUTION_NAME_LENGTH - HASH_CHARS - 1;
  const label =
    readable(`${run.actionName ?? 'pipeline'}-${run.pipelineExecutionId ?? 'artifact'}`)
      .slice(0, room)
      .replace(/[-_]+$/, '') || 'pipeline';
  const name = `${label}-${hash}`;
  if (!isValidExecutionName(name)) throw new Error(`internal: invalid execution name ${name}`);
  return name;
}

/** What one job asks of the relay. */
export interface PipelineRelayPlan {
  readonly run: PipelineRun;
  readonly artifact: ArtifactLocation & { readonly name: string };
  /** The rendered destination key. */
  readonly destinationKey: string;
  /** The relay state machine's input (core/events/shapes.ts `relayRequestSchema`). */
  readonly request: RelayRequest;
  /** The relay execution's name. */
  readonly executionName: string;
}

/**
 * The relay request and execution name for a job: the artifact's bucket and key, routed by the
 * named rule to the rendered destination key, in `UserParameters.region` or else `defaultRegion`
 * (the action function's own, where the pipeline's artifact store is).
 *
 * @throws InvalidInput for a wrong artifact choice or destination key template
 */
export function planPipelineRelay(
  job: PipelineJob,
  params: UserParameters,
  defaultRegion: string,
): PipelineRelayPlan {
  const run = pipelineRunOf(job, params);
  const artifact = artifactToRelay(job, params);
  const destinationKey = renderDestinationKey(params.destinationKey, {
    ...(run.pipeline === undefined ? {} : { pipeline: run.pipeline }),
    ...(run.pipelineExecutionId === undefined ? {} : { pipelineExecutionId: run.pipelineExecutionId }),
    ...(run.actionName === undefined ? {} : { actionName: run.actionName }),
  });
  const request: RelayRequest = {
    bucket: artifact.bucket,
    key: artifact.key,
    pipeline: {
      rule: params.rule,
      destinationKey,
      region: params.region ?? defaultRegion,
      ...(params.bundleType === undefined ? {} : { bundleType: params.bundleType }),
    },
  };
  return { run, artifact, destinationKey, request, executionName: relayExecutionName(run, artifact) };
}
