/**
 * The names one run of a least-privilege scenario owns — buckets, KMS key ids and aliases, CodeDeploy
 * applications and groups — each unique to the run, so runs deploy side by side on one local stack
 * and a decision in the stack's authorization log can be told apart by the resource it names. Each
 * name stands for a token (`<source-bucket>`, `<target-key-id>` …): {@link RunNames.template} turns
 * the ARNs the permission plan computes for this run back into patterns that are the same for every
 * run, which is what the least-privilege table shows and how grants of different runs are matched.
 */
import { randomUUID } from 'node:crypto';

export class RunNames {
  readonly #prefix: string;
  readonly #account: string;
  /** Real name → token. */
  readonly #tokens = new Map<string, string>();

  /**
   * @param run a number unique among the runs on one stack
   * @param account the local stack's account (shown as `<account>` in patterns)
   */
  constructor(run: number, account: string) {
    this.#prefix = `lp${run}`;
    this.#account = account;
  }

  /** A bucket name for `token`; `variant` tells apart several buckets that share a token. */
  bucket(token: string, variant?: string): string {
    return this.#remember(`${this.#prefix}-${token}${variant === undefined ? '' : `-${variant}`}`, token);
  }

  /** A name for a CodeDeploy application, group or a KMS alias. */
  name(token: string): string {
    return this.#remember(`${this.#prefix}-${token}`, token);
  }

  /** A text standing for `token` in patterns (an allowlist glob built from this run's names). */
  register(text: string, token: string): string {
    return this.#remember(text, token);
  }

  /** A fresh KMS key id (a UUID, as KMS makes them). */
  keyId(token: string): string {
    return this.#remember(randomUUID(), token);
  }

  /** Every name the run owns: a resource naming one of them belongs to this run. */
  owned(): readonly string[] {
    return [...this.#tokens.keys()];
  }

  /** What this run's relay names its access keys with (`credentialsTag`, local/relay-handlers.ts). */
  get credentialsTag(): string {
    return this.#prefix;
  }

  /** Whether a decision belongs to this run: it names what the run owns, or was signed with its keys. */
  ownsDecision(decision: { readonly resource: string; readonly accessKeyId?: string }): boolean {
    return (
      decision.accessKeyId?.endsWith(`-${this.#prefix}`) === true ||
      (decision.accessKeyId === undefined && this.owns(decision.resource))
    );
  }

  /** Whether `resource` names something this run owns. */
  owns(resource: string): boolean {
    return this.owned().some((name) => resource.includes(name));
  }

  /** `text` with every owned name replaced by `<token>` and the account by `<account>`. */
  template(text: string): string {
    const names = [...this.#tokens.keys()].sort((a, b) => b.length - a.length);
    let out = text;
    for (const name of names) out = out.split(name).join(`<${this.#tokens.get(name) ?? ''}>`);
    return out.split(`:${this.#account}:`).join(':<account>:');
  }

  #remember(name: string, token: string): string {
    this.#tokens.set(name, token);
    return name;
  }
}
