/**
 * A service's use of a key on a principal's behalf, decided as KMS decides it: the key policy is
 * always consulted, with the principal's identity policies (local/iam/evaluate.ts
 * `evaluateKeyPolicy`), against the request context the calling service sent (`kms:ViaService`,
 * `kms:EncryptionContext:…`) and the keys KMS adds itself: `kms:CallerAccount`,
 * `kms:ResourceAliases` and, when the key was named by an alias, `kms:RequestAlias` (KMS Developer
 * Guide, "Condition keys for AWS KMS"). KMS grants are not modelled.
 */
import type { PolicyDocument } from '../../core/permissions/policy-document.ts';
import { type ContextInput, type Decision, evaluateKeyPolicy } from '../iam/evaluate.ts';
import type { Principal } from '../iam/principals.ts';
import { UnsupportedPolicy } from '../iam/unsupported-policy.ts';
import type { KeyUnusableCode } from './errors.ts';
import { aliasNamesOf } from './keys.ts';
import type { KeyRecord, KmsState } from './model.ts';

/** What a service (the local S3) asks of KMS when it uses a key. */
export interface KeyUseRequest {
  /** The key or alias ARN the service resolved (any account; the region must be `region`). */
  readonly key: string;
  /** The region the service calls KMS in (an S3 bucket's region). */
  readonly region: string;
  /** `kms:GenerateDataKey`, `kms:Decrypt` … */
  readonly action: string;
  /** The principal the service acts for; absent: the account administrator, not evaluated. */
  readonly principal?: Principal;
  /** The condition keys the service sends (`kms:ViaService`, `kms:EncryptionContext:…`). */
  readonly context?: ContextInput;
}

/** KMS's answer: the key may be used, the principal may not use it, or the key cannot be used. */
export type KeyUseAnswer =
  | { readonly outcome: 'allowed'; readonly keyArn: string; readonly decision?: Decision }
  | { readonly outcome: 'denied'; readonly keyArn: string; readonly decision: Decision }
  | { readonly outcome: 'unusable'; readonly code: KeyUnusableCode; readonly message: string };

/** The stored key policy as a document (CreateKey and PutKeyPolicy validated it). */
function keyPolicyOf(key: KeyRecord): PolicyDocument {
  try {
    return JSON.parse(key.policy) as PolicyDocument;
  } catch {
    throw new UnsupportedPolicy(`the key policy of ${key.arn}, which is not JSON`);
  }
}

/**
 * Decides `principal`'s use of `key` for `request.action`.
 * @param requestAlias the alias name (`alias/…`) the request named the key by, if it did
 * @throws UnsupportedPolicy when a policy uses grammar outside the evaluator's
 */
export function decideKeyUse(
  state: KmsState,
  key: KeyRecord,
  request: KeyUseRequest & { readonly principal: Principal },
  requestAlias?: string,
): Decision {
  const { principal } = request;
  return evaluateKeyPolicy({
    principal: { account: principal.account, arn: principal.arn },
    action: request.action,
    resource: key.arn,
    keyAccount: key.accountId,
    keyPolicy: keyPolicyOf(key),
    identityPolicies: principal.identityPolicies,
    context: {
      ...request.context,
      'kms:CallerAccount': principal.account,
      'kms:ResourceAliases': aliasNamesOf(state, key),
      ...(requestAlias === undefined ? {} : { 'kms:RequestAlias': requestAlias }),
    },
  });
}
