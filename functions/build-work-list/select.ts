import type { BackfillRequest, WorkItem } from '../../core/backfill.ts';
import type { RelayConfig, SourceConfig } from '../../core/config/schema.ts';
import { InvalidInput } from '../../core/errors.ts';
import { findSource, type ResolvedTarget, resolveTargets } from '../../core/routing.ts';
import { parseTargetSelector, type TargetSelector } from '../../core/target-selector.ts';
import { readTargetBucketTag } from '../../core/target-tag.ts';
import type { ListedObject, Listing } from './listing.ts';

/**
 * Which listed objects go on the work list, and to which targets — the relay's own routing
 * (core/routing.ts `resolveTargets`: the source's rules, and its `TargetBucket` tag entries when the
 * source enables them), narrowed to the request's `targets` — and what their line says. Pure: the
 * listing, the tag and the in-sync check are read elsewhere.
 */

/** The configured source a backfill lists. @throws InvalidInput naming the configured sources */
export function backfillSource(config: RelayConfig, request: BackfillRequest): SourceConfig {
  const source = findSource(config, request.source.bucket);
  if (source !== undefined) return source;
  const names = config.sources.map((s) => s.bucket).join(', ');
  throw new InvalidInput(
    `The backfill source ${JSON.stringify(request.source.bucket)} is not a source in the relay configuration (its sources: ${names || 'none'}); set source.bucket to one of them, or add the bucket to relay.config.json and deploy again`,
  );
}

function selects(selector: TargetSelector, target: { bucket: string; region: string }): boolean {
  return (
    selector.bucket === target.bucket && (selector.region === undefined || selector.region === target.region)
  );
}

/** Every target the source can send to: its rules' targets and the tag entries its allowlist admits. */
function possibleTargets(source: SourceConfig, bucketTagValue: string | undefined) {
  const fromRules = source.rules.flatMap((rule) =>
    rule.targets.map((t) => ({ bucket: t.bucket, region: t.region })),
  );
  const fromTag =
    bucketTagValue === undefined
      ? []
      : readTargetBucketTag(bucketTagValue, source.targetBucketTag, source.region).admitted;
  return [...fromRules, ...fromTag];
}

/**
 * Checks the request's `targets` before anything is listed: each must be a well-formed `bucket` or
 * `bucket@region` naming a target the source can send to (a rule's, or an admitted tag entry's). Per
 * object, a selector that names none of that object's targets is normal (another rule's target).
 *
 * @throws InvalidInput naming every selector that is malformed or names no target, and the targets there are
 */
export function checkTargetSelection(
  source: SourceConfig,
  request: BackfillRequest,
  bucketTagValue: string | undefined,
): void {
  if (request.targets === undefined) return;
  const possible = possibleTargets(source, bucketTagValue);
  const problems: string[] = [];
  for (const entry of request.targets) {
    const selector = parseTargetSelector(entry);
    if ('problem' in selector) problems.push(`"${entry}": ${selector.problem}`);
    else if (!possible.some((target) => selects(selector, target))) {
      problems.push(`"${entry}" is not a target of any rule of the source ${source.bucket}`);
    }
  }
  if (problems.length === 0) return;
  const known = [...new Set(possible.map((t) => `${t.bucket}@${t.region}`))].join(', ');
  throw new InvalidInput(
    `The backfill's targets cannot be used: ${problems.join('; ')}. Name targets as "bucket" or "bucket@region" among the source's targets (${known || 'none'}), or leave targets out for all of them`,
  );
}

/** What the routing says about one listed object. */
export type Routed =
  | { readonly kind: 'too-old' }
  | { readonly kind: 'no-target' }
  | { readonly kind: 'routed'; readonly targets: readonly ResolvedTarget[] };

/** The routing of a backfill: the request's filters over the relay's own rules. */
export interface Router {
  route(object: ListedObject): Routed;
}

/** Keys of the backfill's own output when it writes into the source bucket: never relayed by it. */
function ownOutputPrefix(request: BackfillRequest): string | undefined {
  if (request.results === undefined || request.results.bucket !== request.source.bucket) return undefined;
  return `${request.results.prefix.replace(/\/+$/, '')}/`;
}

/**
 * Routes listed objects: modified before `since` → too old; no rule (or none of the chosen targets)
 * → no target; else the object's targets, narrowed to the request's `targets`.
 */
export function createRouter(
  config: RelayConfig,
  request: BackfillRequest,
  bucketTagValue: string | undefined,
): Router {
  const since = request.since === undefined ? undefined : Date.parse(request.since);
  const own = ownOutputPrefix(request);
  const options = {
    ...(bucketTagValue === undefined ? {} : { bucketTagValue }),
    ...(request.targets === undefined ? {} : { only: request.targets }),
  };
  return {
    route(object) {
      if (
        since !== undefined &&
        (object.lastModified === undefined || object.lastModified.getTime() < since)
      ) {
        return { kind: 'too-old' };
      }
      if (own !== undefined && object.key.startsWith(own)) return { kind: 'no-target' };
      const resolution = resolveTargets(config, { bucket: request.source.bucket, key: object.key }, options);
      return resolution.targets.length === 0
        ? { kind: 'no-target' }
        : { kind: 'routed', targets: resolution.targets };
    },
  };
}

/**
 * The work-list line for an object: the relay request pinned to its version (a versioned listing, or an
 * inventory of every version) or its ETag, naming the targets to relay to (as `bucket@region`, without
 * duplicates) when they are fewer than the relay would pick on its own — some already in sync, or the
 * request chose some — and `deploy: false` unless the backfill deploys (a relay request without `deploy`
 * deploys where the configuration says).
 */
export function workItemFor(
  bucket: string,
  object: ListedObject,
  listing: Listing,
  needed: readonly ResolvedTarget[],
  narrowed: boolean,
  deploy: boolean,
): WorkItem {
  const pin =
    listing !== 'objects' && object.versionId !== undefined
      ? { versionId: object.versionId }
      : object.etag === ''
        ? {}
        : { etag: object.etag };
  const targets = narrowed ? [...new Set(needed.map((t) => `${t.bucket}@${t.region}`))] : undefined;
  return {
    bucket,
    key: object.key,
    ...pin,
    ...(targets === undefined ? {} : { targets }),
    ...(deploy ? {} : { deploy: false }),
  };
}
