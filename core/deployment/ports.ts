/**
 * The ports through which the deployment logic (start.ts) reaches AWS: the group's ledger object in
 * S3 (GetObject, and PutObject with `If-None-Match`/`If-Match` — S3's conditional writes), the replica's
 * current HEAD, and CodeDeploy's ListDeployments/BatchGetDeployments, CreateDeployment and
 * GetDeployment. Each side implements them with its own SDK clients: the StartDeployment task over
 * its injected clients, `relay deploy` over the operator's. No SDK types cross these interfaces.
 */
import type { LedgerRecord } from '../deployment-ledger.ts';
import type { DeploymentStatus } from '../workflow.ts';

/** The ledger as read: its record (when readable) and the ETag a conditional write must match. */
export interface LedgerRead {
  readonly record: LedgerRecord | undefined;
  /** Unquoted; `undefined` when there is no ledger object yet. */
  readonly etag: string | undefined;
}

/** One deployment group's ledger object. */
export interface LedgerPort {
  read(): Promise<LedgerRead>;
  /**
   * Writes `record` only if the ledger is still as read (absent when `expected` is `undefined`);
   * the new ETag, or `undefined` when another writer came first.
   */
  write(record: LedgerRecord, expected: string | undefined): Promise<string | undefined>;
}

/** What a HEAD of the replica's key answers now. */
export interface ReplicaHead {
  readonly versionId?: string | undefined;
  /** Unquoted. */
  readonly etag: string;
  readonly metadata?: Record<string, string> | undefined;
}

/** The replica's key as it is now. */
export interface ReplicaPort {
  /** The key's current object; `undefined` when there is none. */
  head(): Promise<ReplicaHead | undefined>;
}

/** A CodeDeploy S3 revision: the replica object, its bundle type, ETag (unquoted) and version. */
export interface DeploymentRevision {
  readonly bucket: string;
  readonly key: string;
  readonly bundleType: string;
  readonly etag: string;
  readonly versionId?: string;
}

/** What GetDeployment (or a found deployment) tells about one deployment. */
export interface DeploymentFacts {
  readonly id: string;
  /** CodeDeploy's status as sent (may be missing or unknown). */
  readonly status: string | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
}

/** What CreateDeployment is asked. */
export interface CreateDeploymentRequest {
  readonly application: string;
  readonly deploymentGroup: string;
  readonly revision: DeploymentRevision;
  readonly deploymentConfigName?: string;
  readonly description: string;
}

/** One region's CodeDeploy. */
export interface DeploymentsPort {
  /** A recent deployment in the group of exactly this revision, in one of `statuses`. */
  find(
    group: { readonly application: string; readonly deploymentGroup: string },
    revision: DeploymentRevision,
    statuses: readonly DeploymentStatus[],
    now: number,
  ): Promise<DeploymentFacts | undefined>;
  /** Creates the deployment; its id. A refusal is thrown as `DeploymentRejected`. */
  create(request: CreateDeploymentRequest): Promise<string>;
  get(id: string): Promise<DeploymentFacts | undefined>;
}

/** The little logging the deployment logic does. */
export interface DeploymentLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Everything the deployment logic reaches AWS through. */
export interface DeploymentPorts {
  readonly ledger: LedgerPort;
  readonly replica: ReplicaPort;
  readonly deployments: DeploymentsPort;
  readonly log?: DeploymentLog;
}
