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
  readonly targets: TargetCountsView;
}

/** GET /api/executions */
export interface ExecutionPage {
  readonly stateMachineArn: string;
  readonly executions: readonly ExecutionSummary[];
  /** Pass as `?next=` for the following (older) page; null on the last page. */
  readonly nextToken: string | null;
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
  readonly targets: readonly TargetRow[];
  /** The Amazon States Language definition the execution ran with (parsed JSON). */
  readonly definition: unknown;
  readonly events: readonly HistoryEventView[];
}

/** POST /api/executions/:arn/redrive */
export interface RedriveAnswer {
  readonly executionArn: string;
  readonly action: 'redriven' | 'skipped';
  readonly reason: string | null;
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
