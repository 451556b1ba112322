/**
 * The UI's reading of the API's execution answers, with safeParse and a fallback per field: a field the
 * page cannot read (an execution of an older output shape, a server of another version) becomes null —
 * shown as "unknown" — instead of a blank page or a crash. Only what identifies the execution (its ARN)
 * must be there.
 */
import { z } from 'zod';
import type {
  ApprovalDecisionView,
  ApprovalTargetView,
  ApprovalView,
  ExecutionDetailView,
  ExecutionPage,
  ExecutionSummary,
  TargetRow,
} from '../api-types.ts';

/** Any JSON value, kept as it is (absent: null). */
const asIs = z
  .unknown()
  .optional()
  .transform((value) => value ?? null);

/** The value `schema` reads, else null. */
const orNull = <T extends z.ZodType>(schema: T) => schema.nullable().catch(null);

const countsSchema = orNull(
  z.object({
    total: z.number(),
    ok: z.number(),
    failed: z.number(),
    skipped: z.number(),
    pending: z.number(),
  }),
);

const sourceSchema = orNull(
  z
    .object({ bucket: z.string(), key: z.string(), versionId: z.string().optional() })
    .transform(({ bucket, key, versionId }) =>
      versionId === undefined ? { bucket, key } : { bucket, key, versionId },
    ),
);

const summarySchema = z.object({
  executionArn: z.string(),
  name: z.string().catch((ctx) => String(ctx.value ?? 'unknown')),
  status: z.string().catch('UNKNOWN'),
  startDate: z.string().catch(''),
  stopDate: orNull(z.string()),
  durationMs: orNull(z.number()),
  source: sourceSchema,
  redriveCount: z.number().catch(0),
  targets: countsSchema,
}) satisfies z.ZodType<ExecutionSummary>;

const targetRowSchema = z.object({
  index: z.number(),
  label: z.string().catch('unknown'),
  region: orNull(z.string()),
  bucket: orNull(z.string()),
  key: orNull(z.string()),
  status: z.string().catch('unknown'),
  bytes: orNull(z.number()),
  verifiedBy: orNull(z.string()),
  deploymentId: orNull(z.string()),
  deploymentStatus: orNull(z.string()),
  error: orNull(z.string()),
  message: orNull(z.string()),
  wave: orNull(z.number()),
}) satisfies z.ZodType<TargetRow>;

const decisionSchema = z.object({
  decision: z.enum(['approved', 'rejected']),
  by: z.string().catch('unknown'),
  at: z.string().catch(''),
  comment: orNull(z.string()),
}) satisfies z.ZodType<ApprovalDecisionView>;

const approvalSchema = z.object({
  wave: z.number(),
  status: z.enum(['pending', 'approved', 'rejected', 'timed-out', 'failed', 'stopped']),
  requestedAt: orNull(z.string()),
  timeoutSeconds: orNull(z.number()),
  deadline: orNull(z.string()),
  decision: orNull(decisionSchema),
  error: orNull(z.string()),
  cause: orNull(z.string()),
  summary: z.string().catch(''),
}) satisfies z.ZodType<ApprovalView>;

const approvalTargetSchema = z.object({
  index: z.number(),
  region: orNull(z.string()),
  location: z.string().catch('unknown'),
  application: orNull(z.string()),
  deploymentGroup: orNull(z.string()),
}) satisfies z.ZodType<ApprovalTargetView>;

const approvalsSchema = z
  .object({
    requests: readable(approvalSchema),
    pending: orNull(approvalSchema),
    pendingTargets: readable(approvalTargetSchema),
    decidesAs: z.string().catch('unknown'),
  })
  // No approvals: what an answer without them (a server of an older version) reads as.
  .catch(() => ({ requests: [], pending: null, pendingTargets: [], decidesAs: 'unknown' }));

const eventSchema = z.object({
  id: z.number(),
  previousEventId: orNull(z.number()),
  type: z.string().catch('Unknown'),
  timestamp: z.string().catch(''),
  stateName: orNull(z.string()),
  details: z.unknown(),
});

/** Items of a list that read; the others dropped (a list is never lost for one bad item). */
function readable<T extends z.ZodType>(item: T) {
  return z
    .array(z.unknown())
    .catch([])
    .transform((items) =>
      items.flatMap((value) => {
        const parsed = item.safeParse(value);
        return parsed.success ? [parsed.data as z.output<T>] : [];
      }),
    );
}

const pageSchema = z.object({
  stateMachineArn: z.string().catch(''),
  executions: readable(summarySchema),
  nextToken: orNull(z.string()),
  scanned: z.number().catch(0),
});

const detailSchema = z.object({
  summary: summarySchema,
  stateMachineArn: z.string().catch(''),
  error: orNull(z.string()),
  message: orNull(z.string()),
  notRedrivable: z.string().nullable().catch('the console cannot tell whether it can be redriven'),
  input: asIs,
  output: asIs,
  outputShape: z.enum(['relayed', 'deleted', 'nothing', 'unknown']).nullable().catch('unknown'),
  targets: readable(targetRowSchema),
  approvals: approvalsSchema,
  definition: asIs,
  events: readable(eventSchema),
});

/** Raised when an answer does not even name what it is about. */
export class UnreadableAnswerError extends Error {
  override readonly name = 'UnreadableAnswerError';
}

/** GET /api/executions's answer, every readable row kept. */
export function readExecutionPage(value: unknown): ExecutionPage {
  const parsed = pageSchema.safeParse(value);
  if (!parsed.success) throw new UnreadableAnswerError('the executions list answer cannot be read');
  return parsed.data;
}

/** GET /api/executions/:arn's answer; what cannot be read is null (unknown). */
export function readExecutionDetail(value: unknown): ExecutionDetailView {
  const parsed = detailSchema.safeParse(value);
  if (!parsed.success) throw new UnreadableAnswerError('the execution answer does not name an execution');
  return parsed.data;
}
