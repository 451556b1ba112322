import {
  type OneOrMany,
  POLICY_VERSION,
  type PolicyDocument,
  type PolicyStatementJson,
  type PrincipalBlock,
} from '../../core/permissions/policy-document.ts';
import { conditionHolds } from './conditions.ts';
import { matchesAction, matchesArn, type RequestContext } from './patterns.ts';
import { UnsupportedPolicy } from './unsupported-policy.ts';

/**
 * IAM policy evaluation for the local stack, written from AWS's documented evaluation logic
 * ("Policy evaluation logic", "Cross-account policy evaluation logic", "IAM JSON policy elements"):
 *
 * - every request is denied unless a statement allows it (implicit deny); a matching Deny
 *   statement in any policy overrides every Allow (explicit deny);
 * - within one account, an Allow in the identity policies **or** in the resource policy suffices
 *   — except a resource policy that names only the account (`"AWS": "<account>"` or
 *   `…:root`), which delegates to the account's identity policies instead of granting;
 * - across accounts, the identity policies **and** the resource policy must both allow;
 * - a KMS key policy ({@link evaluateKeyPolicy}) is always required: the key policy grants the
 *   principal itself, or grants the account root and an identity policy allows.
 *
 * Its grammar is what the relay's policies (`core/permissions/`) and the README's bucket and key
 * policies use, a little widened: Effect Allow/Deny, Action/NotAction, Resource/NotResource with
 * `*`/`?` wildcards (actions case-insensitive, ARNs case-sensitive and matched segment by segment),
 * `${…}` policy variables and the `${*}`/`${?}`/`${$}` escapes, Principal (`"*"`, account ids,
 * account roots, role and assumed-role ARNs), and the condition operators of `conditions.ts`.
 * Anything else (NotPrincipal, Date/IpAddress/Binary operators, an unknown element) is refused
 * with {@link UnsupportedPolicy}. Not modelled at all: SCPs and RCPs, permission boundaries,
 * session policies, VPC endpoint policies, ACLs, KMS grants.
 */

/** Who makes the request: a role (or one of its sessions) of an account. */
export interface RequestPrincipal {
  /** The 12-digit account of the principal. */
  readonly account: string;
  /** `arn:aws:iam::<account>:role/<name>` or `arn:aws:sts::<account>:assumed-role/<name>/<session>`. */
  readonly arn: string;
}

/** A request context as callers give it: condition key → value(s), keys in any case. */
export type ContextInput = Readonly<Record<string, string | readonly string[]>>;

/** One request to decide. */
export interface EvaluationRequest {
  readonly principal: RequestPrincipal;
  /** `service:Action`, such as `s3:PutObject`. */
  readonly action: string;
  /** The resource ARN, such as `arn:aws:s3:::bucket/key`. */
  readonly resource: string;
  /** The account owning the resource (a bucket's owner). */
  readonly resourceAccount: string;
  /**
   * Condition keys of the request (`kms:ViaService`, `s3:x-amz-acl` …). `aws:PrincipalArn`,
   * `aws:PrincipalAccount` and `aws:ResourceAccount` are added from the request unless given.
   */
  readonly context?: ContextInput;
  /** The policies of the principal (a role's inline and managed policies). */
  readonly identityPolicies: readonly PolicyDocument[];
  /** The resource's policy (a bucket policy), if it has one. */
  readonly resourcePolicy?: PolicyDocument;
}

/** A request on a KMS key: its key policy instead of a resource policy, and always consulted. */
export interface KeyPolicyRequest extends Omit<EvaluationRequest, 'resourcePolicy' | 'resourceAccount'> {
  /** The key's account. */
  readonly keyAccount: string;
  readonly keyPolicy: PolicyDocument;
}

/** The three outcomes AWS distinguishes. */
export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** A statement that matched the request. */
export interface MatchedStatement {
  readonly policy: 'identity' | 'resource';
  /** The index of the identity policy (0 for the resource policy). */
  readonly policyIndex: number;
  readonly statementIndex: number;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
}

/** The decision on a request. */
export interface Decision {
  readonly decision: DecisionKind;
  /** The statements that decided: the Deny ones for an explicit deny, else the Allow ones. */
  readonly matched: readonly MatchedStatement[];
  /**
   * Why, in the words of AWS's AccessDenied messages: `because no identity-based policy allows
   * the s3:PutObject action`, `with an explicit deny in a resource-based policy`, or (Allow) which
   * policies allowed it.
   */
  readonly reason: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;
const ASSUMED_ROLE = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;

/** The role ARN of an assumed-role session ARN; other ARNs as they are. */
function roleArnOf(arn: string): string {
  const session = ASSUMED_ROLE.exec(arn);
  return session === null ? arn : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
}

function list<T>(value: OneOrMany<T> | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function statementsOf(document: PolicyDocument): readonly PolicyStatementJson[] {
  return list(document.Statement);
}

const KNOWN_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

function check(statement: PolicyStatementJson, kind: 'identity' | 'resource'): void {
  for (const element of Object.keys(statement)) {
    if (!KNOWN_ELEMENTS.has(element)) throw new UnsupportedPolicy(`the policy element ${element}`);
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    throw new UnsupportedPolicy(`the Effect ${String(statement.Effect)}`);
  }
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
    throw new UnsupportedPolicy('a statement without exactly one of Action and NotAction');
  }
  if ((statement.Resource === undefined) === (statement.NotResource === undefined)) {
    throw new UnsupportedPolicy('a statement without exactly one of Resource and NotResource');
  }
  if (kind === 'identity' && statement.Principal !== undefined) {
    throw new UnsupportedPolicy('Principal in an identity-based policy');
  }
  if (kind === 'resource' && statement.Principal === undefined) {
    throw new UnsupportedPolicy('a resource-based policy statement without Principal');
  }
}

/** How a resource policy's Principal covers the caller: itself, only its account, or not at all. */
type PrincipalCover = 'principal' | 'account' | undefined;

function principalCover(block: PrincipalBlock | undefined, principal: RequestPrincipal): PrincipalCover {
  if (block === undefined) return undefined;
  if (block === '*') return 'principal';
  let cover: PrincipalCover;
  for (const [type, values] of Object.entries(block)) {
    if (type !== 'AWS') continue; // Service, Federated, CanonicalUser never name a role session
    for (const value of list(values)) {
      if (value === '*' || value === principal.arn || value === roleArnOf(principal.arn)) return 'principal';
      const account = ACCOUNT_ID.test(value) ? value : ACCOUNT_ROOT.exec(value)?.[1];
      if (account === principal.account) cover = 'account';
    }
  }
  return cover;
}

interface Request {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: string;
  readonly context: RequestContext;
}

/** Whether the statement's Action, Resource and Condition cover the request (Principal aside). */
function applies(statement: PolicyStatementJson, request: Request, variables: boolean): boolean {
  const actionListed = list(statement.Action ?? statement.NotAction).some((pattern) =>
    matchesAction(pattern, request.action),
  );
  if (actionListed === (statement.NotAction !== undefined)) return false;
  const options = { variables, context: request.context };
  const resourceListed = list(statement.Resource ?? statement.NotResource).some((pattern) =>
    matchesArn(pattern, request.resource, options),
  );
  if (resourceListed === (statement.NotResource !== undefined)) return false;
  return conditionHolds(statement.Condition, request.context, variables);
}

interface Matches {
  readonly allow: MatchedStatement[];
  readonly deny: MatchedStatement[];
  /** For resource policies: how the Allow statements cover the principal. */
  cover: PrincipalCover;
}

function match(
  documents: readonly PolicyDocument[],
  kind: 'identity' | 'resource',
  request: Request,
): Matches {
  const found: Matches = { allow: [], deny: [], cover: undefined };
  documents.forEach((document, policyIndex) => {
    const variables = document.Version === POLICY_VERSION;
    statementsOf(document).forEach((statement, statementIndex) => {
      check(statement, kind);
      const cover =
        kind === 'resource' ? principalCover(statement.Principal, request.principal) : 'principal';
      if (cover === undefined || !applies(statement, request, variables)) return;
      const matched: MatchedStatement = {
        policy: kind,
        policyIndex,
        statementIndex,
        effect: statement.Effect,
        ...(statement.Sid === undefined ? {} : { sid: statement.Sid }),
      };
      if (statement.Effect === 'Deny') {
        found.deny.push(matched);
        return;
      }
      found.allow.push(matched);
      if (found.cover !== 'principal') found.cover = cover;
    });
  });
  return found;
}

function contextOf(input: ContextInput | undefined, principal: RequestPrincipal, resourceAccount: string) {
  const context = new Map<string, readonly string[]>([
    ['aws:principalarn', [roleArnOf(principal.arn)]],
    ['aws:principalaccount', [principal.account]],
    ['aws:resourceaccount', [resourceAccount]],
  ]);
  for (const [key, value] of Object.entries(input ?? {})) {
    context.set(key.toLowerCase(), typeof value === 'string' ? [value] : [...value]);
  }
  return context;
}

const IDENTITY = 'identity-based policy';

function denied(kind: 'identity' | 'resource' | 'key', matched: readonly MatchedStatement[]): Decision {
  const where =
    kind === 'identity' ? `an ${IDENTITY}` : kind === 'key' ? 'a key policy' : 'a resource-based policy';
  return { decision: 'ExplicitDeny', matched, reason: `with an explicit deny in ${where}` };
}

function implicit(missing: string, action: string): Decision {
  return {
    decision: 'ImplicitDeny',
    matched: [],
    reason: `because no ${missing} allows the ${action} action`,
  };
}

/**
 * Decides a request against the principal's identity policies and the resource's policy, as AWS
 * does for S3 and CodeDeploy (same account: either allows; other account: both must).
 *
 * @throws UnsupportedPolicy when a policy uses grammar outside the evaluator's (see the module)
 */
export function evaluate(input: EvaluationRequest): Decision {
  const request: Request = {
    principal: input.principal,
    action: input.action,
    resource: input.resource,
    context: contextOf(input.context, input.principal, input.resourceAccount),
  };
  const identity = match(input.identityPolicies, 'identity', request);
  const resource = match(
    input.resourcePolicy === undefined ? [] : [input.resourcePolicy],
    'resource',
    request,
  );
  if (identity.deny.length > 0) return denied('identity', identity.deny);
  if (resource.deny.length > 0) return denied('resource', resource.deny);
  const identityAllows = identity.allow.length > 0;
  const sameAccount = input.principal.account === input.resourceAccount;
  if (sameAccount) {
    if (resource.cover === 'principal') {
      return {
        decision: 'Allow',
        matched: [...identity.allow, ...resource.allow],
        reason: 'allowed by the resource-based policy',
      };
    }
    if (identityAllows) {
      return {
        decision: 'Allow',
        matched: [...identity.allow, ...resource.allow],
        reason: `allowed by an ${IDENTITY}`,
      };
    }
    return implicit(IDENTITY, input.action);
  }
  if (!identityAllows) return implicit(IDENTITY, input.action);
  if (resource.cover === undefined) return implicit('resource-based policy', input.action);
  return {
    decision: 'Allow',
    matched: [...identity.allow, ...resource.allow],
    reason: `allowed across accounts by an ${IDENTITY} and the resource-based policy`,
  };
}

/**
 * Decides a request on a KMS key. The key policy is always consulted: it allows the principal
 * itself, or allows the account (its root, as the default key policy does) so that the account's
 * identity policies decide; across accounts, the key policy must allow the caller's account or
 * principal **and** the caller's identity policies must allow.
 *
 * @throws UnsupportedPolicy when a policy uses grammar outside the evaluator's (see the module)
 */
export function evaluateKeyPolicy(input: KeyPolicyRequest): Decision {
  const request: Request = {
    principal: input.principal,
    action: input.action,
    resource: input.resource,
    context: contextOf(input.context, input.principal, input.keyAccount),
  };
  const identity = match(input.identityPolicies, 'identity', request);
  const key = match([input.keyPolicy], 'resource', request);
  if (identity.deny.length > 0) return denied('identity', identity.deny);
  if (key.deny.length > 0) return denied('key', key.deny);
  const matched = [...identity.allow, ...key.allow];
  const identityAllows = identity.allow.length > 0;
  if (input.principal.account === input.keyAccount) {
    if (key.cover === 'principal') return { decision: 'Allow', matched, reason: 'allowed by the key policy' };
    if (key.cover === 'account' && identityAllows) {
      return {
        decision: 'Allow',
        matched,
        reason: `allowed by an ${IDENTITY}, which the key policy enables`,
      };
    }
    return key.cover === undefined ? implicit('key policy', input.action) : implicit(IDENTITY, input.action);
  }
  if (key.cover === undefined) return implicit('key policy', input.action);
  if (!identityAllows) return implicit(IDENTITY, input.action);
  return {
    decision: 'Allow',
    matched,
    reason: `allowed across accounts by the key policy and an ${IDENTITY}`,
  };
}

/**
 * AWS's AccessDenied message for a denied request: `User: <arn> is not authorized to perform:
 * <action> on resource: "<resource>" because no identity-based policy allows the <action> action`.
 */
export function accessDeniedMessage(
  request: Pick<EvaluationRequest, 'principal' | 'action' | 'resource'>,
  decision: Decision,
): string {
  return `User: ${request.principal.arn} is not authorized to perform: ${request.action} on resource: "${request.resource}" ${decision.reason}`;
}
