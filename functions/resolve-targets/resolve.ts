import type { RelayConfig, SourceConfig } from '../../core/config/schema.ts';
import { InvalidInput } from '../../core/errors.ts';
import { normalizeInput, type PipelineRouting, type SourceRequest } from '../../core/events/normalize.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import { isReplica } from '../../core/replica-metadata.ts';
import {
  findSource,
  matchRules,
  type ResolvedTarget,
  resolvePipelineTargets,
  resolveTargets,
} from '../../core/routing.ts';
import { deploymentWaveCount, laterWaves, type WaveItem } from '../../core/waves.ts';
import {
  type NoTargetsReason,
  type RelaySettings,
  type ResolveTargetsOutput,
  refusedTagEntries,
  type SourceObject,
  settingsFromDefaults,
  type WorkflowTarget,
  workflowTargetSchema,
} from '../../core/workflow.ts';
import type { ResolveDeleteOutput } from '../../core/workflow-delete.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import { silentLog, type TaskLog } from '../shared/log.ts';
import { resolveDelete } from './resolve-delete.ts';
import { headSource, readTargetBucketTagValue, sourceContent } from './source-head.ts';

/** What ResolveTargets needs. */
export interface ResolveTargetsDeps {
  readonly s3ClientFor: S3ClientFor;
  /** The validated configuration (loaded once per container). */
  readonly loadConfig: () => Promise<RelayConfig>;
  readonly log?: TaskLog;
}

/**
 * A resolved target as the workflow carries it: the configuration's fields and the rule's prefix (or,
 * for a pipeline artifact, the one destination key).
 */
function toWorkflowTarget(target: ResolvedTarget): WorkflowTarget {
  return workflowTargetSchema.parse({ ...pickTargetFields(target), sourcePrefix: target.sourcePrefix });
}

/** Drops what routing added (`id`, `origin`) before the strict workflow schema sees the target. */
function pickTargetFields(target: ResolvedTarget): Record<string, unknown> {
  const { id: _id, origin: _origin, sourcePrefix: _prefix, ...fields } = target;
  return fields;
}

/**
 * ResolveTargets for a pipeline artifact (`request.pipeline`): its bucket is the pipeline's artifact
 * store, no configured source, so the named rule gives the targets (core/routing.ts
 * `resolvePipelineTargets`) and the request the source region. The pin, the loop guard and the
 * result are those of every other object.
 */
async function resolvePipelineArtifact(
  request: SourceRequest & { readonly pipeline: PipelineRouting },
  config: RelayConfig,
  deps: ResolveTargetsDeps,
  signal: AbortSignal | undefined,
): Promise<ResolveTargetsOutput> {
  const log = deps.log ?? silentLog;
  const settings = settingsFromDefaults(config.defaults);
  const resolution = resolvePipelineTargets(
    config,
    {
      rule: request.pipeline.rule,
      destinationKey: request.pipeline.destinationKey,
      bundleType: request.pipeline.bundleType,
    },
    request.targets === undefined ? {} : { only: request.targets },
  );
  const refusedRequest = resolution.rejected.filter((entry) => entry.from === 'request');
  if (refusedRequest.length > 0) {
    throw new InvalidInput(
      `The requested targets cannot be used: ${refusedRequest.map((entry) => entry.message).join('; ')}`,
    );
  }
  const store = { region: request.pipeline.region };
  const lookup = await headSource(deps.s3ClientFor, store, request, signal);
  if (!lookup.found) {
    return lookup.why === 'gone'
      ? nothing(settings, 'source-gone', `The pipeline artifact ${describeObject(request)} no longer exists`)
      : nothing(
          settings,
          'superseded',
          `The pipeline artifact ${describeObject(request)} was overwritten since the action named it (its ETag is no longer ${request.etag ?? 'the one named'})`,
        );
  }
  const source = sourceObject(store, request, lookup.object);
  if (isReplica(lookup.object.metadata)) {
    return nothing(
      settings,
      'replica',
      `${describeObject(request)} is a replica made by the relay; replicas are not relayed again`,
      source,
    );
  }
  if (resolution.targets.length === 0) {
    return nothing(settings, 'no-targets', `The rule ${request.pipeline.rule} names no target`, source);
  }
  log.info('Targets resolved for a pipeline artifact', {
    source: describeObject(request),
    rule: request.pipeline.rule,
    destinationKey: request.pipeline.destinationKey,
    targets: resolution.targets.map((target) => target.id),
  });
  const targets = resolution.targets.map(toWorkflowTarget);
  return { source, targets, settings, ...wavesOf(targets, config) };
}

function describeObject(request: SourceRequest): string {
  const version = request.versionId === undefined ? '' : ` (version ${request.versionId})`;
  return `s3://${request.bucket}/${request.key}${version}`;
}

function nothing(
  settings: RelaySettings,
  reason: NoTargetsReason,
  detail: string,
  source?: SourceObject,
): ResolveTargetsOutput {
  return { ...(source === undefined ? {} : { source }), targets: [], settings, reason, detail };
}

function sourceObject(
  config: Pick<SourceConfig, 'region' | 'account'>,
  request: SourceRequest,
  object: StoredObject,
): SourceObject {
  const versionId = object.versionId ?? request.versionId;
  return {
    bucket: request.bucket,
    key: request.key,
    region: config.region,
    ...(config.account === undefined ? {} : { account: config.account }),
    ...(versionId === undefined ? {} : { versionId }),
    etag: object.etag,
    size: object.size,
    ...(request.sequencer === undefined ? {} : { sequencer: request.sequencer }),
    ...(object.checksum === undefined ? {} : { checksum: object.checksum }),
    ...(object.encryption === undefined ? {} : { encryption: object.encryption }),
    ...(object.partCount === undefined ? {} : { partCount: object.partCount }),
    ...(object.lastModified === undefined ? {} : { lastModified: object.lastModified }),
    content: sourceContent(object),
  };
}

/**
 * ResolveTargets: normalises the workflow input, pins the source (HEAD with its version, else
 * If-Match on the event's ETag), ignores replicas (the loop guard), matches the rules (and the
 * `TargetBucket` tag when the source enables it) and returns the source with its targets — or no
 * targets and the reason: `no-rule`, `no-targets`, `replica`, `source-gone` (the version the
 * event named no longer exists) or `superseded` (an unversioned object was overwritten since the
 * event — its ETag no longer matches — and the newer object's own event relays it). The source
 * carries the configured source account, so every later read of it names the expected owner, and
 * what the HEAD found (size, ETag, checksum, encryption, part count, LastModified, version, user
 * metadata and content headers), so Copy and Verify need not read it again.
 * `TargetBucket` tag entries that were not honoured are logged and listed in `refusedTagEntries`
 * (the first `MAX_REFUSED_TAG_ENTRIES`, and how many more).
 *
 * Relay inputs only: a deletion event is refused here ({@link resolveRequest} resolves both).
 *
 * @throws InvalidInput for an input of no accepted shape, or a CLI target selection naming a
 *   target that is not configured for the object
 * @throws ConfigInvalid when the configuration is invalid
 */
export async function resolveSourceTargets(
  input: unknown,
  deps: ResolveTargetsDeps,
  signal?: AbortSignal,
): Promise<ResolveTargetsOutput> {
  const request = normalizeInput(input);
  if (request.operation === 'delete') {
    throw new InvalidInput(
      `${describeObject(request)} was deleted: a deletion event resolves to a delete request (resolveRequest), not to a relay`,
    );
  }
  return resolveRelay(request, deps, signal);
}

/**
 * ResolveTargets for any workflow input: a relay ({@link resolveSourceTargets}), or — for a
 * deletion event (`Object Deleted`, `ObjectRemoved:*`) — the targets of the rules that propagate
 * deletes, with `operation: 'delete'` (`resolve-delete.ts`).
 *
 * @throws InvalidInput for an input of no accepted shape
 * @throws ConfigInvalid when the configuration is invalid
 */
export async function resolveRequest(
  input: unknown,
  deps: ResolveTargetsDeps,
  signal?: AbortSignal,
): Promise<ResolveTargetsOutput | ResolveDeleteOutput> {
  const request = normalizeInput(input);
  if (request.operation === 'delete') {
    return resolveDelete(await deps.loadConfig(), request, deps.log ?? silentLog);
  }
  return resolveRelay(request, deps, signal);
}

async function resolveRelay(
  request: SourceRequest,
  deps: ResolveTargetsDeps,
  signal: AbortSignal | undefined,
): Promise<ResolveTargetsOutput> {
  const log = deps.log ?? silentLog;
  const config = await deps.loadConfig();
  if (request.pipeline !== undefined) {
    return resolvePipelineArtifact({ ...request, pipeline: request.pipeline }, config, deps, signal);
  }
  const settings = settingsFromDefaults(config.defaults);
  const configured = findSource(config, request.bucket);
  if (configured === undefined) {
    return nothing(
      settings,
      'no-rule',
      `The bucket ${request.bucket} is not a source in the relay configuration`,
    );
  }
  if (matchRules(config, request).length === 0) {
    return nothing(
      settings,
      'no-rule',
      `No rule of the source ${request.bucket} matches the key ${JSON.stringify(request.key)}`,
    );
  }

  const lookup = await headSource(deps.s3ClientFor, configured, request, signal);
  if (!lookup.found) {
    return lookup.why === 'gone'
      ? nothing(settings, 'source-gone', `${describeObject(request)} no longer exists`)
      : nothing(
          settings,
          'superseded',
          `${describeObject(request)} was overwritten since the event (its ETag is no longer ${request.etag ?? 'the one named'}); the newer object's own event relays it`,
        );
  }
  const source = sourceObject(configured, request, lookup.object);
  if (isReplica(lookup.object.metadata)) {
    return nothing(
      settings,
      'replica',
      `${describeObject(request)} is a replica made by the relay; replicas are not relayed again`,
      source,
    );
  }

  const tagSettings = configured.targetBucketTag;
  const bucketTagValue =
    tagSettings?.enabled === true
      ? await readTargetBucketTagValue(deps.s3ClientFor, configured, tagSettings.tagKey, signal)
      : undefined;
  const resolution = resolveTargets(config, request, {
    ...(bucketTagValue === undefined ? {} : { bucketTagValue }),
    ...(request.targets === undefined ? {} : { only: request.targets }),
  });

  const refusedRequest = resolution.rejected.filter((entry) => entry.from === 'request');
  if (refusedRequest.length > 0) {
    throw new InvalidInput(
      `The requested targets cannot be used: ${refusedRequest.map((entry) => entry.message).join('; ')}`,
    );
  }
  for (const entry of resolution.rejected) {
    log.warn('A TargetBucket tag entry was not honoured', {
      entry: entry.entry,
      reason: entry.reason,
      detail: entry.message,
    });
  }
  const refused = refusedTagEntries(resolution.rejected);
  const withRefused = refused === undefined ? {} : { refusedTagEntries: refused };
  if (resolution.targets.length === 0) {
    return {
      ...nothing(
        settings,
        resolution.reason === 'no-targets' ? 'no-targets' : 'no-rule',
        `The rules ${resolution.matchedRules.join(', ')} matched ${describeObject(request)} but name no target`,
        source,
      ),
      ...withRefused,
    };
  }
  log.info('Targets resolved', {
    source: describeObject(request),
    rules: resolution.matchedRules,
    targets: resolution.targets.map((target) => target.id),
  });
  const targets = resolution.targets.map(toWorkflowTarget).map((target) => withoutDeploy(target, request));
  return { source, targets, settings, ...withRefused, ...wavesOf(targets, config) };
}

/**
 * The items of the later deployment waves (core/waves.ts), when the configuration has any: one list per
 * wave after the first, in the order the definition's `DeployWave<n>` Map states read them.
 */
function wavesOf(
  targets: readonly WorkflowTarget[],
  config: RelayConfig,
): { deployWaves?: WaveItem<WorkflowTarget>[][] } {
  const count = deploymentWaveCount(config);
  return count > 1 ? { deployWaves: laterWaves(targets, count) } : {};
}

/** The target as the request wants it: without its CodeDeploy settings when the request says `deploy: false`. */
function withoutDeploy(target: WorkflowTarget, request: Pick<SourceRequest, 'deploy'>): WorkflowTarget {
  if (request.deploy !== false || target.deploy === undefined) return target;
  const { deploy: _deploy, ...rest } = target;
  return rest;
}
