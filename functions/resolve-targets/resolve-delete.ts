import type { RelayConfig } from '../../core/config/schema.ts';
import type { SourceRequest } from '../../core/events/normalize.ts';
import { findSource, type ResolvedTarget, resolveDeleteTargets } from '../../core/routing.ts';
import { settingsFromDefaults, type WorkflowTarget, workflowTargetSchema } from '../../core/workflow.ts';
import type { DeletedSource, ResolveDeleteOutput } from '../../core/workflow-delete.ts';
import type { TaskLog } from '../shared/log.ts';

/**
 * ResolveTargets for a deleted source object (`operation: 'delete'`): the targets of the matching
 * rules that propagate deletes. Nothing is read from the source — it is gone. There is no loop
 * guard to apply here, and none is needed: DeleteReplica deletes only an object whose relay
 * metadata names this very source object, which an original (a loop's other end) never carries.
 */

function toWorkflowTarget(target: ResolvedTarget): WorkflowTarget {
  const { id: _id, origin: _origin, sourcePrefix, ...fields } = target;
  return workflowTargetSchema.parse({ ...fields, sourcePrefix });
}

function describeDeletion(source: DeletedSource): string {
  const how = source.deletion === 'delete-marker' ? 'a delete marker' : 'a permanent deletion';
  const version = source.versionId === undefined ? '' : ` (version ${source.versionId})`;
  return `s3://${source.bucket}/${source.key}${version}, ${how}`;
}

/** The delete request with its targets, or none and the reason. */
export function resolveDelete(
  config: RelayConfig,
  request: SourceRequest,
  log: TaskLog,
): ResolveDeleteOutput {
  const settings = settingsFromDefaults(config.defaults);
  const configured = findSource(config, request.bucket);
  const source: DeletedSource = {
    bucket: request.bucket,
    key: request.key,
    region: configured?.region ?? request.region ?? 'unknown',
    ...(configured?.account === undefined ? {} : { account: configured.account }),
    deletion: request.deletion ?? 'permanent',
    ...(request.versionId === undefined ? {} : { versionId: request.versionId }),
    ...(request.sequencer === undefined ? {} : { sequencer: request.sequencer }),
    ...(request.eventTime === undefined ? {} : { eventTime: request.eventTime }),
  };
  const resolution = resolveDeleteTargets(config, request);
  if (resolution.reason === 'unknown-source' || resolution.reason === 'no-rule') {
    return {
      operation: 'delete',
      source,
      targets: [],
      settings,
      reason: 'no-rule',
      detail:
        configured === undefined
          ? `The bucket ${request.bucket} is not a source in the relay configuration`
          : `No rule of the source ${request.bucket} that propagates deletes (propagateDeletes: true) matches the key ${JSON.stringify(request.key)}`,
    };
  }
  if (resolution.targets.length === 0) {
    return {
      operation: 'delete',
      source,
      targets: [],
      settings,
      reason: 'no-targets',
      detail: `The rules ${resolution.matchedRules.join(', ')} propagate deletes of ${describeDeletion(source)} but name no target`,
    };
  }
  log.info('Delete targets resolved', {
    source: describeDeletion(source),
    rules: resolution.matchedRules,
    targets: resolution.targets.map((target) => target.id),
  });
  return { operation: 'delete', source, targets: resolution.targets.map(toWorkflowTarget), settings };
}
