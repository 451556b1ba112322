import { DestinationChanged, TransientAwsError } from '../../core/errors.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import type { CopyResult } from '../../core/workflow.ts';
import type { CopyContext } from './context.ts';
import { decideCopy } from './decide.ts';
import { headDestination } from './destination.ts';
import { skipped } from './outcomes.ts';

/**
 * Conditional writes of the replica (S3 `If-None-Match` / `If-Match` on CopyObject and
 * CompleteMultipartUpload). The copy decides from a HEAD of the destination; the write then only
 * happens while the destination is still what that HEAD saw. Without it, two executions of one
 * event (EventBridge delivers at least once, duplicates often arrive together) both find no
 * replica, both copy — and both deploy their own replica version; and an older version's copy can
 * land on top of a newer one that arrived between the HEAD and the write.
 */

/** The write condition for a destination that held `existing` (nothing: `If-None-Match: *`). */
export function destinationCondition(existing: Pick<StoredObject, 'etag'> | undefined): {
  IfNoneMatch?: string;
  IfMatch?: string;
} {
  return existing === undefined ? { IfNoneMatch: '*' } : { IfMatch: `"${existing.etag}"` };
}

export { DestinationChanged };

/**
 * After a lost race for the destination: looks again. A replica of this source version (or the same
 * bytes) is `in-sync` (unless this is a re-copy), one from a newer event `superseded` — the other
 * writer did the work. Anything else is retried by the state machine, which copies afresh against
 * what is there now.
 *
 * @throws TransientAwsError when the destination still needs this copy
 */
export async function settleLostRace(ctx: CopyContext, lost: DestinationChanged): Promise<CopyResult> {
  const now = await headDestination(ctx.s3ClientFor, ctx.target, ctx.destination, ctx.signal);
  const decision = decideCopy(ctx.source, now, ctx.recopy, ctx.settings.verify);
  if (decision.action === 'skip' && now !== undefined) {
    ctx.log.info(`Not copied: ${decision.status} (written meanwhile by another writer)`, {
      destination: ctx.destination,
      why: decision.why,
    });
    return skipped(ctx.destination, decision.status, now);
  }
  throw new TransientAwsError(
    `s3://${ctx.destination.bucket}/${ctx.destination.key} changed while the copy was writing it (another writer); the state machine retries the copy against what is there now`,
    { cause: lost, ...(lost.operation === undefined ? {} : { operation: lost.operation }) },
  );
}
