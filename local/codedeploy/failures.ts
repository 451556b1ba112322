/**
 * Injected deployment failures: a rule makes the next matching deployments end Failed with a chosen
 * `errorInformation`. Rules live in memory (a test or the demo sets them at run time); the outcome is
 * decided when a deployment is created and stored with it, so it survives a restart.
 */
import type { DeploymentOutcome } from './model.ts';

/** Which deployments fail, and how. */
export interface FailureRule {
  /** Only deployments of this application. @default any */
  readonly applicationName?: string;
  /** Only deployments to this deployment group. @default any */
  readonly deploymentGroupName?: string;
  /** Only deployments in this region. @default any */
  readonly region?: string;
  /** `errorInformation.code` of the failed deployment. @default 'HEALTH_CONSTRAINTS' */
  readonly code?: string;
  /** `errorInformation.message`. @default CodeDeploy's message for the code's usual cause */
  readonly message?: string;
  /** How many deployments this rule fails before it is used up. @default 1 */
  readonly times?: number;
}

/** Raised when a failure rule cannot be used. */
export class InvalidFailureRuleError extends Error {
  override readonly name = 'InvalidFailureRuleError';
}

const DEFAULT_CODE = 'HEALTH_CONSTRAINTS';
const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  HEALTH_CONSTRAINTS:
    'The overall deployment failed because too many individual instances failed deployment, too few healthy instances are available for deployment, or some instances in your deployment group are experiencing problems.',
  REVISION_MISSING: 'The revision could not be found in the location specified.',
  TIMEOUT: 'The deployment timed out.',
};

interface ActiveRule {
  readonly rule: FailureRule;
  remaining: number;
}

/** The set of active failure rules. */
export class FailureInjector {
  private rules: ActiveRule[] = [];

  /** Adds a rule; rules are consumed in the order they were added. */
  add(rule: FailureRule): void {
    const times = rule.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new InvalidFailureRuleError(`times must be a positive integer, got ${String(rule.times)}`);
    }
    this.rules.push({ rule, remaining: times });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** The outcome for a new deployment; consumes one use of the first matching rule. */
  take(region: string, applicationName: string, deploymentGroupName: string): DeploymentOutcome {
    const match = this.rules.find(
      ({ rule }) =>
        (rule.region === undefined || rule.region === region) &&
        (rule.applicationName === undefined || rule.applicationName === applicationName) &&
        (rule.deploymentGroupName === undefined || rule.deploymentGroupName === deploymentGroupName),
    );
    if (!match) return { status: 'Succeeded' };
    match.remaining -= 1;
    if (match.remaining === 0) this.rules = this.rules.filter((r) => r !== match);
    const code = match.rule.code ?? DEFAULT_CODE;
    const message =
      match.rule.message ??
      DEFAULT_MESSAGES[code] ??
      `The deployment failed with ${code} (injected by the local stack).`;
    return { status: 'Failed', code, message };
  }
}
