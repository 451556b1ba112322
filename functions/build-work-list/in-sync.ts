import { HeadObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import type { VerifyMode } from '../../core/config/schema.ts';
import { etagPartCount } from '../../core/etag.ts';
import { judgeReplica } from '../../core/evidence-policy.ts';
import { describeHead, type ObjectFacts } from '../../core/object-facts.ts';
import type { SourceIdentity } from '../../core/replica-metadata.ts';
import { destinationKey, type ResolvedTarget } from '../../core/routing.ts';
import { isMissingObject, sendOptions } from '../shared/aws-call.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import type { ListedObject } from './listing.ts';
import { mapConcurrent } from './pool.ts';

/**
 * Whether an object is already in sync at a target, asked before it costs a relay execution: HEAD the
 * destination key in the target's region and ask the one evidence policy (core/evidence-policy.ts) with
 * the Copy task's purpose, `skip-copy` — the relay's own stamp naming this source version counts, else
 * the evidence `verify` allows (the source's facts are the listing's: size, ETag, version; a listing
 * carries no checksum and no encryption, so an SSE-KMS source is proven by its stamp only). No object,
 * a different one, or one nothing cheap can prove the same → not in sync: the relay execution decides.
 */

/** What the in-sync check needs. */
export interface InSyncDeps {
  readonly s3ClientFor: S3ClientFor;
  readonly verify: VerifyMode;
  /** HEAD requests in flight at once. */
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
}

/** One object and the targets it is routed to. */
export interface SyncQuestion {
  readonly object: ListedObject;
  readonly targets: readonly ResolvedTarget[];
}

function sourceFacts(object: ListedObject): ObjectFacts {
  const partCount = etagPartCount(object.etag);
  return {
    size: object.size,
    etag: object.etag,
    ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
    ...(partCount === undefined ? {} : { partCount }),
  };
}

function sourceIdentity(bucket: string, object: ListedObject): SourceIdentity {
  return {
    bucket,
    key: object.key,
    etag: object.etag,
    ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
  };
}

/** HEADs the destination; `undefined` when nothing (or a delete marker) is there. */
async function headDestination(
  deps: InSyncDeps,
  target: ResolvedTarget,
  key: string,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await deps.s3ClientFor(target.region).send(
      new HeadObjectCommand({
        Bucket: target.bucket,
        Key: key,
        ChecksumMode: 'ENABLED',
        ...(target.account === undefined ? {} : { ExpectedBucketOwner: target.account }),
      }),
      sendOptions(deps.signal),
    );
  } catch (err) {
    if (isMissingObject(err)) return undefined;
    throw classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'target',
      bucket: target.bucket,
      key,
      target: target.id,
    });
  }
}

async function inSyncAt(
  deps: InSyncDeps,
  sourceBucket: string,
  object: ListedObject,
  target: ResolvedTarget,
): Promise<boolean> {
  let key: string;
  try {
    key = destinationKey(target, object.key);
  } catch {
    // No valid destination key: the relay execution reports it for that target.
    return false;
  }
  const head = await headDestination(deps, target, key);
  if (head === undefined) return false;
  const replica = describeHead(head);
  const verdict = judgeReplica({
    source: sourceFacts(object),
    replica,
    verify: deps.verify,
    purpose: {
      kind: 'skip-copy',
      source: sourceIdentity(sourceBucket, object),
      replicaMetadata: replica.metadata,
    },
  });
  return verdict.verdict === 'in-sync';
}

/**
 * For each question, the targets its object is not in sync at (in the order given), HEADing every
 * (object, target) pair with at most `deps.concurrency` requests in flight.
 *
 * @throws the classified error of a HEAD that failed otherwise than with 404 (AccessDenied naming the
 *   grants a HEAD needs; TransientAwsError, retried by the state machine)
 */
export async function targetsNotInSync(
  deps: InSyncDeps,
  sourceBucket: string,
  questions: readonly SyncQuestion[],
): Promise<ResolvedTarget[][]> {
  const pairs = questions.flatMap((question, index) =>
    question.targets.map((target) => ({ index, object: question.object, target })),
  );
  const answers = await mapConcurrent(pairs, deps.concurrency, (pair) =>
    inSyncAt(deps, sourceBucket, pair.object, pair.target),
  );
  const needed: ResolvedTarget[][] = questions.map(() => []);
  pairs.forEach((pair, i) => {
    if (answers[i] !== true) needed[pair.index]?.push(pair.target);
  });
  return needed;
}
