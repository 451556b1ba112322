import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import { InvalidInput, VerificationFailed } from '../../core/errors.ts';
import { describeHead, type ObjectFacts, sourceFacts } from '../../core/object-facts.ts';
import { sameDigest } from '../../core/stream-digest.ts';
import type { Replica, SourceObject, TaskInput, VerifyResult } from '../../core/workflow.ts';
import { isMissingObject, isPreconditionFailed, sendOptions } from '../shared/aws-call.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import type { GrantAdviceDeps } from '../shared/grant-advice.ts';
import { silentLog, type TaskLog } from '../shared/log.ts';
import { pinnedReadParams, sourceOwnerOf } from '../shared/source-pin.ts';
import type { TaskOptions } from '../shared/task.ts';
import { chooseEvidence } from './evidence-choice.ts';
import { provenByReport, reportedReplicaFacts } from './reported-evidence.ts';
import { streamSha256 } from './stream-hash.ts';

/** What the Verify task needs. */
export interface VerifyCopyDeps extends GrantAdviceDeps {
  readonly s3ClientFor: S3ClientFor;
  readonly log?: TaskLog;
}

function describeSource(source: SourceObject): string {
  return `s3://${source.bucket}/${source.key}${source.versionId === undefined ? '' : ` (version ${source.versionId})`}`;
}

function describeReplica(replica: Replica): string {
  return `s3://${replica.bucket}/${replica.key}${replica.versionId === undefined ? '' : ` (version ${replica.versionId})`}`;
}

/**
 * The pinned source's facts: those ResolveTargets recorded (they describe exactly the version
 * copied). An execution started before ResolveTargets recorded all of them (no `content`) cannot
 * tell a fact it lacks from one it did not record, so it reads them with a HEAD of the pinned
 * source — or, when the source vanished or changed since the copy, uses what it has.
 */
async function sourceSide(
  input: TaskInput,
  deps: VerifyCopyDeps,
  signal: AbortSignal | undefined,
): Promise<ObjectFacts> {
  const { source } = input;
  if (source.content !== undefined) return sourceFacts(source);
  try {
    const head = await deps.s3ClientFor(source.region).send(
      new HeadObjectCommand({
        Bucket: source.bucket,
        Key: source.key,
        ...pinnedReadParams(source),
        ChecksumMode: 'ENABLED',
        ...sourceOwnerOf(source),
      }),
      sendOptions(signal),
    );
    return describeHead(head);
  } catch (err) {
    if (isMissingObject(err) || isPreconditionFailed(err)) return sourceFacts(source);
    throw classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'source',
      bucket: source.bucket,
      key: source.key,
    });
  }
}

/** The replica's facts, pinned to what the copy made (its version, else its ETag). */
async function replicaSide(
  input: TaskInput,
  replica: Replica,
  deps: VerifyCopyDeps,
  signal: AbortSignal | undefined,
): Promise<ObjectFacts> {
  const { target } = input;
  try {
    const head = await deps.s3ClientFor(target.region).send(
      new HeadObjectCommand({
        Bucket: replica.bucket,
        Key: replica.key,
        ...pinnedReadParams(replica),
        ChecksumMode: 'ENABLED',
        ...(target.account === undefined ? {} : { ExpectedBucketOwner: target.account }),
      }),
      sendOptions(signal),
    );
    return describeHead(head);
  } catch (err) {
    if (isMissingObject(err) || isPreconditionFailed(err)) {
      throw new VerificationFailed(
        `The replica ${describeReplica(replica)} ${isPreconditionFailed(err) ? `is no longer the object copied (ETag ${replica.etag})` : 'no longer exists'}`,
        { cause: err, operation: 's3:HeadObject' },
      );
    }
    throw classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'target',
      bucket: replica.bucket,
      key: replica.key,
    });
  }
}

async function streamedComparison(
  input: TaskInput,
  replica: Replica,
  deps: VerifyCopyDeps,
  signal: AbortSignal | undefined,
): Promise<{ equal: boolean; values: readonly [string, string] }> {
  const { source, target } = input;
  const [a, b] = await Promise.all([
    streamSha256(
      deps.s3ClientFor(source.region),
      {
        bucket: source.bucket,
        key: source.key,
        pin: pinnedReadParams(source),
        ...(source.account === undefined ? {} : { expectedBucketOwner: source.account }),
      },
      { operation: 's3:GetObject', side: 'source', bucket: source.bucket, key: source.key },
      signal,
    ),
    streamSha256(
      deps.s3ClientFor(target.region),
      {
        bucket: replica.bucket,
        key: replica.key,
        pin: pinnedReadParams(replica),
        ...(target.account === undefined ? {} : { expectedBucketOwner: target.account }),
      },
      { operation: 's3:GetObject', side: 'target', bucket: replica.bucket, key: replica.key },
      signal,
    ),
  ]);
  return {
    equal: sameDigest(a, b),
    values: [`${a.sha256} (${a.bytes} bytes)`, `${b.sha256} (${b.bytes} bytes)`],
  };
}

/**
 * The Verify task (DESIGN §2 "ETag is not a checksum"): the sizes must match; then the strongest
 * valid evidence (or the one `settings.verify` forces) must agree. The source's facts are those
 * ResolveTargets recorded (read again only for an execution that did not record them); the
 * replica's are what S3 reported when the copy wrote or found it — and only when those do not
 * prove it the same (older Copy results, a mismatch to confirm, a streamed hash, a forced mode they
 * cannot serve) is the replica read with a HEAD pinned to the version the copy made.
 *
 * @throws VerificationFailed naming both values when they differ (the state machine re-copies once)
 * @throws ConfigInvalid when a forced `checksum`/`etag` cannot apply, saying why
 */
export async function verifyCopy(
  input: TaskInput,
  deps: VerifyCopyDeps,
  options: TaskOptions = {},
): Promise<VerifyResult> {
  const copy = input.copy;
  if (copy === undefined || (copy.status !== 'copied' && copy.status !== 'in-sync')) {
    throw new InvalidInput(
      `Verify needs a finished copy (copy.status "copied" or "in-sync"), got ${copy === undefined ? 'no copy' : `"${copy.status}"`}`,
    );
  }
  const replica = copy.destination;
  const log = deps.log ?? silentLog;
  const reported = copy.replicaFacts;
  let source: ObjectFacts;
  let copied: ObjectFacts;
  if (reported === undefined) {
    [source, copied] = await Promise.all([
      sourceSide(input, deps, options.signal),
      replicaSide(input, replica, deps, options.signal),
    ]);
  } else {
    source = await sourceSide(input, deps, options.signal);
    const proven = provenByReport(
      input.settings.verify,
      source,
      reportedReplicaFacts(replica, reported, input.source.size),
    );
    if (proven !== undefined) {
      log.info('Replica verified', {
        replica: describeReplica(replica),
        verifiedBy: proven,
        bytes: source.size,
        from: 'what the copy reported',
      });
      return { verifiedBy: proven, bytes: source.size };
    }
    copied = await replicaSide(input, replica, deps, options.signal);
  }
  const between = `the replica ${describeReplica(replica)} and the source ${describeSource(input.source)}`;
  const plan = chooseEvidence(input.settings.verify, source, copied);
  if (plan.kind === 'mismatch') {
    throw new VerificationFailed(
      plan.verifiedBy === 'size'
        ? `Sizes differ between ${between}: source ${source.size} bytes, replica ${copied.size} bytes`
        : `${plan.verifiedBy} differs between ${between}: source ${plan.values[0]}, replica ${plan.values[1]}`,
    );
  }
  const verifiedBy = plan.kind === 'verified' ? plan.verifiedBy : 'stream:sha256';
  if (plan.kind === 'stream') {
    const outcome = await streamedComparison(input, replica, deps, options.signal);
    if (!outcome.equal) {
      throw new VerificationFailed(
        `${verifiedBy} differs between ${between}: source ${outcome.values[0]}, replica ${outcome.values[1]}`,
      );
    }
  }
  log.info('Replica verified', {
    replica: describeReplica(replica),
    verifiedBy,
    bytes: source.size,
    from: 'a HEAD of the replica',
  });
  return { verifiedBy, bytes: source.size };
}
