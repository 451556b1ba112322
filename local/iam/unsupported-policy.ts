/**
 * A policy uses grammar the local evaluator does not implement. It refuses such a policy rather
 * than guess, so a local run never allows (or denies) what AWS would decide otherwise unnoticed.
 */
export class UnsupportedPolicy extends Error {
  override readonly name = 'UnsupportedPolicy';

  constructor(what: string) {
    super(`The local policy evaluator does not support ${what}; see local/iam/evaluate.ts for its grammar.`);
  }
}
