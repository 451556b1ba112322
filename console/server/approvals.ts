/**
 * The console's reading of deployment-wave approvals (docs/waves.md): what the execution page shows —
 * every request, the one waiting now and the targets its wave would deploy — never the task token, and
 * the checked JSON body of POST …/approve and …/reject (decided in actions.ts).
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import type { ExecutionDetails } from '../../cli/executions/describe.ts';
import {
  type ApprovalDecision,
  type ApprovalRequest,
  approvalsOf,
  approveWaveState,
  describeApproval,
  pendingApproval,
} from '../../core/approvals.ts';
import {
  type ApprovalDecisionView,
  type ApprovalsView,
  type ApprovalTargetView,
  type ApprovalView,
  MAX_COMMENT_CHARS,
  type TargetRow,
} from '../api-types.ts';
import { BadRequestError, UnsupportedMediaTypeError } from './errors.ts';

/** A decision as the UI reads it. */
export function decisionView(decision: ApprovalDecision): ApprovalDecisionView {
  return {
    decision: decision.decision,
    by: decision.by,
    at: decision.at,
    comment: decision.comment ?? null,
  };
}

function deadlineOf(request: ApprovalRequest): string | null {
  if (request.requestedAt === undefined || request.timeoutSeconds === undefined) return null;
  const at = Date.parse(request.requestedAt) + request.timeoutSeconds * 1000;
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

/** A request as the UI reads it — without its task token. */
export function approvalView(request: ApprovalRequest): ApprovalView {
  return {
    wave: request.wave,
    status: request.status,
    requestedAt: request.requestedAt ?? null,
    timeoutSeconds: request.timeoutSeconds ?? null,
    deadline: request.status === 'pending' ? deadlineOf(request) : null,
    decision: request.decision === undefined ? null : decisionView(request.decision),
    error: request.error ?? null,
    cause: request.cause ?? null,
    summary: describeApproval(request),
  };
}

/** One item of a wave's Map as the approval Task's parameters carry it (`Entries[0].Detail.items`). */
const waveItemSchema = z.object({
  index: z.number().int().min(0),
  target: z
    .object({
      bucket: z.string(),
      region: z.string(),
      keyPrefix: z.string().optional(),
      deploy: z.object({ application: z.string(), deploymentGroup: z.string() }).loose().optional(),
    })
    .loose(),
});

const approvalParametersSchema = z.object({
  Entries: z.tuple(
    [z.object({ Detail: z.object({ items: z.array(waveItemSchema) }).loose() }).loose()],
    z.unknown(),
  ),
});

/**
 * The items the last request for wave `wave` asked about: the `TaskScheduled` event that follows its
 * `Approve wave <n>` state's entry (approvals run one at a time, at the top level). Undefined when the
 * history does not show them (read without execution data).
 */
function requestedItems(
  history: readonly HistoryEvent[],
  wave: number,
): z.infer<typeof waveItemSchema>[] | undefined {
  const state = approveWaveState(wave);
  const entered = history.findLastIndex(
    (e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === state,
  );
  if (entered < 0) return undefined;
  const scheduled = history.slice(entered).find((e) => e.type === 'TaskScheduled');
  let parameters: unknown;
  try {
    parameters = JSON.parse(scheduled?.taskScheduledEventDetails?.parameters ?? '');
  } catch {
    return undefined;
  }
  const parsed = approvalParametersSchema.safeParse(parameters);
  return parsed.success ? parsed.data.Entries[0].Detail.items : undefined;
}

function locationOf(
  row: TargetRow | undefined,
  fallback: { bucket: string; keyPrefix?: string | undefined },
) {
  if (row?.bucket !== null && row?.bucket !== undefined) return `s3://${row.bucket}/${row.key ?? ''}`;
  return `s3://${fallback.bucket}/${fallback.keyPrefix ?? ''}`;
}

/**
 * The targets wave `wave` would deploy: the request's own items (with their deployment groups), each
 * with its replica from the results table; where the history does not show the items, the rows of
 * that wave.
 */
function targetsOfWave(
  history: readonly HistoryEvent[],
  rows: readonly TargetRow[],
  wave: number,
): ApprovalTargetView[] {
  const items = requestedItems(history, wave);
  if (items === undefined) {
    return rows
      .filter((row) => row.wave === wave)
      .map((row) => ({
        index: row.index,
        region: row.region,
        location: row.bucket === null ? row.label : `s3://${row.bucket}/${row.key ?? ''}`,
        application: null,
        deploymentGroup: null,
      }));
  }
  return items.map(({ index, target }) => ({
    index,
    region: target.region,
    location: locationOf(
      rows.find((row) => row.index === index),
      target,
    ),
    application: target.deploy?.application ?? null,
    deploymentGroup: target.deploy?.deploymentGroup ?? null,
  }));
}

/** The approvals part of an execution's page. */
export function approvalsViewOf(
  details: ExecutionDetails,
  history: readonly HistoryEvent[],
  rows: readonly TargetRow[],
  decidesAs: string,
): ApprovalsView {
  const requests = approvalsOf(history);
  const pending = details.status === 'RUNNING' ? pendingApproval(requests) : undefined;
  return {
    requests: requests.map(approvalView),
    pending: pending === undefined ? null : approvalView(pending),
    pendingTargets: pending === undefined ? [] : targetsOfWave(history, rows, pending.wave),
    decidesAs,
  };
}

/** What the routes hand in: the request body as sent, and whether it was too long to read. */
export interface DecisionRequest {
  readonly body?: string | undefined;
  readonly contentType?: string | undefined;
}

const comment = z
  .string({ error: 'must be text' })
  .max(MAX_COMMENT_CHARS, { error: `must be at most ${MAX_COMMENT_CHARS} characters` });
const wave = z
  .number({ error: 'must be a whole number of 2 or more' })
  .int({ error: 'must be a whole number of 2 or more' })
  .min(2, { error: 'must be a whole number of 2 or more' });

const approveBodySchema = z.strictObject({ comment: comment.optional(), wave: wave.optional() });
const rejectBodySchema = z.strictObject({
  reason: comment.refine((text) => text.trim() !== '', {
    error: 'must say why (it is recorded with the rejection)',
  }),
  wave: wave.optional(),
});

const BODY_SHAPES = {
  approved: '{ "comment"?: string, "wave"?: number }',
  rejected: '{ "reason": string, "wave"?: number }',
} as const;

/** The JSON body of an approve (`{ comment?, wave? }`) or reject (`{ reason, wave? }`), checked. */
export function readDecisionBody(
  decision: ApprovalDecision['decision'],
  request: DecisionRequest,
): { comment?: string | undefined; wave?: number | undefined } {
  const text = request.body ?? '';
  const shape = BODY_SHAPES[decision];
  let value: unknown = {};
  if (text.trim() !== '') {
    const type = request.contentType?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new UnsupportedMediaTypeError(
        `send the body as JSON (content-type: application/json), not ${type ?? 'without a content-type'}: ${shape}`,
      );
    }
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      throw new BadRequestError(`the body is not JSON: send ${shape}`);
    }
  }
  if (decision === 'approved') {
    const parsed = approveBodySchema.safeParse(value);
    if (!parsed.success) throw new BadRequestError(bodyProblem(parsed.error, shape));
    return parsed.data;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('reason' in value)) {
    throw new BadRequestError(
      `a rejection needs a reason: send ${shape} — it is recorded with the rejection`,
    );
  }
  const parsed = rejectBodySchema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(bodyProblem(parsed.error, shape));
  return { comment: parsed.data.reason, wave: parsed.data.wave };
}

function bodyProblem(error: z.ZodError, shape: string): string {
  const problems = error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys')
      return `unknown member ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const path = issue.path.join('.');
    return path === '' ? 'the body must be a JSON object' : `"${path}" ${issue.message}`;
  });
  return `${problems.join('; ')} — send ${shape}`;
}
