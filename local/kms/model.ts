/** The persisted state of the local KMS: keys and aliases, each in one region of one account. */

/** The key states the local KMS models (a subset of KMS's `KeyState`). */
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** Who manages a key: the account (`CUSTOMER`) or a service on its behalf (`AWS`, e.g. `aws/s3`). */
export type KeyManager = 'CUSTOMER' | 'AWS';

export interface KeyRecord {
  /** The key id (a UUID, or the id asked for with the `_custom_id_` tag). */
  readonly keyId: string;
  /** `arn:aws:kms:<region>:<account>:key/<keyId>`. */
  readonly arn: string;
  readonly region: string;
  readonly accountId: string;
  readonly state: KeyState;
  readonly keyManager: KeyManager;
  readonly description: string;
  /**
   * The key policy document, as the caller wrote it (validated by policy-validation.ts); evaluated
   * through local/iam when a service uses the key for a principal (key-use.ts).
   */
  readonly policy: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds; only while PendingDeletion. */
  readonly deletionDate?: number;
  /** Only while PendingDeletion. */
  readonly pendingWindowInDays?: number;
}

export interface AliasRecord {
  /** `alias/<name>`. */
  readonly name: string;
  /** `arn:aws:kms:<region>:<account>:alias/<name>`. */
  readonly arn: string;
  readonly region: string;
  readonly accountId: string;
  /** The key id (not ARN) the alias points to. */
  readonly targetKeyId: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface KmsState {
  keys: KeyRecord[];
  aliases: AliasRecord[];
}
