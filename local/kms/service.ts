/**
 * The local KMS (AWS JSON 1.1, `TrentService.*`): symmetric keys with a region, an account, a key state
 * and a key policy, and aliases — enough for the AWS CLI and SDK to manage the keys the relay uses
 * (a key created by an account administrator's access key belongs to that account), and for the local
 * S3 to use them as S3 does: a key that is missing, disabled or pending deletion is refused, and a
 * registered principal's use of a key through S3 is decided against the key policy and its identity
 * policies (key-use.ts). Nothing is encrypted. State lives under the data directory.
 */
import type { Decision } from '../iam/evaluate.ts';
import type { PrincipalRegistry } from '../iam/principals.ts';
import { AwsJsonError } from '../protocol/json.ts';
import type { JsonService, RequestContext } from '../types.ts';
import type { KeyUnusableCode } from './errors.ts';
import { decideKeyUse, type KeyUseAnswer, type KeyUseRequest } from './key-use.ts';
import { parseKeyReference, resolveKey, unusable } from './keys.ts';
import type { KeyRecord } from './model.ts';
import { type KmsContext, OPERATIONS } from './operations.ts';
import { KmsStore } from './store.ts';

export type { KeyUnusableCode } from './errors.ts';
export type { KeyUseAnswer, KeyUseRequest } from './key-use.ts';
export type { KeyRecord, KeyState } from './model.ts';

/** Options of {@link KmsService}. */
export interface KmsServiceOptions {
  /** Where the keys are kept (`state.json`). */
  readonly dataDir: string;
  /** The local stack's default account (keys created by its administrator belong to it). */
  readonly accountId: string;
  /**
   * Who signs requests: a request signed by a registered administrator's or principal's access key
   * acts for that account (a key it creates belongs there); any other key for `accountId`.
   * @default no principals
   */
  readonly principals?: PrincipalRegistry;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** The local KMS; construct, `await init()`, serve through `handle`, `await close()`. */
export class KmsService implements JsonService {
  readonly accountId: string;
  private readonly store: KmsStore;
  private readonly context: KmsContext;

  constructor(options: KmsServiceOptions) {
    this.accountId = options.accountId;
    this.store = new KmsStore(options.dataDir);
    const principals = options.principals;
    const accountId = options.accountId;
    this.context = {
      store: this.store,
      now: options.now ?? Date.now,
      accountOf: (ctx) => principals?.accountOf(ctx.accessKeyId, accountId) ?? accountId,
    };
  }

  /** Loads the keys an earlier process left under the data directory. */
  async init(): Promise<void> {
    await this.store.init();
  }

  /** Waits for pending writes. */
  async close(): Promise<void> {
    await this.store.close();
  }

  /** Serves one KMS operation (the part of `X-Amz-Target` after `TrentService.`). */
  async handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    const run = OPERATIONS[operation];
    if (!run) {
      throw new AwsJsonError('UnknownOperationException', `The local KMS does not implement ${operation}`);
    }
    await this.store.refresh();
    return run(this.context, input, ctx);
  }

  /**
   * A service's use of a key on a principal's behalf (S3 under SSE-KMS), named by the key or alias ARN
   * the service resolved in its region (of any account): the principal, when one is given, must be
   * allowed the action by the key policy and its identity policies (key-use.ts), and the key must be
   * enabled. Authorization is decided before the key's state, as KMS does. `alias/aws/s3` is created
   * with its AWS managed key on first use, as on AWS.
   * @throws UnsupportedPolicy when a policy uses grammar outside the local evaluator's
   */
  async useKey(request: KeyUseRequest): Promise<KeyUseAnswer> {
    await this.store.refresh();
    const found = await this.#findForUse(request.key, request.region);
    if (!('key' in found)) return { outcome: 'unusable', code: found.code, message: found.message };
    const { key } = found;
    let decision: Decision | undefined;
    if (request.principal !== undefined) {
      const reference = parseKeyReference(request.key);
      const alias = reference.kind === 'alias' ? reference.name : undefined;
      decision = decideKeyUse(this.store.current, key, { ...request, principal: request.principal }, alias);
      if (decision.decision !== 'Allow') return { outcome: 'denied', keyArn: key.arn, decision };
    }
    const refusal = unusable(key);
    if (refusal)
      return { outcome: 'unusable', code: refusal.code as KeyUnusableCode, message: refusal.message };
    return { outcome: 'allowed', keyArn: key.arn, ...(decision !== undefined ? { decision } : {}) };
  }

  /** The key a service names, or the NotFoundException S3 passes on. */
  async #findForUse(
    keyOrAliasArn: string,
    region: string,
  ): Promise<{ readonly key: KeyRecord } | { readonly code: KeyUnusableCode; readonly message: string }> {
    try {
      const resolved = resolveKey(
        this.store.current,
        { region, accountId: this.accountId },
        keyOrAliasArn,
        this.context.now(),
        { otherAccounts: true },
      );
      if (resolved.created) await this.store.save();
      return { key: resolved.key };
    } catch (cause) {
      // S3 reports a malformed key ARN as not found, as it does any key KMS cannot find.
      if (
        cause instanceof AwsJsonError &&
        ['NotFoundException', 'InvalidArnException'].includes(cause.code)
      ) {
        return { code: 'NotFoundException', message: cause.message };
      }
      throw cause;
    }
  }
}
