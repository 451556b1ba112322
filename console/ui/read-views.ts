/**
 * The UI's reading of the API's execution answers, with safeParse and a fallback per field: a field the
 * page cannot read (an execution of an older output shape, a server of another version) becomes null —
 * shown as "unknown" — instead of a blank page or a crash. Only what identifies the execution (its ARN)
 * must be there.
 */
import { z } from 'zod';
import type { ExecutionDetailView, ExecutionPage, ExecutionSummary, TargetRow } from '../api-types.ts';

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
}) satisfies z.ZodType<TargetRow>;

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
