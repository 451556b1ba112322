/**
 * The least-privilege proof (issue 11, point 3; issue 15 for the backfill). Sufficiency: every scenario
 * (scenarios.ts, pipeline-scenarios.ts, backfill-scenarios.ts) relays as expected with every task role
 * holding exactly its planned policy — plus, when a pipeline drives the relay, the artifact store's
 * grants, with the pipeline action as its own role holding its planned policy, and when a backfill runs,
 * the work-list builder as its own role holding its planned policy (roles.ts) — and the local stack
 * denies nothing. Necessity: for each role, each planned statement and each action of it, the scenarios
 * whose configuration produces that statement — and whose run with all grants had that action decided
 * for that role on one of the statement's resources — run again with just that action removed from just
 * that statement (`adjustPolicy`: local/relay-handlers.ts for the tasks, local/codepipeline/action-handler.ts
 * for the pipeline action, local/backfill.ts for the builder), until one of them fails (an execution failed, a target failed, or the scenario's
 * own check, such as the pipeline run's outcome) while the local stack records a denial of exactly that
 * action for exactly that role. A grant no run needs is reported.
 *
 * Decisions are read from the services' own records (decisions.ts), not from error messages: a
 * denied HEAD has no body. A service the local stack does not evaluate yet (no decision of it is
 * recorded — the local Step Functions evaluates no IAM) cannot prove its grants; they are reported as
 * such, with AWS's documented need where the CodeDeploy User Guide or the S3 API Reference states one —
 * as are grants of an evaluated service that AWS documents for a call the local stack serves without
 * deciding on them ({@link NEEDED_BY_AWS_NOT_EVALUATED}). Runs share one local
 * stack and go side by side: each run's names are its own (run-names.ts), and a decision belongs to
 * the run whose names its resource carries or whose access key signed it.
 */
import { performance } from 'node:perf_hooks';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { parseConfig } from '../../../core/config/parse.ts';
import { BUILD_WORK_LIST_ROLE } from '../../../core/permissions/backfill.ts';
import {
  PIPELINE_ACTION_ROLE,
  PLANNED_ROLES,
  type PlannedRole,
  type PlannedStatement,
  planPermissions,
  planPipelineArtifactPermissions,
} from '../../../core/permissions/plan.ts';
import { ISOLATION_STATES } from '../../../core/state-names.ts';
import { deployBackfill } from '../../../local/backfill.ts';
import { createLocalPipelineActionHandler } from '../../../local/codepipeline/index.ts';
import type { TaskRole } from '../../../state-machine/index.ts';
import {
  type Execution,
  type Relay,
  startWorkflowHarness,
  type TaskHook,
  type WorkflowHarness,
} from '../workflow/harness.ts';
import { type Decision, DecisionLog, decisionSources, serviceOf } from './decisions.ts';
import { type HeldPolicies, PROVEN_ROLES, type ProvenRole, provenRoleArn } from './roles.ts';
import { RunNames } from './run-names.ts';
import type { RunSeams, Scenario } from './scenario.ts';
import { SCENARIOS } from './scenarios.ts';

/**
 * Actions AWS documents as needed with CreateDeployment although the relay makes no call of that name:
 * CodeDeploy checks them on the caller when it creates the deployment (CodeDeploy User Guide, "CodeDeploy
 * permissions reference" and its identity-based policy examples for deploying a revision:
 * RegisterApplicationRevision and GetApplicationRevision on the application, GetDeploymentConfig on the
 * deployment configuration). They stay in the plan; they are proven here once the local CodeDeploy
 * evaluates them.
 */
export const NEEDED_BY_AWS_FOR_CREATE_DEPLOYMENT: ReadonlySet<string> = new Set([
  'codedeploy:GetDeploymentConfig',
  'codedeploy:RegisterApplicationRevision',
  'codedeploy:GetApplicationRevision',
]);

/** A grant AWS documents as needed for a call the relay makes, which the local stack serves without evaluating it. */
export interface DocumentedNeed {
  readonly role: ProvenRole;
  readonly action: string;
  /** What the table says: the documented need, and why the local stack cannot show it. */
  readonly reason: string;
}

/**
 * Grants AWS documents as needed for a call the local stack serves without deciding on them. The
 * work-list builder's in-sync check HEADs each replica with `ChecksumMode: ENABLED`, and S3 asks for
 * `kms:Decrypt` before it returns the checksum of an object encrypted with a KMS key (S3 API Reference,
 * HeadObject, `ChecksumMode`), while the local S3 uses no key for a HEAD (local/s3/kms-authorization.ts).
 * They stay in the plan; the table says why they are not proven, until the local stack decides on them.
 */
export const NEEDED_BY_AWS_NOT_EVALUATED: readonly DocumentedNeed[] = [
  {
    role: BUILD_WORK_LIST_ROLE,
    action: 'kms:Decrypt',
    reason:
      'needed by AWS to return the checksum of an SSE-KMS replica to a HEAD with ChecksumMode ENABLED (S3 API Reference, HeadObject), not yet evaluated locally: the local S3 uses no KMS key for a HEAD',
  },
];

/**
 * Actions of which AWS accepts any one: CreateDeployment needs `codedeploy:GetApplicationRevision` or
 * `codedeploy:RegisterApplicationRevision` on the application (CodeDeploy permissions reference, as
 * local/codedeploy/authorization.ts evaluates it). Removing one alone cannot fail; the proof removes
 * the pair and looks for a denial of either.
 */
export const ALTERNATIVES: ReadonlyMap<string, readonly string[]> = new Map([
  [
    'codedeploy:GetApplicationRevision',
    ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
  ],
  [
    'codedeploy:RegisterApplicationRevision',
    ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
  ],
]);

/**
 * The services whose actions the plans grant. Those the local stack records no decision of — the local
 * Step Functions evaluates no IAM (`states:*`) — cannot be proven here, and the table says so.
 */
const SERVICES: readonly string[] = ['s3', 'kms', 'codedeploy', 'codepipeline', 'states'];

/** A planned statement, in the patterns every run shares, and the scenarios whose plans hold it. */
export interface CatalogueStatement {
  readonly role: ProvenRole;
  readonly key: string;
  readonly actions: readonly string[];
  /** Resource patterns (`<source-bucket>` … for the run's names). */
  readonly resources: readonly string[];
  /** The condition keys the statement tests. */
  readonly conditionKeys: readonly string[];
  /** Scenarios whose plan holds the statement, in scenario order. */
  readonly scenarios: readonly string[];
}

/** Why one action of one statement is granted. */
export type Verdict =
  | {
      readonly kind: 'needed';
      readonly scenario: string;
      readonly operation?: string;
      /** Removed together with this action (AWS accepts any one of them). */
      readonly alternatives?: readonly string[];
    }
  | { readonly kind: 'unneeded'; readonly tried: readonly string[] }
  | { readonly kind: 'not-evaluated'; readonly reason: string };

export interface GrantVerdict {
  readonly statement: CatalogueStatement;
  readonly action: string;
  readonly verdict: Verdict;
}

/** One scenario's run with every grant. */
export interface SufficiencyResult {
  readonly scenario: string;
  readonly problems: readonly string[];
  readonly denials: readonly Decision[];
}

export interface ProofResult {
  readonly sufficiency: readonly SufficiencyResult[];
  readonly grants: readonly GrantVerdict[];
  /** Relays deployed and run, in all. */
  readonly runs: number;
  /** The services whose decisions the local stack records (`s3`, `kms`, `codedeploy`, `codepipeline`). */
  readonly evaluatedServices: readonly string[];
}

/**
 * Removes actions (one, or one with its alternatives) from the statements of one role whose key matches:
 * statements with the same resources and conditions are one entry to the proof (a plan may hold two, such
 * as a bucket's listing and its tag read), whose actions it takes away one at a time.
 */
interface Removal {
  readonly role: ProvenRole;
  readonly key: string;
  readonly actions: readonly string[];
}

interface RunOutcome {
  readonly problems: readonly string[];
  readonly decisions: readonly Decision[];
  readonly names: RunNames;
  /** What each role held before the removal. */
  readonly plan: HeldPolicies;
  /** How long the run took (schedules the slowest scenarios' removals first; never reported). */
  readonly ms: number;
}

/** A statement's identity across runs: its role, resource patterns and conditions. */
function statementKey(role: ProvenRole, statement: PlannedStatement, names: RunNames): string {
  const resources = templatedResources(statement, names);
  const conditions =
    statement.conditions === undefined ? '' : names.template(JSON.stringify(statement.conditions));
  return `${role} ${resources.join(' ')} ${conditions}`;
}

/** A statement's resources as patterns, each once (two targets of one run share `<target-bucket>`). */
function templatedResources(statement: PlannedStatement, names: RunNames): string[] {
  return [...new Set(statement.resources.map((r) => names.template(r)))];
}

/** IAM's `*` / `?` resource wildcards as a regular expression. */
function resourcePattern(resource: string): RegExp {
  const escaped = resource
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

/** Runs at most `limit` tasks at once; a waiting task of higher `priority` starts first (ties: first come). */
type Slots = <T>(task: () => Promise<T>, priority?: number) => Promise<T>;

function limiter(limit: number): Slots {
  let active = 0;
  const waiting: Array<{ readonly priority: number; readonly start: () => void }> = [];
  const next = (): void => {
    let best = -1;
    for (let i = 0; i < waiting.length; i++) {
      if (best < 0 || (waiting[i]?.priority ?? 0) > (waiting[best]?.priority ?? 0)) best = i;
    }
    // The finished task's slot passes straight to the chosen one (`active` unchanged).
    if (best >= 0) waiting.splice(best, 1)[0]?.start();
    else active--;
  };
  return async (task, priority = 0) => {
    if (active < limit) active++;
    else await new Promise<void>((start) => waiting.push({ priority, start }));
    try {
      return await task();
    } finally {
      next();
    }
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

class ScenarioRunner {
  readonly #h: WorkflowHarness;
  readonly #log: DecisionLog;
  readonly #account: string;
  readonly #slot: Slots;
  #runs = 0;

  constructor(h: WorkflowHarness, log: DecisionLog, concurrency: number) {
    this.#h = h;
    this.#log = log;
    this.#account = h.stack.accountId;
    this.#slot = limiter(concurrency);
  }

  get runs(): number {
    return this.#runs;
  }

  /** Runs `scenario` (without `removal`'s actions) once a slot is free; higher `priority` runs first. */
  run(scenario: Scenario, removal?: Removal, priority?: number): Promise<RunOutcome> {
    return this.#slot(() => this.#run(scenario, removal), priority);
  }

  async #run(scenario: Scenario, removal: Removal | undefined): Promise<RunOutcome> {
    const h = this.#h;
    const names = new RunNames(++this.#runs, this.#account);
    const label = `run ${this.#runs} ${scenario.name}${removal === undefined ? '' : ` without ${removal.role} ${removal.actions.join('+')}`}`;
    if (process.env.LP_DEBUG) console.error(`start ${label}`);
    const started = performance.now();
    const prepared = scenario.prepare(names, this.#account);
    const planned = planPermissions(parseConfig(prepared.config, scenario.name), this.#account);
    const store = prepared.artifactStore;
    const storeGrants: Readonly<Partial<Record<PlannedRole, readonly PlannedStatement[]>>> =
      store === undefined ? {} : planPipelineArtifactPermissions(store);
    // What each role holds: its plan, and a pipeline's artifact store grants (as local/codepipeline
    // `artifactStoreGrants` adds them); the pipeline action's once the run makes one.
    const held: Record<ProvenRole, readonly PlannedStatement[]> = {
      ...planned,
      [PIPELINE_ACTION_ROLE]: [],
      [BUILD_WORK_LIST_ROLE]: [],
    };
    for (const role of PLANNED_ROLES) held[role] = [...planned[role], ...(storeGrants[role] ?? [])];
    let removed = removal === undefined;
    const adjust = (role: ProvenRole, statements: readonly PlannedStatement[]) => {
      if (removal === undefined || role !== removal.role) return statements;
      const matches = statements.map((s) => statementKey(role, s, names) === removal.key);
      if (!matches.includes(true)) return statements;
      removed = true;
      return statements.map((s, i) =>
        matches[i] === true ? { ...s, actions: s.actions.filter((a) => !removal.actions.includes(a)) } : s,
      );
    };
    const adjustPolicy = (role: TaskRole, statements: readonly PlannedStatement[]) =>
      adjust(role, [...statements, ...(storeGrants[role] ?? [])]);
    const seams: RunSeams = {
      pipelineAction: (relay, options = {}) => {
        const stateMachineArn = relay.deployed.stateMachineArn;
        names.register(stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1), 'state-machine');
        return createLocalPipelineActionHandler(h.stack, {
          stateMachineArn,
          region: store?.region ?? relay.deployed.region,
          asRoles: true,
          credentialsTag: names.credentialsTag,
          ...options,
          adjustPolicy: (statements) => {
            held[PIPELINE_ACTION_ROLE] = statements;
            return adjust(PIPELINE_ACTION_ROLE, statements);
          },
        });
      },
      backfill: async (relay, options = {}) => {
        const { region, stateMachineArn: relayArn } = relay.deployed;
        const resultsBucket = names.bucket('results-bucket');
        await h.bucket(resultsBucket, region, { versioned: false });
        const deployed = await deployBackfill(h.stack, {
          config: relay.config,
          relay: relay.deployed,
          relayName: relayArn.slice(relayArn.lastIndexOf(':') + 1),
          resultsBucket,
          asRoles: true,
          credentialsTag: names.credentialsTag,
          ...(options.builder === undefined ? {} : { builder: options.builder }),
          adjustPolicy: (statements) => {
            held[BUILD_WORK_LIST_ROLE] = statements;
            return adjust(BUILD_WORK_LIST_ROLE, statements);
          },
        });
        const sfn = h.sfn(region);
        let started = 0;
        return {
          resultsBucket,
          async run(request) {
            const { executionArn } = await sfn.send(
              new StartExecutionCommand({
                stateMachineArn: deployed.stateMachineArn,
                name: `backfill-${++started}`,
                input: JSON.stringify(request),
              }),
            );
            if (executionArn === undefined) throw new Error('StartExecution of the backfill returned no ARN');
            await h.stack.stepFunctions.waitForExecution(executionArn);
            const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
            return { arn: executionArn, status: described.status, described };
          },
        };
      },
    };
    const hook = prepared.afterTask?.(h);
    const afterTask: TaskHook = async (role, input, output) => {
      this.#log.collect();
      await hook?.(role, input, output);
    };
    let problems: string[];
    try {
      await prepared.arrange(h);
      const relay = await h.deploy(prepared.config, {
        handlers: { ...prepared.handlers, adjustPolicy, credentialsTag: names.credentialsTag },
        afterTask,
      });
      const executions = await prepared.act(h, relay, seams);
      if (!removed) throw new Error(`the ${removal?.role} policy holds no statement ${removal?.key}`);
      problems = [...(await prepared.check(h, executions)), ...(await firstPassFailures(relay, executions))];
    } catch (err) {
      problems = [`the run threw ${errorText(err)}`];
    }
    if (process.env.LP_DEBUG) console.error(`end ${label}: ${problems.join('; ')}`);
    return {
      problems,
      decisions: this.#log.of((d) => names.ownsDecision(d)),
      names,
      plan: held,
      ms: performance.now() - started,
    };
  }
}

/**
 * Targets that failed in the first pass (the state machine's per-target Catch), although the second
 * pass may have relayed them: a grant whose absence only the retry hides is still needed.
 */
async function firstPassFailures(relay: Relay, executions: readonly Execution[]): Promise<string[]> {
  const failed = new Set<string>([ISOLATION_STATES.failed, ISOLATION_STATES.failedWithoutCause]);
  const problems: string[] = [];
  for (const execution of executions) {
    for (const event of await relay.history(execution.arn)) {
      const entered = event.stateEnteredEventDetails;
      if (entered?.name === undefined || !failed.has(entered.name)) continue;
      const input = JSON.parse(entered.input ?? '{}') as { failure?: { Error?: string } };
      problems.push(`a target failed in the first pass: ${input.failure?.Error ?? 'no error name'}`);
    }
  }
  return problems;
}

function roleOf(decision: Decision, account: string): ProvenRole | undefined {
  return PROVEN_ROLES.find((role) => decision.principal === provenRoleArn(account, role));
}

/**
 * Adds a run's planned statements to the catalogue: one entry per role, resources and conditions, holding
 * every action any such statement grants (a statement of the same resources with more actions — a target
 * with a canned ACL, a bucket's tag read beside its listing — adds them).
 */
function catalogue(
  into: Map<string, { statement: Omit<CatalogueStatement, 'scenarios'>; scenarios: string[] }>,
  scenario: string,
  outcome: RunOutcome,
): void {
  for (const role of PROVEN_ROLES) {
    for (const statement of outcome.plan[role]) {
      const key = statementKey(role, statement, outcome.names);
      const entry = into.get(key) ?? {
        statement: {
          role,
          key,
          actions: statement.actions,
          resources: templatedResources(statement, outcome.names),
          conditionKeys: Object.values(statement.conditions ?? {}).flatMap((block) => Object.keys(block)),
        },
        scenarios: [],
      };
      const added = statement.actions.filter((action) => !entry.statement.actions.includes(action));
      if (added.length > 0)
        entry.statement = { ...entry.statement, actions: [...entry.statement.actions, ...added] };
      if (!entry.scenarios.includes(scenario)) entry.scenarios.push(scenario);
      into.set(key, entry);
    }
  }
}

/**
 * The scenarios worth running without `actions` of the statement `key` of `role`: those whose run with
 * every grant had one of `actions` decided for `role` on one of the statement's resources — elsewhere the
 * removal cannot be noticed, as nothing asks for it.
 */
function candidates(
  statement: CatalogueStatement,
  actions: readonly string[],
  used: ReadonlyMap<string, RunOutcome>,
  account: string,
): string[] {
  return statement.scenarios.filter((scenario) => {
    const outcome = used.get(scenario);
    if (outcome === undefined) return false;
    const own = outcome.plan[statement.role].find(
      (s) => statementKey(statement.role, s, outcome.names) === statement.key,
    );
    if (own === undefined) return false;
    const patterns = own.resources.map(resourcePattern);
    return outcome.decisions.some(
      (d) =>
        actions.includes(d.action) &&
        roleOf(d, account) === statement.role &&
        patterns.some((pattern) => pattern.test(d.resource)),
    );
  });
}

export interface ProofOptions {
  /** Relays run at once. @default 6 */
  readonly concurrency?: number;
  /** The scenarios. @default SCENARIOS */
  readonly scenarios?: readonly Scenario[];
}

/** Runs the proof on a fresh local stack. */
export async function proveLeastPrivilege(options: ProofOptions = {}): Promise<ProofResult> {
  const scenarios = options.scenarios ?? SCENARIOS;
  const h = await startWorkflowHarness();
  try {
    const log = new DecisionLog(decisionSources(h.stack));
    const runner = new ScenarioRunner(h, log, options.concurrency ?? 6);
    const account = h.stack.accountId;

    // Sufficiency, and what each scenario's roles hold and its run asks for.
    const outcomes = await Promise.all(scenarios.map((scenario) => runner.run(scenario)));
    const byName = new Map(scenarios.map((scenario, i) => [scenario.name, outcomes[i] as RunOutcome]));
    const sufficiency = scenarios.map((scenario, i) => {
      const outcome = outcomes[i] as RunOutcome;
      return {
        scenario: scenario.name,
        problems: outcome.problems,
        denials: outcome.decisions.filter((d) => d.decision !== 'Allow'),
      };
    });
    const entries = new Map<
      string,
      { statement: Omit<CatalogueStatement, 'scenarios'>; scenarios: string[] }
    >();
    for (const scenario of scenarios) {
      const outcome = byName.get(scenario.name);
      if (outcome !== undefined) catalogue(entries, scenario.name, outcome);
    }
    const statements = [...entries.values()]
      .map(({ statement, scenarios: names }) => ({ ...statement, scenarios: names }))
      .sort((a, b) => PROVEN_ROLES.indexOf(a.role) - PROVEN_ROLES.indexOf(b.role));
    const evaluated = new Set(SERVICES.filter((service) => log.evaluates(service)));

    const proveOne = async (statement: CatalogueStatement, action: string): Promise<Verdict> => {
      const service = serviceOf(action);
      const documented = NEEDED_BY_AWS_FOR_CREATE_DEPLOYMENT.has(action);
      if (!evaluated.has(service)) {
        return {
          kind: 'not-evaluated',
          reason: documented
            ? 'needed by AWS for CreateDeployment, not yet evaluated locally'
            : `not yet evaluated locally: the local stack records no ${service} authorization decisions`,
        };
      }
      const tried: string[] = [];
      const removed = (ALTERNATIVES.get(action) ?? [action]).filter((a) => statement.actions.includes(a));
      for (const scenario of candidates(statement, removed, byName, account)) {
        const definition = scenarios.find((s) => s.name === scenario);
        if (definition === undefined) continue;
        tried.push(scenario);
        // Longest first: the slowest scenarios' runs start early instead of making the proof's tail.
        const outcome = await runner.run(
          definition,
          { role: statement.role, key: statement.key, actions: removed },
          byName.get(scenario)?.ms,
        );
        const denied = outcome.decisions.find(
          (d) =>
            d.decision !== 'Allow' && removed.includes(d.action) && roleOf(d, account) === statement.role,
        );
        if (outcome.problems.length > 0 && denied !== undefined) {
          const alternatives = removed.filter((a) => a !== action);
          return {
            kind: 'needed',
            scenario,
            ...(denied.operation === undefined ? {} : { operation: denied.operation }),
            ...(alternatives.length === 0 ? {} : { alternatives }),
          };
        }
      }
      if (tried.length === 0 && documented) {
        return {
          kind: 'not-evaluated',
          reason: 'needed by AWS for CreateDeployment, not yet evaluated locally',
        };
      }
      const need = NEEDED_BY_AWS_NOT_EVALUATED.find((n) => n.role === statement.role && n.action === action);
      if (tried.length === 0 && need !== undefined) return { kind: 'not-evaluated', reason: need.reason };
      return { kind: 'unneeded', tried };
    };

    const grants = await Promise.all(
      statements.flatMap((statement) =>
        statement.actions.map(async (action) => ({
          statement,
          action,
          verdict: await proveOne(statement, action),
        })),
      ),
    );
    return { sufficiency, grants, runs: runner.runs, evaluatedServices: [...evaluated].sort() };
  } finally {
    await h.dispose();
  }
}

/** The proof's findings as precise sentences; empty when every grant is proven or not provable locally. */
export function proofFailures(result: ProofResult): string[] {
  const failures: string[] = [];
  for (const run of result.sufficiency) {
    if (run.problems.length > 0) {
      failures.push(`scenario ${run.scenario} failed with all grants: ${run.problems.join('; ')}`);
    }
    for (const denial of run.denials) {
      failures.push(
        `scenario ${run.scenario} was denied ${denial.action} on ${denial.resource} for ${denial.principal} with all grants`,
      );
    }
  }
  for (const { statement, action, verdict } of result.grants) {
    if (verdict.kind !== 'unneeded') continue;
    const tried =
      verdict.tried.length === 0 ? 'no scenario asks for it' : `tried ${verdict.tried.join(', ')}`;
    failures.push(
      `${statement.role}: ${action} on ${statement.resources.join(', ')} is granted but no scenario needed it (${tried})`,
    );
  }
  return failures;
}
