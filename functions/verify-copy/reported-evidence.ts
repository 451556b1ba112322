/**
 * Verify's evidence without reading the replica: what S3 reported about it when Copy wrote it
 * (the CopyObject / CompleteMultipartUpload answer) or found it in sync (the destination's HEAD),
 * carried in the Copy result (`replicaFacts`, copy-object/replica-facts.ts). The checksum and ETag
 * such an answer reports are the ones S3 stored with that replica version — what a HEAD with
 * `ChecksumMode=ENABLED` would report (S3 User Guide "Checking object integrity") — so they are the
 * same evidence a HEAD gives, judged by the one evidence policy (core/evidence-policy.ts).
 */
import { judgeReplica } from '../../core/evidence-policy.ts';
import type { ObjectFacts } from '../../core/object-facts.ts';
import type { HeadEvidence } from '../../core/verification.ts';
import type { RelaySettings, Replica, ReplicaFacts } from '../../core/workflow.ts';

/**
 * The replica's facts as the copy reported them. A CopyObject answer has no size: that request
 * wrote the whole pinned source version, so the source's size stands in — it only lets the policy
 * reach the digest, and only a digest over the whole content (checksum or ETag) is accepted as
 * proof below, which equal bytes of another length cannot give.
 */
export function reportedReplicaFacts(replica: Replica, facts: ReplicaFacts, sourceSize: number): ObjectFacts {
  return {
    size: facts.size ?? sourceSize,
    etag: replica.etag,
    ...(replica.versionId === undefined ? {} : { versionId: replica.versionId }),
    ...(facts.checksum === undefined ? {} : { checksum: facts.checksum }),
    ...(facts.encryption === undefined ? {} : { encryption: facts.encryption }),
    ...(facts.partCount === undefined ? {} : { partCount: facts.partCount }),
  };
}

/**
 * The evidence that proves the replica holds the source's bytes from what the copy reported, or
 * `undefined` when that cannot prove it — proven different, only a streamed hash can tell, a forced
 * mode cannot apply — and Verify must read the replica (the answer could lack what a HEAD shows,
 * and a mismatch is confirmed on the replica itself before it costs a re-copy).
 */
export function provenByReport(
  verify: RelaySettings['verify'],
  source: ObjectFacts,
  reported: ObjectFacts,
): HeadEvidence | undefined {
  const judged = judgeReplica({ source, replica: reported, verify, purpose: { kind: 'prove' } });
  return judged.verdict === 'in-sync' ? judged.by : undefined;
}
