/**
 * The local KMS (AWS JSON 1.1, `TrentService.*`): symmetric keys with a region, a key state and a key
 * policy, and aliases — enough for the AWS CLI and SDK to manage the keys the relay uses, and for the
 * local S3 to refuse SSE-KMS with a key that is missing, disabled or pending deletion, as S3 does. Nothing
 * is encrypted and key policies are stored, not evaluated. State lives under the data directory.
 */
import type { PrincipalRegistry } from '../iam/principals.ts';
import { AwsJsonError } from '../protocol/json.ts';
import type { JsonService, RequestContext } from '../types.ts';
import type { KeyUnusableCode } from './errors.ts';
import { resolveKey, unusable } from './keys.ts';
import type { KeyRecord } from './model.ts';
import { type KmsContext, OPERATIONS } from './operations.ts';
import { KmsStore } from './store.ts';

export type { KeyUnusableCode } from './errors.ts';
export type { KeyRecord, KeyState } from './model.ts';

/** Options of {@link KmsService}. */
export interface KmsServiceOptions {
  /** Where the keys are kept (`state.json`). */
  readonly dataDir: string;
  /** The local stack's default account (keys created by its administrator belong to it). */
  readonly accountId: string;
  /**
   * Who signs requests: an administrator of another account creates keys in that account; a
   * registered principal's use of a key through S3 is evaluated against the key policy.
   * @default no principals
   */
  readonly principals?: PrincipalRegistry;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Whether S3 may use a key now; when not, the KMS error S3 passes on as `KMS.<code>`. */
export type KeyUsability =
  | { readonly usable: true; readonly keyArn: string }
  | { readonly usable: false; readonly code: KeyUnusableCode; readonly message: string };

/** The local KMS; construct, `await init()`, serve through `handle`, `await close()`. */
export class KmsService implements JsonService {
  readonly accountId: string;
  private readonly store: KmsStore;
  private readonly context: KmsContext;

  constructor(options: KmsServiceOptions) {
    this.accountId = options.accountId;
    this.store = new KmsStore(options.dataDir);
    this.context = { store: this.store, now: options.now ?? Date.now };
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
   * Whether the local S3 may encrypt or decrypt with a key, named by the key or alias ARN S3 resolved in
   * the bucket's region. `alias/aws/s3` is created with its AWS managed key on first use, as on AWS.
   */
  async usableKey(keyOrAliasArn: string, region: string): Promise<KeyUsability> {
    await this.store.refresh();
    let key: KeyRecord;
    try {
      const resolved = resolveKey(
        this.store.current,
        { region, accountId: this.accountId },
        keyOrAliasArn,
        this.context.now(),
      );
      if (resolved.created) await this.store.save();
      key = resolved.key;
    } catch (cause) {
      // S3 reports a malformed key ARN as not found, as it does any key KMS cannot find.
      if (
        cause instanceof AwsJsonError &&
        ['NotFoundException', 'InvalidArnException'].includes(cause.code)
      ) {
        return { usable: false, code: 'NotFoundException', message: cause.message };
      }
      throw cause;
    }
    const refusal = unusable(key);
    if (refusal) return { usable: false, code: refusal.code as KeyUnusableCode, message: refusal.message };
    return { usable: true, keyArn: key.arn };
  }
}
