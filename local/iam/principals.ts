import type { PolicyDocument } from '../../core/permissions/policy-document.ts';
import type { RequestPrincipal } from './evaluate.ts';

/**
 * Who a request's access key id stands for. The local stack does not issue credentials: a test or
 * `relay local` registers the key pairs it hands each task Lambda, with the role's ARN and the
 * identity policies the CDK app synthesizes for it. Every other access key (the user's own AWS
 * CLI/SDK calls, any credentials at all) acts as the account's administrator and is not evaluated,
 * as DESIGN §5 promises.
 *
 * A registration may carry its secret access key: when the endpoint verifies signatures
 * (local/protocol/authentication.ts), only keys whose secret it knows are accepted.
 */

/** One principal as `startLocalStack({ iam: { principals } })` takes it. */
export interface PrincipalRegistration {
  /** The access key id the principal signs with (SigV4 `Credential=<id>/…`). */
  readonly accessKeyId: string;
  /**
   * Its secret, against which signatures are verified when verification is on.
   * @default none — with verification on, the principal's requests are refused (InvalidAccessKeyId)
   */
  readonly secretAccessKey?: string;
  /** `arn:aws:iam::<account>:role/<name>` or `arn:aws:sts::<account>:assumed-role/<name>/<session>`. */
  readonly arn: string;
  /** The principal's 12-digit account. */
  readonly account: string;
  /** Its identity policies (inline and managed alike). */
  readonly policies: readonly PolicyDocument[];
}

/**
 * An account administrator's key pair: requests it signs are not evaluated (as the default caller's
 * are), but act for `account` — a bucket or key it creates belongs to that account. This is how a
 * test or `relay local` stands up a second account (a cross-account target bucket and its key).
 */
export interface AdministratorRegistration {
  readonly accessKeyId: string;
  /**
   * Its secret, against which signatures are verified when verification is on.
   * @default none — with verification on, the administrator's requests are refused (InvalidAccessKeyId)
   */
  readonly secretAccessKey?: string;
  /** The administrator's 12-digit account. */
  readonly account: string;
}

/** A registered principal, as the evaluator needs it. */
export interface Principal extends RequestPrincipal {
  readonly identityPolicies: readonly PolicyDocument[];
}

/** A registration the registry refuses, with what is wrong. */
export class InvalidPrincipal extends Error {
  override readonly name = 'InvalidPrincipal';
}

const ACCOUNT = /^\d{12}$/;
const PRINCIPAL_ARN =
  /^arn:aws[a-z-]*:(iam::(\d{12}):(role|user)\/.+|sts::(\d{12}):assumed-role\/[^/]+\/[^/]+)$/;

function validKeyPair(accessKeyId: string, secretAccessKey: string | undefined): void {
  if (accessKeyId.trim() === '' || /[\s/]/.test(accessKeyId)) {
    throw new InvalidPrincipal(`access key id "${accessKeyId}" is empty or contains "/" or whitespace`);
  }
  if (secretAccessKey !== undefined && secretAccessKey === '') {
    throw new InvalidPrincipal(`the secret access key of "${accessKeyId}" is empty`);
  }
}

function validated(registration: PrincipalRegistration): Principal {
  const { accessKeyId, arn, account } = registration;
  validKeyPair(accessKeyId, registration.secretAccessKey);
  if (!ACCOUNT.test(account)) throw new InvalidPrincipal(`account "${account}" is not 12 digits`);
  const parsed = PRINCIPAL_ARN.exec(arn);
  if (parsed === null) {
    throw new InvalidPrincipal(
      `principal ARN "${arn}" is not an IAM role or user ARN, or an STS assumed-role ARN`,
    );
  }
  const arnAccount = parsed[2] ?? parsed[4];
  if (arnAccount !== account) {
    throw new InvalidPrincipal(`principal ARN "${arn}" is not of account ${account}`);
  }
  return { account, arn, identityPolicies: registration.policies };
}

function validAdministrator(registration: AdministratorRegistration): AdministratorRegistration {
  const { accessKeyId, account } = registration;
  validKeyPair(accessKeyId, registration.secretAccessKey);
  if (!ACCOUNT.test(account)) throw new InvalidPrincipal(`account "${account}" is not 12 digits`);
  return { accessKeyId, account };
}

/** Access key id → principal or account administrator. Empty: nothing is evaluated. */
export class PrincipalRegistry {
  readonly #byKey = new Map<string, Principal>();
  readonly #administrators = new Map<string, string>();
  readonly #secrets = new Map<string, string>();

  #rememberSecret(accessKeyId: string, secretAccessKey: string | undefined): void {
    if (secretAccessKey === undefined) this.#secrets.delete(accessKeyId);
    else this.#secrets.set(accessKeyId, secretAccessKey);
  }

  /** @throws InvalidPrincipal for a malformed registration or an access key registered twice */
  constructor(
    registrations: readonly PrincipalRegistration[] = [],
    administrators: readonly AdministratorRegistration[] = [],
  ) {
    for (const registration of registrations) {
      if (this.#byKey.has(registration.accessKeyId)) {
        throw new InvalidPrincipal(`access key id "${registration.accessKeyId}" is registered twice`);
      }
      this.#byKey.set(registration.accessKeyId, validated(registration));
      this.#rememberSecret(registration.accessKeyId, registration.secretAccessKey);
    }
    for (const administrator of administrators) this.registerAdministrator(administrator);
  }

  /**
   * Registers an account administrator's access key (see {@link AdministratorRegistration}).
   * @throws InvalidPrincipal for a malformed registration or a key already registered as a principal
   */
  registerAdministrator(registration: AdministratorRegistration): void {
    const { accessKeyId, account } = validAdministrator(registration);
    if (this.#byKey.has(accessKeyId)) {
      throw new InvalidPrincipal(`access key id "${accessKeyId}" is registered twice`);
    }
    this.#administrators.set(accessKeyId, account);
    this.#rememberSecret(accessKeyId, registration.secretAccessKey);
  }

  /**
   * The account a request acts for: a principal's or administrator's own account, else
   * `defaultAccount` (any other key, or none, is the local stack's account administrator).
   */
  accountOf(accessKeyId: string | undefined, defaultAccount: string): string {
    if (accessKeyId === undefined) return defaultAccount;
    return this.#byKey.get(accessKeyId)?.account ?? this.#administrators.get(accessKeyId) ?? defaultAccount;
  }

  /**
   * Registers (or replaces) a principal at run time — what deploying the relay on the stack does for its
   * task roles.
   * @throws InvalidPrincipal for a malformed registration
   */
  register(registration: PrincipalRegistration): void {
    if (this.#administrators.has(registration.accessKeyId)) {
      throw new InvalidPrincipal(`access key id "${registration.accessKeyId}" is registered twice`);
    }
    this.#byKey.set(registration.accessKeyId, validated(registration));
    this.#rememberSecret(registration.accessKeyId, registration.secretAccessKey);
  }

  /** The secret registered with a principal's or administrator's access key id, if any. */
  secretOf(accessKeyId: string): string | undefined {
    return this.#secrets.get(accessKeyId);
  }

  /** Whether any principal is registered (no: authorization is off). */
  get isEmpty(): boolean {
    return this.#byKey.size === 0;
  }

  /** The principal of an access key id; `undefined` (the account administrator) for any other. */
  principalFor(accessKeyId: string | undefined): Principal | undefined {
    return accessKeyId === undefined ? undefined : this.#byKey.get(accessKeyId);
  }
}
