/**
 * The KMS operations the local stack serves (AWS JSON 1.1, `TrentService.<Op>`), each scoped to the region
 * the request is signed for. Shapes follow the AWS KMS API reference; only symmetric encryption keys
 * (`SYMMETRIC_DEFAULT`, `ENCRYPT_DECRYPT`) of origin `AWS_KMS` exist here.
 */
import { optionalString, requireString } from '../protocol/json.ts';
import type { RequestContext } from '../types.ts';
import { KmsErrors } from './errors.ts';
import {
  ALIAS_NAME,
  addKey,
  awsManagedService,
  findAlias,
  KEY_ID,
  type KeyScope,
  putAlias,
  resolveKey,
} from './keys.ts';
import type { KeyRecord, KmsState } from './model.ts';
import { validateKeyPolicy } from './policy-validation.ts';
import type { KmsStore } from './store.ts';

/** What every operation gets from the service. */
export interface KmsContext {
  readonly store: KmsStore;
  readonly now: () => number;
  /**
   * The account a request acts for: an administrator's or principal's own account, else the local
   * stack's (local/iam/principals.ts `accountOf`). Keys it creates belong to that account.
   */
  readonly accountOf: (ctx: RequestContext) => string;
}

export type KmsOperation = (
  op: KmsContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
) => Promise<unknown>;

/** The tag that sets the id of a new key, as LocalStack's KMS accepts it (AWS has no way to choose one). */
export const CUSTOM_ID_TAG = '_custom_id_';
/** The only key policy name KMS knows. */
const POLICY_NAME = 'default';
/** Largest key policy KMS accepts, in characters. */
const MAX_POLICY_LENGTH = 32_768;
const DAY_MS = 24 * 60 * 60 * 1000;

function scopeOf(op: KmsContext, ctx: RequestContext): KeyScope {
  return { region: ctx.region, accountId: op.accountOf(ctx) };
}

/** Replaces a key record in the state with `next` (records are immutable). */
function updateKey(state: KmsState, key: KeyRecord, next: KeyRecord): KeyRecord {
  state.keys = state.keys.map((k) => (k === key ? next : k));
  return next;
}

/** Resolves the `KeyId` member (saving an AWS managed key it created). */
async function keyOf(op: KmsContext, input: Record<string, unknown>, ctx: RequestContext, member = 'KeyId') {
  const resolved = resolveKey(op.store.current, scopeOf(op, ctx), requireString(input, member), op.now());
  if (resolved.created) await op.store.save();
  return resolved.key;
}

export function keyMetadata(key: KeyRecord): Record<string, unknown> {
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    ...(key.deletionDate !== undefined ? { DeletionDate: new Date(key.deletionDate) } : {}),
    ...(key.pendingWindowInDays !== undefined
      ? { PendingDeletionWindowInDays: key.pendingWindowInDays }
      : {}),
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

/** A key policy document: at most 32 KiB of JSON in the evaluator's grammar (policy-validation.ts). */
function readPolicy(input: Record<string, unknown>, required: boolean): string | undefined {
  const policy = required ? requireString(input, 'Policy') : optionalString(input, 'Policy');
  if (policy === undefined) return undefined;
  if (policy.length > MAX_POLICY_LENGTH) {
    throw KmsErrors.validation(
      'policy',
      `Member must have length less than or equal to ${MAX_POLICY_LENGTH}`,
    );
  }
  validateKeyPolicy(policy);
  return policy;
}

function readPolicyName(input: Record<string, unknown>): string {
  const name = optionalString(input, 'PolicyName') ?? POLICY_NAME;
  if (name !== POLICY_NAME) {
    throw KmsErrors.validation('policyName', `Member must satisfy enum value set: [${POLICY_NAME}]`);
  }
  return name;
}

/** Refuses a member whose value the local KMS does not model. */
function onlyValue(input: Record<string, unknown>, member: string, allowed: string, what: string): void {
  const value = optionalString(input, member);
  if (value !== undefined && value !== allowed) throw KmsErrors.unsupported(what);
}

/** The id asked for with the `_custom_id_` tag, if any. */
function customKeyId(input: Record<string, unknown>): string | undefined {
  const tags = input.Tags;
  if (tags === undefined || tags === null) return undefined;
  if (!Array.isArray(tags)) throw KmsErrors.validation('tags', 'Member must be a list');
  const tag = tags.find(
    (t): t is { TagKey: string; TagValue: unknown } =>
      typeof t === 'object' && t !== null && (t as { TagKey?: unknown }).TagKey === CUSTOM_ID_TAG,
  );
  if (tag === undefined) return undefined;
  if (typeof tag.TagValue !== 'string' || !KEY_ID.test(tag.TagValue)) {
    throw KmsErrors.validation(
      'tags',
      `the ${CUSTOM_ID_TAG} tag must hold 1 to 128 letters, digits or dashes`,
    );
  }
  return tag.TagValue;
}

/** `Limit` within [1, max], default `fallback`. */
function readLimit(input: Record<string, unknown>, max: number, fallback: number): number {
  const value = input.Limit;
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw KmsErrors.validation('limit', `Member must have value between 1 and ${max}`);
  }
  return value;
}

/** One page of `items` from the opaque `Marker` (an offset). */
function page<T>(items: readonly T[], input: Record<string, unknown>, limit: number) {
  const marker = optionalString(input, 'Marker');
  let start = 0;
  if (marker !== undefined) {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    start = /^\d+$/.test(decoded) ? Number(decoded) : Number.NaN;
    if (!Number.isInteger(start) || start > items.length) throw KmsErrors.invalidMarker();
  }
  const end = start + limit;
  const truncated = end < items.length;
  return {
    items: items.slice(start, end),
    truncated,
    ...(truncated ? { nextMarker: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

export const createKey: KmsOperation = async (op, input, ctx) => {
  onlyValue(input, 'KeyUsage', 'ENCRYPT_DECRYPT', 'keys with KeyUsage ENCRYPT_DECRYPT');
  onlyValue(input, 'KeySpec', 'SYMMETRIC_DEFAULT', 'symmetric encryption keys (KeySpec SYMMETRIC_DEFAULT)');
  onlyValue(
    input,
    'CustomerMasterKeySpec',
    'SYMMETRIC_DEFAULT',
    'symmetric encryption keys (SYMMETRIC_DEFAULT)',
  );
  onlyValue(input, 'Origin', 'AWS_KMS', 'keys of origin AWS_KMS');
  if (input.MultiRegion === true) throw KmsErrors.unsupported('single-Region keys');
  const policy = readPolicy(input, false);
  const description = optionalString(input, 'Description');
  const keyId = customKeyId(input);
  const key = addKey(op.store.current, scopeOf(op, ctx), {
    ...(keyId !== undefined ? { keyId } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(policy !== undefined ? { policy } : {}),
    now: op.now(),
  });
  await op.store.save();
  return { KeyMetadata: keyMetadata(key) };
};

export const describeKey: KmsOperation = async (op, input, ctx) => ({
  KeyMetadata: keyMetadata(await keyOf(op, input, ctx)),
});

export const listKeys: KmsOperation = async (op, input, ctx) => {
  const scope = scopeOf(op, ctx);
  const keys = op.store.current.keys.filter(
    (k) => k.region === scope.region && k.accountId === scope.accountId,
  );
  const { items, truncated, nextMarker } = page(keys, input, readLimit(input, 1000, 100));
  return {
    Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
    Truncated: truncated,
    ...(nextMarker !== undefined ? { NextMarker: nextMarker } : {}),
  };
};

export const getKeyPolicy: KmsOperation = async (op, input, ctx) => {
  const key = await keyOf(op, input, ctx);
  return { Policy: key.policy, PolicyName: readPolicyName(input) };
};

export const putKeyPolicy: KmsOperation = async (op, input, ctx) => {
  const key = await keyOf(op, input, ctx);
  readPolicyName(input);
  const policy = readPolicy(input, true) ?? key.policy;
  updateKey(op.store.current, key, { ...key, policy });
  await op.store.save();
  return {};
};

export const disableKey: KmsOperation = async (op, input, ctx) => {
  const key = await keyOf(op, input, ctx);
  if (key.state === 'PendingDeletion') throw KmsErrors.pendingDeletion(key.arn);
  updateKey(op.store.current, key, { ...key, state: 'Disabled' });
  await op.store.save();
  return {};
};

export const enableKey: KmsOperation = async (op, input, ctx) => {
  const key = await keyOf(op, input, ctx);
  if (key.state === 'PendingDeletion') throw KmsErrors.pendingDeletion(key.arn);
  updateKey(op.store.current, key, { ...key, state: 'Enabled' });
  await op.store.save();
  return {};
};

export const scheduleKeyDeletion: KmsOperation = async (op, input, ctx) => {
  const key = await keyOf(op, input, ctx);
  const days = input.PendingWindowInDays ?? 30;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 7 || days > 30) {
    throw KmsErrors.validation('pendingWindowInDays', 'Member must have value between 7 and 30');
  }
  if (key.state === 'PendingDeletion') throw KmsErrors.pendingDeletion(key.arn);
  const deletionDate = op.now() + days * DAY_MS;
  updateKey(op.store.current, key, {
    ...key,
    state: 'PendingDeletion',
    deletionDate,
    pendingWindowInDays: days,
  });
  await op.store.save();
  return {
    KeyId: key.arn,
    DeletionDate: new Date(deletionDate),
    KeyState: 'PendingDeletion',
    PendingWindowInDays: days,
  };
};

/** CancelKeyDeletion: the key comes back Disabled, as on KMS. */
export const cancelKeyDeletion: KmsOperation = async (op, input, ctx) => {
  const key = await keyOf(op, input, ctx);
  if (key.state !== 'PendingDeletion') throw KmsErrors.notPendingDeletion(key.arn);
  const { deletionDate: _deletionDate, pendingWindowInDays: _days, ...rest } = key;
  updateKey(op.store.current, key, { ...rest, state: 'Disabled' });
  await op.store.save();
  return { KeyId: key.arn };
};

export const createAlias: KmsOperation = async (op, input, ctx) => {
  const name = requireString(input, 'AliasName');
  if (!ALIAS_NAME.test(name) || name.length > 256) {
    throw KmsErrors.invalidAliasName(
      name,
      'must begin with alias/ and hold only letters, digits, /, _ and -',
    );
  }
  if (awsManagedService(name) !== undefined || name.startsWith('alias/aws/')) {
    throw KmsErrors.invalidAliasName(
      name,
      'uses the alias/aws/ prefix, which is reserved for AWS managed keys',
    );
  }
  const target = requireString(input, 'TargetKeyId');
  if (target.startsWith('alias/') || /:alias\//.test(target)) {
    throw KmsErrors.validation('targetKeyId', 'Member must name a key, not an alias');
  }
  const scope = scopeOf(op, ctx);
  const key = resolveKey(op.store.current, scope, target, op.now()).key;
  if (key.state === 'PendingDeletion') throw KmsErrors.pendingDeletion(key.arn);
  const existing = findAlias(op.store.current, scope, name);
  if (existing) throw KmsErrors.aliasExists(existing.arn);
  putAlias(op.store.current, scope, name, key, op.now());
  await op.store.save();
  return {};
};

export const listAliases: KmsOperation = async (op, input, ctx) => {
  const scope = scopeOf(op, ctx);
  const filter = optionalString(input, 'KeyId');
  const keyId = filter === undefined ? undefined : (await keyOf(op, input, ctx)).keyId;
  const aliases = op.store.current.aliases.filter(
    (a) =>
      a.region === scope.region &&
      a.accountId === scope.accountId &&
      (keyId === undefined || a.targetKeyId === keyId),
  );
  const { items, truncated, nextMarker } = page(aliases, input, readLimit(input, 100, 50));
  return {
    Aliases: items.map((a) => ({
      AliasName: a.name,
      AliasArn: a.arn,
      TargetKeyId: a.targetKeyId,
      CreationDate: new Date(a.createdAt),
      LastUpdatedDate: new Date(a.updatedAt),
    })),
    Truncated: truncated,
    ...(nextMarker !== undefined ? { NextMarker: nextMarker } : {}),
  };
};

/** Every operation by the name `X-Amz-Target` gives after `TrentService.`. */
export const OPERATIONS: Readonly<Record<string, KmsOperation>> = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  GetKeyPolicy: getKeyPolicy,
  PutKeyPolicy: putKeyPolicy,
  DisableKey: disableKey,
  EnableKey: enableKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  CreateAlias: createAlias,
  ListAliases: listAliases,
};
