import type { TargetConfig } from '../../core/config/schema.ts';
import type { ObjectLocation, RelaySettings, SourceObject } from '../../core/workflow.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import type { TaskLog } from '../shared/log.ts';
import type { Clock } from '../shared/task.ts';

/** Everything one Copy invocation works with. */
export interface CopyContext {
  readonly s3ClientFor: S3ClientFor;
  readonly source: SourceObject;
  readonly target: TargetConfig;
  readonly settings: RelaySettings;
  readonly destination: ObjectLocation;
  readonly signal: AbortSignal | undefined;
  readonly clock: Clock;
  readonly log: TaskLog;
  /** How many UploadPartCopy requests run at once. */
  readonly partConcurrency: number;
  /**
   * A re-copy after a verification mismatch: a replica stamped with this source version is then
   * not trusted to be in sync (the mismatched one carries that stamp too).
   */
  readonly recopy: boolean;
}

/** The target's `ExpectedBucketOwner`, when it names an account. */
export function expectedOwner(target: TargetConfig): { ExpectedBucketOwner?: string } {
  return target.account === undefined ? {} : { ExpectedBucketOwner: target.account };
}
