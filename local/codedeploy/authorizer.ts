/**
 * The local CodeDeploy's authorization hook: before an operation reads or writes anything, a request
 * signed with a registered principal's access key (local/iam/principals.ts) is evaluated against that
 * principal's identity policies, requirement by requirement (authorization.ts names them), with the
 * stack's account as the resource account. The first requirement not allowed answers
 * `AccessDeniedException` (HTTP 400, as CodeDeploy answers it) with AWS's newer message naming the
 * principal, the action and the resource:
 * `User: <arn> is not authorized to perform: codedeploy:CreateDeployment on resource: <arn> because no
 * identity-based policy allows the codedeploy:CreateDeployment action`. JSON-protocol services write the
 * resource ARN unquoted, unlike S3's messages (local/iam/evaluate.ts `accessDeniedMessage`, which
 * quotes it): the message is built here from the same decision reason.
 *
 * A requirement with alternatives (CreateDeployment's GetApplicationRevision or
 * RegisterApplicationRevision) is met when any one is allowed; when none is, the denial names the first.
 *
 * Every evaluation is kept in a bounded in-memory record (`CodeDeployService.authorizationLog()`), in
 * the shape of the S3 authorizer's, so a test can read which action was denied.
 *
 * Not evaluated: requests from unregistered access keys and registered administrators (the account
 * administrator, as DESIGN §5 promises); resource tags (`aws:ResourceTag/…`). CreateDeployment reads
 * the revision from the local S3 with the service's own access, not the caller's: CodeDeploy checks the
 * revision as a service, so the caller needs no `s3:GetObject` for it (the instances that later
 * download it use their own profile, which the local stack does not model).
 */
import { DecisionLog, type DecisionRecord, decisionRecord } from '../iam/decision-log.ts';
import type { Decision, RequestPrincipal } from '../iam/evaluate.ts';
import { evaluate } from '../iam/evaluate.ts';
import type { Principal, PrincipalRegistry } from '../iam/principals.ts';
import { UnsupportedPolicy } from '../iam/unsupported-policy.ts';
import { AwsJsonError } from '../protocol/json.ts';
import type { RequestContext } from '../types.ts';
import {
  type CodeDeployAuthorizationInput,
  type CodeDeployPermission,
  codeDeployAuthorization,
} from './authorization.ts';

/**
 * One evaluated action of one request. Purposes: `request`, an action the operation needs;
 * `alternative`, one of several actions any one of which suffices (CreateDeployment's
 * GetApplicationRevision / RegisterApplicationRevision).
 */
export type CodeDeployAuthorizationRecord = DecisionRecord<string, 'request' | 'alternative'>;

/** What the authorizer reads of a request besides its principal. */
export type CodeDeployAuthorizationRequest = Omit<CodeDeployAuthorizationInput, 'region'> & {
  readonly ctx: RequestContext;
};

/** AWS's newer AccessDenied message, with the resource unquoted as JSON-protocol services write it. */
export function codeDeployAccessDeniedMessage(
  principal: RequestPrincipal,
  permission: CodeDeployPermission,
  decision: Decision,
): string {
  return `User: ${principal.arn} is not authorized to perform: ${permission.action} on resource: ${permission.resource} ${decision.reason}`;
}

/** Evaluates CodeDeploy requests of registered principals and remembers the decisions. */
export class CodeDeployAuthorizer {
  readonly #principals: PrincipalRegistry;
  readonly #records: DecisionLog<CodeDeployAuthorizationRecord>;

  constructor(principals: PrincipalRegistry, options: { readonly logSize?: number } = {}) {
    this.#principals = principals;
    this.#records = new DecisionLog(options.logSize);
  }

  /** The decisions so far, oldest first (at most the log size). */
  log(): readonly CodeDeployAuthorizationRecord[] {
    return this.#records.all();
  }

  /** Forgets the decisions so far. */
  clearLog(): void {
    this.#records.clear();
  }

  /**
   * Authorizes a request before its operation runs; requests of any key but a registered principal's
   * pass unevaluated.
   * @throws AwsJsonError AccessDeniedException (400) for the first requirement not allowed;
   *   NotImplemented (501) for a policy outside the evaluator's grammar.
   */
  authorize(request: CodeDeployAuthorizationRequest): void {
    const principal = this.#principals.principalFor(request.ctx.accessKeyId);
    if (principal === undefined) return;
    const requirements = codeDeployAuthorization({ ...request, region: request.ctx.region });
    for (const { anyOf } of requirements ?? []) {
      const purpose = anyOf.length > 1 ? 'alternative' : 'request';
      const decisions = [];
      for (const permission of anyOf) {
        const decision = this.#decide(request, principal, permission, purpose);
        if (decision.decision === 'Allow') break;
        decisions.push({ permission, decision });
      }
      const first = decisions[0];
      if (decisions.length === anyOf.length && first !== undefined) {
        throw new AwsJsonError(
          'AccessDeniedException',
          codeDeployAccessDeniedMessage(principal, first.permission, first.decision),
          400,
        );
      }
    }
  }

  #decide(
    request: CodeDeployAuthorizationRequest,
    principal: Principal,
    permission: CodeDeployPermission,
    purpose: CodeDeployAuthorizationRecord['purpose'],
  ): Decision {
    let decision: Decision;
    try {
      decision = evaluate({
        principal: { account: principal.account, arn: principal.arn },
        action: permission.action,
        resource: permission.resource,
        resourceAccount: request.account,
        identityPolicies: principal.identityPolicies,
      });
    } catch (cause) {
      if (cause instanceof UnsupportedPolicy) throw new AwsJsonError('NotImplemented', cause.message, 501);
      throw cause;
    }
    this.#remember(
      decisionRecord(request.ctx, {
        operation: request.operation,
        principal: principal.arn,
        action: permission.action,
        resource: permission.resource,
        decision: decision.decision,
        reason: decision.reason,
        purpose,
      }),
    );
    return decision;
  }

  #remember(record: CodeDeployAuthorizationRecord): void {
    this.#records.add(record);
  }
}
