/**
 * The console's JSON API as the server answers it and the UI reads it: plain data, dates as ISO 8601
 * strings. Shared by console/server (which builds these from the CLI's execution readers) and
 * console/ui (which draws them).
 */

/** The object an execution relays. */
export interface SourceView {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** What became of an execution's targets (see countOutcomes in the CLI). */
export interface TargetCountsView {
  readonly total: number;
  readonly ok: number;
  readonly failed: number;
  readonly skipped: number;
  readonly pending: number;
}

/** One row of the executions list. */
export interface ExecutionSummary {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: string;
  readonly stopDate: string | null;
  readonly durationMs: number | null;
  readonly source: SourceView | null;
  readonly redriveCount: number;
  /** Null when neither the output nor the history says (an output shape this console does not read). */
  readonly targets: TargetCountsView | null;
}

/** GET /api/executions */
export interface ExecutionPage {
  readonly stateMachineArn: string;
  readonly executions: readonly ExecutionSummary[];
  /** Pass as `?next=` for the following (older) page; null on the last page. */
  readonly nextToken: string | null;
  /** Executions this page looked at: its rows, those the key filter left out, those outside the time window. */
  readonly scanned: number;
}

/** One target's row of an execution's results table. */
export interface TargetRow {
  readonly index: number;
  readonly label: string;
  readonly region: string | null;
  readonly bucket: string | null;
  /** The replica's key, else the target's key prefix. */
  readonly key: string | null;
  readonly status: string;
  readonly bytes: number | null;
  readonly verifiedBy: string | null;
  readonly deploymentId: string | null;
  readonly deploymentStatus: string | null;
  readonly error: string | null;
  readonly message: string | null;
  /** The deployment wave it deploys in when that is a later one (2 or more, docs/waves.md), else null. */
  readonly wave: number | null;
}

/** One history event, as GetExecutionHistory returns it (details kept as they are). */
export interface HistoryEventView {
  readonly id: number;
  readonly previousEventId: number | null;
  readonly type: string;
  readonly timestamp: string;
  /** The state the event enters or exits, when it names one. */
  readonly stateName: string | null;
  readonly details: unknown;
}

/** GET /api/executions/:arn */
export interface ExecutionDetailView {
  readonly summary: ExecutionSummary;
  readonly stateMachineArn: string;
  readonly error: string | null;
  readonly message: string | null;
  /** Why Redrive is not offered, or null when it is. */
  readonly notRedrivable: string | null;
  readonly input: unknown;
  readonly output: unknown;
  /**
   * How the output reads: `relayed` (one result per target), `nothing` (nothing to relay), `unknown` (a
   * shape this console does not read: the fields it would give show as unknown), null (no output yet).
   */
  readonly outputShape: 'relayed' | 'deleted' | 'nothing' | 'unknown' | null;
  readonly targets: readonly TargetRow[];
  /** The approvals of its deployment waves: asked, decided, and the one waiting now. */
  readonly approvals: ApprovalsView;
  /** The Amazon States Language definition the execution ran with (parsed JSON). */
  readonly definition: unknown;
  readonly events: readonly HistoryEventView[];
}

/** Where one request for an approval of a deployment wave stands (core/approvals.ts `ApprovalStatus`). */
export type ApprovalStatusView = 'pending' | 'approved' | 'rejected' | 'timed-out' | 'failed' | 'stopped';

/** What a person decided, as the execution's history records it. */
export interface ApprovalDecisionView {
  readonly decision: 'approved' | 'rejected';
  /** Who decided, as they named themselves (`relay approve --as`, or the operator running the console). */
  readonly by: string;
  readonly at: string;
  /** The approver's comment or the rejection's reason. */
  readonly comment: string | null;
}

/** A target a wave waiting for approval would deploy. */
export interface ApprovalTargetView {
  /** The target's index in the execution's results. */
  readonly index: number;
  readonly region: string | null;
  /** The replica it would deploy (`s3://bucket/key`), else the target's bucket and key prefix. */
  readonly location: string;
  readonly application: string | null;
  readonly deploymentGroup: string | null;
}

/**
 * One request for an approval of a deployment wave (a redrive asks again: a new request). Never carries
 * the task token: the console answers it itself (POST …/approve, …/reject).
 */
export interface ApprovalView {
  readonly wave: number;
  readonly status: ApprovalStatusView;
  readonly requestedAt: string | null;
  readonly timeoutSeconds: number | null;
  /** When a pending request times out (requestedAt + timeoutSeconds), holding the wave. */
  readonly deadline: string | null;
  readonly decision: ApprovalDecisionView | null;
  /** Why it failed, timed out or was stopped, when no person decided. */
  readonly error: string | null;
  readonly cause: string | null;
  /** One line for people (core/approvals.ts `describeApproval`). */
  readonly summary: string;
}

/** The approvals of an execution's deployment waves. */
export interface ApprovalsView {
  /** Every request, oldest first. */
  readonly requests: readonly ApprovalView[];
  /** The request the running execution waits on now, else null. */
  readonly pending: ApprovalView | null;
  /** The targets the pending wave would deploy (empty when nothing is pending). */
  readonly pendingTargets: readonly ApprovalTargetView[];
  /** Who a decision made in this console is recorded as: the operator running it (`user@host`). */
  readonly decidesAs: string;
}

/**
 * The longest comment or reason an approval decision takes. The decision travels as SendTaskFailure's
 * `cause` (at most 32,768 characters, Step Functions API reference) with who and when beside it: this
 * keeps it well inside, and a person's reason is never that long.
 */
export const MAX_COMMENT_CHARS = 4000;

/** POST /api/executions/:arn/approve with `{ comment?, wave? }`, or …/reject with `{ reason, wave? }`. */
export interface ApprovalAnswerView {
  readonly executionArn: string;
  readonly name: string;
  readonly wave: number;
  readonly decision: ApprovalDecisionView;
}

/** POST /api/executions/:arn/redrive */
export interface RedriveAnswer {
  readonly executionArn: string;
  readonly action: 'redriven' | 'skipped';
  readonly reason: string | null;
}

/** POST /api/executions/:arn/stop */
export interface StopAnswer {
  readonly executionArn: string;
  readonly action: 'stopped' | 'skipped';
  /** Why it was not stopped. */
  readonly reason: string | null;
  readonly stopDate: string | null;
}

/** POST /api/relay-again?bucket=&key= — what `relay replay s3://bucket/key` did for that one object. */
export interface RelayAgainAnswer {
  readonly bucket: string;
  readonly key: string;
  /** The version relayed (the object's current one); absent for an unversioned bucket. */
  readonly versionId: string | null;
  /** `started`: a new execution; `already-relayed`: this version's execution exists (replay starts none). */
  readonly status: 'started' | 'already-relayed' | 'failed';
  readonly executionArn: string | null;
  readonly detail: string | null;
}

/** An object's server-side encryption, as S3 reports it. */
export interface EncryptionView {
  readonly type: string;
  readonly kmsKeyId: string | null;
}

/** One target's replica, as `relay status` judges it. */
export interface ReplicaView {
  readonly target: string;
  readonly region: string;
  readonly bucket: string;
  readonly key: string;
  /** `relay status`'s verdict: in-sync, superseded, missing, different, error. */
  readonly status: string;
  /** In sync: the evidence. Otherwise: what is there instead. */
  readonly detail: string;
  readonly versionId: string | null;
  readonly etag: string | null;
  readonly size: number | null;
  readonly encryption: EncryptionView | null;
  /** The target's own CodeDeploy settings (the Deploy… form starts from them); null when it does not deploy. */
  readonly deploy: DeploySettingsView | null;
}

/** A target's `deploy` configuration, as the Deploy… form offers it. */
export interface DeploySettingsView {
  readonly application: string;
  readonly deploymentGroup: string;
  readonly bundleType: string | null;
  readonly deploymentConfigName: string | null;
}

/**
 * POST /api/deploy?bucket=&key=&region=&versionId=&application=&deploymentGroup=&bundleType=
 * &deploymentConfig=&rollback= — what `relay deploy` started (or why it deployed nothing).
 */
export interface DeployAnswer {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly application: string;
  readonly deploymentGroup: string;
  /** The replica version deployed (HEAD's). */
  readonly versionId: string | null;
  readonly rollback: boolean;
  /** `started`: a deployment started or reused; `skipped`: newest wins left the group alone. */
  readonly action: 'started' | 'skipped';
  readonly deploymentId: string | null;
  readonly status: string;
  readonly done: boolean;
  /** Skipped: which newer build the group has (what a rollback would roll back from). */
  readonly detail: string | null;
  readonly newerDeploymentId: string | null;
}

/** GET /api/deploy/status?region=&deploymentId= — one look at a deployment (GetDeployment). */
export interface DeploymentStatusAnswer {
  readonly deploymentId: string;
  readonly status: string;
  /** Whether it has ended: Succeeded, Failed or Stopped. */
  readonly ended: boolean;
  readonly failed: boolean;
  /** Failed or Stopped: CodeDeploy's error code and message. */
  readonly message: string | null;
}

/** GET /api/replicas?bucket=&key=&versionId= */
export interface ReplicasView {
  readonly source: {
    readonly bucket: string;
    readonly key: string;
    readonly region: string;
    readonly versionId: string | null;
    readonly etag: string;
    readonly size: number;
    readonly encryption: EncryptionView | null;
  };
  readonly inSync: boolean;
  readonly targets: readonly ReplicaView[];
}

/** One CodeDeploy deployment (BatchGetDeployments). */
export interface DeploymentView {
  readonly deploymentId: string;
  readonly status: string;
  readonly createTime: string | null;
  readonly completeTime: string | null;
  readonly creator: string | null;
  readonly description: string | null;
  readonly revision: {
    readonly bucket: string | null;
    readonly key: string | null;
    readonly bundleType: string | null;
    readonly version: string | null;
    readonly eTag: string | null;
  } | null;
  readonly errorMessage: string | null;
}

/** A configured deployment group and one page of its deployments. */
export interface DeploymentGroupPage {
  readonly region: string;
  readonly application: string;
  readonly deploymentGroup: string;
  readonly deployments: readonly DeploymentView[];
  /** Pass as `?next=` to GET /api/deployments/group for the following page; null on the last page. */
  readonly nextToken: string | null;
  /** Why this group could not be read (the others still are). */
  readonly error: ErrorAnswer | null;
}

/** GET /api/deployments — the first page of each configured deploying target's group. */
export interface DeploymentsView {
  readonly groups: readonly DeploymentGroupPage[];
}

/** A backfill work list's counts (core/backfill.ts `WorkListCounts`): what BuildWorkList listed and kept. */
export interface WorkListCountsView {
  readonly listed: number;
  readonly tooOld: number;
  readonly noTarget: number;
  readonly inSync: number;
  readonly queued: number;
  readonly queuedBytes: number;
}

/** A backfill's objects as its map run counts them: done (ended, any way), failed (failed, timed out, aborted). */
export interface BackfillItemsView {
  readonly total: number;
  readonly done: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly running: number;
  readonly pending: number;
}

/** One row of the backfills list (read as `relay backfill status` reads a backfill). */
export interface BackfillSummary {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: string;
  readonly stopDate: string | null;
  /** Null before BuildWorkList first answered. */
  readonly workList: WorkListCountsView | null;
  /** Null before the map run started (or when the work list was empty: no map run). */
  readonly items: BackfillItemsView | null;
}

/** GET /api/backfills */
export interface BackfillPage {
  readonly stateMachineArn: string;
  readonly backfills: readonly BackfillSummary[];
  /** Pass as `?next=` for the following (older) page; null on the last page. */
  readonly nextToken: string | null;
}

/** DescribeMapRun's `itemCounts` or `executionCounts`. */
export interface MapRunCountsView {
  readonly total: number;
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly aborted: number;
  readonly resultsWritten: number;
}

/** Where a map run's ResultWriter writes: `<prefix>/<map run id>/manifest.json` and the result files beside it. */
export interface MapRunResultsView {
  readonly bucket: string;
  readonly prefix: string;
  readonly manifestKey: string;
  /** `s3://bucket/manifestKey`. */
  readonly manifestUrl: string;
  /** Whether the manifest is there: null while the map run runs or when it could not be read (see `error`). */
  readonly written: boolean | null;
  /** Why the manifest could not be read. */
  readonly error: string | null;
}

/** One map run of a backfill (DescribeMapRun). */
export interface MapRunView {
  readonly mapRunArn: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  readonly toleratedFailureCount: number;
  readonly items: MapRunCountsView;
  readonly executions: MapRunCountsView;
  readonly redriveCount: number;
  readonly redriveDate: string | null;
  /** Null when the console cannot tell where the results go (no work list read). */
  readonly results: MapRunResultsView | null;
}

/** The work-list object a child relays (core/backfill.ts `WorkItem`). */
export interface BackfillObjectView {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
}

/** One child execution of a map run: the object it relays and the relay execution it started. */
export interface MapRunChildView {
  /** Null for an item the ResultWriter lists that has no child execution. */
  readonly executionArn: string | null;
  readonly name: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  readonly object: BackfillObjectView | null;
  /** The relay execution it started (opens in the execution page); null before it is known. */
  readonly relayExecutionArn: string | null;
  readonly relayStatus: string | null;
  readonly error: string | null;
  readonly message: string | null;
}

/** GET /api/map-runs/:mapRunArn/executions?status=&next= — one page of a map run's child executions. */
export interface MapRunChildrenPage {
  readonly mapRunArn: string;
  readonly children: readonly MapRunChildView[];
  /** Pass as `?next=` for the following page; null on the last page. */
  readonly nextToken: string | null;
}

/**
 * The failed items of a backfill's latest map run: from the ResultWriter's FAILED files once they are
 * written (`results`), else the map run's FAILED child executions, a page at a time (`children`: more with
 * GET /api/map-runs/:mapRunArn/executions?status=FAILED&next=).
 */
export interface FailedItemsView {
  readonly from: 'results' | 'children' | 'none';
  readonly mapRunArn: string | null;
  readonly items: readonly MapRunChildView[];
  /** How many the FAILED files list (from `results`); null from the children (paged). */
  readonly total: number | null;
  /** The FAILED files (`s3://…`), from `results`. */
  readonly files: readonly string[];
  readonly nextToken: string | null;
}

/** GET /api/backfills/:arn */
export interface BackfillDetailView {
  readonly summary: BackfillSummary;
  readonly stateMachineArn: string;
  /** The backfill request (its execution input), as it was sent. */
  readonly request: unknown;
  readonly workList: {
    readonly counts: WorkListCountsView;
    readonly done: boolean;
    /** `s3://bucket/key` of the JSONL work list. */
    readonly location: string;
    readonly items: number;
  } | null;
  readonly error: string | null;
  readonly message: string | null;
  readonly redriveCount: number;
  /** Why Redrive is not offered, or null when it is (a redrive of the backfill redrives its map run's failed items). */
  readonly notRedrivable: string | null;
  /** Its map runs, the latest first (one, unless the definition has several Distributed Maps). */
  readonly mapRuns: readonly MapRunView[];
  readonly failed: FailedItemsView;
}

/** Every error answer. */
export interface ErrorAnswer {
  readonly error: string;
  readonly message: string;
}

/** The header mutating requests carry the page's token in. */
export const TOKEN_HEADER = 'x-relay-console-token';

/** The `<meta name>` the page carries the token in. */
export const TOKEN_META = 'relay-console-token';
