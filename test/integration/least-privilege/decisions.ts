/**
 * Every authorization decision the local stack makes for the relay's task roles, gathered from each
 * service that keeps a record of them: the local S3 (`s3.authorizationLog()`, which also holds the
 * `kms:*` decisions it makes on SSE-KMS reads and writes) and — when they have one — the local
 * CodeDeploy and CodePipeline (`authorizationLog()`, feature-detected, so a service's decisions count as
 * soon as it records them). The local Step Functions evaluates no IAM, so `states:*` has no record. Those logs are bounded; {@link DecisionLog.collect} drains them into one list often enough
 * (after every task of every run) that nothing is lost while many runs share the stack.
 */

/** One decision, as every service's log records it. */
export interface Decision {
  /** The principal's ARN: `arn:aws:iam::<account>:role/artifact-relay-<task or pipeline-action>`. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** `Allow`, or why not (`ExplicitDeny`, `ImplicitDeny` …). */
  readonly decision: string;
  /** The API operation, when the log says. */
  readonly operation?: string;
  /** The access key id the request was signed with, when the log says. */
  readonly accessKeyId?: string;
}

/** A service's record of its decisions. */
export interface DecisionSource {
  authorizationLog(): readonly Decision[];
  clearAuthorizationLog?(): void;
}

function isDecisionSource(value: unknown): value is DecisionSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { authorizationLog?: unknown }).authorizationLog === 'function'
  );
}

/** The services of `stack` that keep a record of their decisions (feature-detected). */
export function decisionSources(stack: {
  readonly s3: unknown;
  readonly codeDeploy: unknown;
  readonly codePipeline?: unknown;
}): DecisionSource[] {
  return [stack.s3, stack.codeDeploy, stack.codePipeline].filter(isDecisionSource);
}

/** The service prefix of an action (`s3`, `kms`, `codedeploy`, `codepipeline`, `states`). */
export function serviceOf(action: string): string {
  return action.split(':', 1)[0] ?? action;
}

export class DecisionLog {
  readonly #sources: readonly DecisionSource[];
  readonly #seen = new WeakSet<object>();
  readonly #decisions: Decision[] = [];

  constructor(sources: readonly DecisionSource[]) {
    this.#sources = sources;
  }

  /** Moves what the services recorded since the last call into this log. */
  collect(): void {
    for (const source of this.#sources) {
      const records = source.authorizationLog();
      source.clearAuthorizationLog?.();
      for (const record of records) {
        if (this.#seen.has(record)) continue;
        this.#seen.add(record);
        this.#decisions.push(record);
      }
    }
  }

  /**
   * The decisions so far that `owns` attributes to one run: by the resources they name, or by the
   * access key they were signed with (resources every run shares, such as a deployment configuration).
   */
  of(owns: (decision: Decision) => boolean): Decision[] {
    this.collect();
    return this.#decisions.filter((decision) => owns(decision));
  }

  /** Whether the stack decided on any action of `service` so far (whether it evaluates that service). */
  evaluates(service: string): boolean {
    this.collect();
    return this.#decisions.some((decision) => serviceOf(decision.action) === service);
  }
}
