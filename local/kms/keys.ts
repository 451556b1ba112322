/**
 * Keys and aliases over the in-memory state: naming (ARNs), resolving the `KeyId` forms KMS accepts
 * (key id, key ARN, alias name, alias ARN) in the region a request is signed for, and creating keys —
 * including the AWS managed key behind an `alias/aws/<service>` alias, which KMS creates the first time
 * it is used.
 */
import { randomUUID } from 'node:crypto';
import type { AwsJsonError } from '../protocol/json.ts';
import { KmsErrors } from './errors.ts';
import type { AliasRecord, KeyRecord, KmsState } from './model.ts';
import { awsManagedKeyPolicy, defaultKeyPolicy } from './policy.ts';

/** Where a key lives: the region a request is signed for and the account of the local stack. */
export interface KeyScope {
  readonly region: string;
  readonly accountId: string;
}

const ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/;
/** Key ids KMS generates are UUIDs; ids asked for with `_custom_id_` follow the key ARN grammar. */
export const KEY_ID = /^[A-Za-z0-9-]{1,128}$/;
/** The alias name grammar of CreateAlias. */
export const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
/** Aliases of AWS managed keys (`alias/aws/s3` …); the prefix is reserved. */
const AWS_MANAGED_ALIAS = /^alias\/aws\/([a-z0-9-]+)$/;

export function keyArn(scope: KeyScope, keyId: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:key/${keyId}`;
}

export function aliasArn(scope: KeyScope, name: string): string {
  return `arn:aws:kms:${scope.region}:${scope.accountId}:${name}`;
}

/** A `KeyId` member as the request wrote it, split into what it names. */
export type KeyReference =
  | { readonly kind: 'key'; readonly keyId: string; readonly scope?: KeyScope }
  | { readonly kind: 'alias'; readonly name: string; readonly scope?: KeyScope };

/**
 * Parses a key reference. @throws AwsJsonError InvalidArnException for a malformed ARN, NotFoundException
 * for anything else that is no key id or alias name.
 */
export function parseKeyReference(value: string): KeyReference {
  const arn = ARN.exec(value);
  if (arn) {
    const [, region = '', accountId = '', type, rest = ''] = arn;
    const scope = { region, accountId };
    if (type === 'key') {
      if (!KEY_ID.test(rest)) throw KmsErrors.invalidArn(value);
      return { kind: 'key', keyId: rest, scope };
    }
    const name = `alias/${rest}`;
    if (!ALIAS_NAME.test(name)) throw KmsErrors.invalidArn(value);
    return { kind: 'alias', name, scope };
  }
  if (value.startsWith('arn:')) throw KmsErrors.invalidArn(value);
  if (value.startsWith('alias/')) {
    if (!ALIAS_NAME.test(value)) throw KmsErrors.invalidKeyId(value);
    return { kind: 'alias', name: value };
  }
  if (!KEY_ID.test(value)) throw KmsErrors.invalidKeyId(value);
  return { kind: 'key', keyId: value };
}

function sameScope(a: { region: string; accountId: string }, b: KeyScope): boolean {
  return a.region === b.region && a.accountId === b.accountId;
}

export function findKeyById(state: KmsState, scope: KeyScope, keyId: string): KeyRecord | undefined {
  return state.keys.find((k) => k.keyId === keyId && sameScope(k, scope));
}

export function findAlias(state: KmsState, scope: KeyScope, name: string): AliasRecord | undefined {
  return state.aliases.find((a) => a.name === name && sameScope(a, scope));
}

/** The service of an AWS managed alias (`s3` for `alias/aws/s3`), or `undefined`. */
export function awsManagedService(aliasName: string): string | undefined {
  return AWS_MANAGED_ALIAS.exec(aliasName)?.[1];
}

/** Options of {@link addKey}. */
export interface NewKey {
  readonly keyId?: string;
  readonly description?: string;
  readonly policy?: string;
  readonly keyManager?: KeyRecord['keyManager'];
  readonly now: number;
}

/** Adds an Enabled key in `scope`. @throws AwsJsonError AlreadyExistsException for a taken key id. */
export function addKey(state: KmsState, scope: KeyScope, options: NewKey): KeyRecord {
  const keyId = options.keyId ?? randomUUID();
  const arn = keyArn(scope, keyId);
  if (findKeyById(state, scope, keyId)) throw KmsErrors.keyExists(arn);
  const key: KeyRecord = {
    keyId,
    arn,
    region: scope.region,
    accountId: scope.accountId,
    state: 'Enabled',
    keyManager: options.keyManager ?? 'CUSTOMER',
    description: options.description ?? '',
    policy: options.policy ?? defaultKeyPolicy(scope.accountId),
    createdAt: options.now,
  };
  state.keys.push(key);
  return key;
}

/** Adds (or repoints) an alias. */
export function putAlias(
  state: KmsState,
  scope: KeyScope,
  name: string,
  key: KeyRecord,
  now: number,
): AliasRecord {
  const existing = findAlias(state, scope, name);
  const alias: AliasRecord = {
    name,
    arn: aliasArn(scope, name),
    region: scope.region,
    accountId: scope.accountId,
    targetKeyId: key.keyId,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  state.aliases = [...state.aliases.filter((a) => a !== existing), alias];
  return alias;
}

/** Creates the AWS managed key of `alias/aws/<service>` in `scope`, as KMS does on first use. */
function createAwsManagedKey(
  state: KmsState,
  scope: KeyScope,
  name: string,
  service: string,
  now: number,
): KeyRecord {
  const key = addKey(state, scope, {
    keyManager: 'AWS',
    description: `Default key that protects my ${service.toUpperCase()} objects when no other key is defined`,
    policy: awsManagedKeyPolicy(scope.accountId, scope.region, service),
    now,
  });
  putAlias(state, scope, name, key, now);
  return key;
}

/** What {@link resolveKey} found, and whether it changed the state (an AWS managed key was created). */
export interface Resolved {
  readonly key: KeyRecord;
  readonly created: boolean;
}

/** Options of {@link resolveKey}. */
export interface ResolveOptions {
  /**
   * Whether a key or alias ARN may name another account than `scope`'s: what KMS's cryptographic
   * operations accept (the key policy then decides), and so what S3 uses for SSE-KMS; the key
   * management operations act on the caller's own keys only. @default false
   */
  readonly otherAccounts?: boolean;
}

/**
 * The key a `KeyId` names in `scope` (the region the request is signed for). An `alias/aws/<service>`
 * alias that does not exist yet is created with its AWS managed key, as KMS does.
 * @throws AwsJsonError NotFoundException (unknown key or alias, or an ARN of another region, or of
 *   another account unless `otherAccounts`), InvalidArnException (malformed ARN).
 */
export function resolveKey(
  state: KmsState,
  requestScope: KeyScope,
  value: string,
  now: number,
  options: ResolveOptions = {},
): Resolved {
  const ref = parseKeyReference(value);
  if (ref.scope && ref.scope.region !== requestScope.region) throw KmsErrors.otherRegion(ref.scope.region);
  const scope =
    options.otherAccounts === true && ref.scope !== undefined
      ? { region: requestScope.region, accountId: ref.scope.accountId }
      : requestScope;
  const where = ref.scope ?? scope;
  if (ref.kind === 'key') {
    const key =
      ref.scope && ref.scope.accountId !== scope.accountId ? undefined : findKeyById(state, where, ref.keyId);
    if (!key) throw KmsErrors.keyNotFound(keyArn(where, ref.keyId));
    return { key, created: false };
  }
  const sameAccount = where.accountId === scope.accountId;
  const alias = sameAccount ? findAlias(state, where, ref.name) : undefined;
  if (alias) {
    const key = findKeyById(state, where, alias.targetKeyId);
    if (!key) throw KmsErrors.keyNotFound(keyArn(where, alias.targetKeyId));
    return { key, created: false };
  }
  const service = sameAccount ? awsManagedService(ref.name) : undefined;
  if (service === undefined) throw KmsErrors.aliasNotFound(aliasArn(where, ref.name));
  return { key: createAwsManagedKey(state, where, ref.name, service, now), created: true };
}

/**
 * Why a key cannot encrypt or decrypt now, or `undefined` when it can: Disabled → DisabledException,
 * PendingDeletion → KMSInvalidStateException.
 */
export function unusable(key: KeyRecord): AwsJsonError | undefined {
  if (key.state === 'Disabled') return KmsErrors.disabled(key.arn);
  if (key.state === 'PendingDeletion') return KmsErrors.pendingDeletion(key.arn);
  return undefined;
}

/** The names (`alias/…`) of the aliases that point to `key`, as KMS gives `kms:ResourceAliases`. */
export function aliasNamesOf(state: KmsState, key: KeyRecord): string[] {
  return state.aliases
    .filter((a) => a.targetKeyId === key.keyId && a.region === key.region && a.accountId === key.accountId)
    .map((a) => a.name);
}
