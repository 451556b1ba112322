/**
 * The local S3's fault plan: seeded, per-operation and per-bucket/prefix rules for 503 SlowDown, 500
 * InternalError, connection resets, added latency and AccessDenied, plus a one-shot hook that corrupts the
 * bytes of the next copy into a key. Rules can be added and lifted while the stack runs, so a test can
 * break a target, watch the execution fail, lift the fault and redrive.
 *
 * The S3 service calls {@link FaultPlan.decide} at the start of every request and
 * {@link FaultPlan.takeCorruption} when it writes the result of a CopyObject / UploadPartCopy /
 * CompleteMultipartUpload.
 */
import { z } from 'zod';

/** What a rule does to a matching request. */
export type FaultKind = 'slowdown' | 'internal-error' | 'reset' | 'latency' | 'access-denied';

/** One fault rule. Every scope field left out matches everything. */
export interface FaultRule {
  readonly kind: FaultKind;
  /** S3 operation names (`PutObject`, `UploadPartCopy`, …). @default every operation */
  readonly operations?: readonly string[];
  /** The request's target bucket (the destination for copies). @default any bucket */
  readonly bucket?: string;
  /** A key prefix; a rule with a prefix never matches bucket-level requests. @default any key */
  readonly prefix?: string;
  /** Probability, 0..1, that a matching request is hit. @default 1 */
  readonly rate?: number;
  /** Added delay in milliseconds; required for (and only allowed on) `latency`. */
  readonly latencyMs?: number;
  /** Stop after firing this many times. @default unlimited */
  readonly times?: number;
}

/** A failure the S3 service answers with instead of serving the request. */
export type FaultFailure = 'slowdown' | 'internal-error' | 'reset' | 'access-denied';

/** The plan's answer for one request: wait `latencyMs`, then fail if `failure` is set. */
export interface FaultDecision {
  readonly latencyMs: number;
  readonly failure?: FaultFailure;
}

/** A request as the fault plan sees it. For copies, bucket/key name the destination. */
export interface FaultRequest {
  readonly operation: string;
  readonly bucket?: string;
  readonly key?: string;
}

/** A rule as {@link FaultPlan.list} reports it. */
export type ListedFaultRule = FaultRule & { readonly id: string; readonly fired: number };

/** The S3 operations the local stack serves; a rule naming anything else is a typo. */
export const S3_OPERATION_NAMES: readonly string[] = [
  'AbortMultipartUpload',
  'CompleteMultipartUpload',
  'CopyObject',
  'CreateBucket',
  'CreateMultipartUpload',
  'DeleteBucket',
  'DeleteBucketEncryption',
  'DeleteBucketTagging',
  'DeleteObject',
  'DeleteObjectTagging',
  'DeleteObjects',
  'GetBucketEncryption',
  'GetBucketLocation',
  'GetBucketTagging',
  'GetBucketVersioning',
  'GetObject',
  'GetObjectAttributes',
  'GetObjectTagging',
  'HeadBucket',
  'HeadObject',
  'ListBuckets',
  'ListMultipartUploads',
  'ListObjectVersions',
  'ListObjects',
  'ListObjectsV2',
  'ListParts',
  'PutBucketEncryption',
  'PutBucketTagging',
  'PutBucketVersioning',
  'PutObject',
  'PutObjectTagging',
  'UploadPart',
  'UploadPartCopy',
];

/** A fault rule (or the plan's seed) is invalid; `issues` lists every problem as `path: what is wrong`. */
export class InvalidFaultRuleError extends Error {
  override readonly name = 'InvalidFaultRuleError';
  constructor(readonly issues: readonly string[]) {
    super(`Invalid fault rule: ${issues.join('; ')}`);
  }
}

const FAULT_KINDS = ['slowdown', 'internal-error', 'reset', 'latency', 'access-denied'] as const;
const KNOWN_OPERATIONS = new Set(S3_OPERATION_NAMES);

const faultRuleSchema = z
  .strictObject({
    kind: z.enum(FAULT_KINDS, { error: `must be one of ${FAULT_KINDS.join(', ')}` }),
    operations: z
      .array(
        z.string().refine((op) => KNOWN_OPERATIONS.has(op), {
          error: (issue) =>
            `unknown S3 operation ${JSON.stringify(issue.input)} (e.g. PutObject, CopyObject)`,
        }),
      )
      .min(1, 'must name at least one operation (leave it out to match every operation)')
      .optional(),
    bucket: z.string().min(1, 'must not be empty').optional(),
    prefix: z.string().optional(),
    rate: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
    latencyMs: z.number().int('must be a whole number of milliseconds').min(0, 'must be ≥ 0').optional(),
    times: z.number().int('must be a whole number').min(1, 'must be ≥ 1').optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.kind === 'latency' && rule.latencyMs === undefined) {
      ctx.addIssue({ code: 'custom', path: ['latencyMs'], message: "is required for kind 'latency'" });
    }
    if (rule.kind !== 'latency' && rule.latencyMs !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['latencyMs'],
        message: `is only allowed for kind 'latency', not '${rule.kind}'`,
      });
    }
  });

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out;
}

function formatIssues(error: z.ZodError, base: readonly PropertyKey[]): string[] {
  return error.issues.map((issue) => {
    const path = formatPath([...base, ...issue.path]) || '(rule)';
    if (issue.code === 'unrecognized_keys') {
      return `${path}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) return `${path}: must be an object`;
    return `${path}: ${issue.message}`;
  });
}

/** Copies the fields that are set, so the result satisfies `exactOptionalPropertyTypes`. */
function toFaultRule(parsed: z.infer<typeof faultRuleSchema>): FaultRule {
  return {
    kind: parsed.kind,
    ...(parsed.operations !== undefined && { operations: [...parsed.operations] }),
    ...(parsed.bucket !== undefined && { bucket: parsed.bucket }),
    ...(parsed.prefix !== undefined && { prefix: parsed.prefix }),
    ...(parsed.rate !== undefined && { rate: parsed.rate }),
    ...(parsed.latencyMs !== undefined && { latencyMs: parsed.latencyMs }),
    ...(parsed.times !== undefined && { times: parsed.times }),
  };
}

function validateRule(value: unknown, base: readonly PropertyKey[]): FaultRule {
  const result = faultRuleSchema.safeParse(value);
  if (!result.success) throw new InvalidFaultRuleError(formatIssues(result.error, base));
  return toFaultRule(result.data);
}

/**
 * Validates fault rules read from a file or a CLI flag: an array of rules, or a single rule object.
 * @throws InvalidFaultRuleError listing every problem with its path (`[1].latencyMs: …`).
 */
export function parseFaultRules(value: unknown): FaultRule[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return [validateRule(value, [])];
  if (!Array.isArray(value)) throw new InvalidFaultRuleError(['(rules): must be an array of fault rules']);
  const issues: string[] = [];
  const rules: FaultRule[] = [];
  value.forEach((item: unknown, index) => {
    try {
      rules.push(validateRule(item, [index]));
    } catch (err) {
      if (!(err instanceof InvalidFaultRuleError)) throw err;
      issues.push(...err.issues);
    }
  });
  if (issues.length > 0) throw new InvalidFaultRuleError(issues);
  return rules;
}

/** mulberry32: a small, fast 32-bit PRNG; the same seed yields the same sequence in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface ActiveRule {
  readonly id: string;
  readonly rule: FaultRule;
  fired: number;
}

function ruleMatches(rule: FaultRule, request: FaultRequest): boolean {
  if (rule.operations !== undefined && !rule.operations.includes(request.operation)) return false;
  if (rule.bucket !== undefined && rule.bucket !== request.bucket) return false;
  if (rule.prefix !== undefined && (request.key === undefined || !request.key.startsWith(rule.prefix))) {
    return false;
  }
  return true;
}

function corruptionKey(bucket: string, key: string): string {
  return `${bucket}\u0000${key}`;
}

/** The default seed, so two runs without a seed see the same faults. */
export const DEFAULT_FAULT_SEED = 1;

/**
 * A seeded, runtime-switchable set of fault rules. Latency rules add up; among failure rules the first
 * matching one (in insertion order) that fires under its `rate` wins. A rule with a rate strictly between
 * 0 and 1 draws one number from the plan's PRNG per matching request; rules with rate 0 or 1 draw none,
 * so adding a certain rule does not shift the random sequence of the others.
 */
export class FaultPlan {
  readonly #random: () => number;
  readonly #rules: ActiveRule[] = [];
  readonly #corruptions = new Map<string, number>();
  #nextId = 1;

  /** @throws InvalidFaultRuleError when a rule or the seed is invalid. */
  constructor(options: { readonly seed?: number; readonly rules?: readonly FaultRule[] } = {}) {
    const seed = options.seed ?? DEFAULT_FAULT_SEED;
    if (!Number.isSafeInteger(seed)) throw new InvalidFaultRuleError(['seed: must be an integer']);
    this.#random = mulberry32(seed);
    const rules = parseFaultRules(options.rules ?? []);
    for (const rule of rules) this.#push(rule);
  }

  /**
   * Adds a rule at the end of the plan.
   * @returns the rule's id, for {@link FaultPlan.remove}.
   * @throws InvalidFaultRuleError naming the offending field.
   */
  add(rule: FaultRule): string {
    return this.#push(validateRule(rule, []));
  }

  /** Lifts one rule; `false` when no rule has that id. */
  remove(id: string): boolean {
    const index = this.#rules.findIndex((r) => r.id === id);
    if (index < 0) return false;
    this.#rules.splice(index, 1);
    return true;
  }

  /** Lifts every rule and every pending corruption. */
  clear(): void {
    this.#rules.length = 0;
    this.#corruptions.clear();
  }

  /** The rules in insertion order, with how often each has fired. */
  list(): ReadonlyArray<ListedFaultRule> {
    return this.#rules.map((r) => ({ ...r.rule, id: r.id, fired: r.fired }));
  }

  /** Arms a one-shot corruption of the next copy written into `bucket/key` (calls accumulate). */
  corruptNextCopy(target: { readonly bucket: string; readonly key: string }): void {
    const id = corruptionKey(target.bucket, target.key);
    this.#corruptions.set(id, (this.#corruptions.get(id) ?? 0) + 1);
  }

  /** `true` once per armed corruption of `bucket/key`: the caller must flip bytes of what it writes. */
  takeCorruption(bucket: string, key: string): boolean {
    const id = corruptionKey(bucket, key);
    const pending = this.#corruptions.get(id);
    if (pending === undefined) return false;
    if (pending <= 1) this.#corruptions.delete(id);
    else this.#corruptions.set(id, pending - 1);
    return true;
  }

  /** What to do with a request; `undefined` when no rule fires. */
  decide(request: FaultRequest): FaultDecision | undefined {
    let latencyMs = 0;
    let failure: FaultFailure | undefined;
    let fired = false;
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.kind !== 'latency' && failure !== undefined) continue;
      if (rule.times !== undefined && active.fired >= rule.times) continue;
      if (!ruleMatches(rule, request) || !this.#draw(rule.rate ?? 1)) continue;
      active.fired += 1;
      fired = true;
      if (rule.kind === 'latency') latencyMs += rule.latencyMs ?? 0;
      else failure = rule.kind;
    }
    if (!fired) return undefined;
    return failure === undefined ? { latencyMs } : { latencyMs, failure };
  }

  #draw(rate: number): boolean {
    if (rate >= 1) return true;
    if (rate <= 0) return false;
    return this.#random() < rate;
  }

  #push(rule: FaultRule): string {
    const id = `fault-${this.#nextId++}`;
    this.#rules.push({ id, rule, fired: 0 });
    return id;
  }
}
