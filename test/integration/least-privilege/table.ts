/**
 * docs/least-privilege.md as the proof (proof.ts) finds it: every grant of every task role — role,
 * action, resource pattern, and the scenario that fails without it or why it cannot be proven on the
 * local stack — plus the grants CDK adds beyond the plan, the scenarios, and the statements per role
 * of the example configuration. Deterministic: no timings, no run names.
 */
import { BUILD_WORK_LIST_ROLE } from '../../../core/permissions/backfill.ts';
import { PLANNED_ROLES, type PlannedStatement } from '../../../core/permissions/plan.ts';
import { BEYOND_THE_PLAN, OTHER_ROLES } from './beyond-the-plan.ts';
import type { ExamplePlans } from './example-plan.ts';
import type { GrantVerdict, ProofResult } from './proof.ts';
import { PROVEN_ROLES } from './roles.ts';
import type { Scenario } from './scenario.ts';

/** The command that writes the file. */
export const REGENERATE_COMMAND = 'npm run proof:least-privilege';

/** Where the table lives, from the repository root. */
export const TABLE_PATH = 'docs/least-privilege.md';

function code(text: string): string {
  return `\`${text}\``;
}

function resourceCell(grant: GrantVerdict): string {
  const resources = grant.statement.resources.map(code).join('<br>');
  const keys = [...new Set(grant.statement.conditionKeys)];
  return keys.length === 0 ? resources : `${resources}<br>if ${keys.map(code).join(', ')}`;
}

function neededCell(grant: GrantVerdict): string {
  const { verdict } = grant;
  switch (verdict.kind) {
    case 'needed':
      return `${code(verdict.scenario)}${verdict.operation === undefined ? '' : ` (${verdict.operation} denied)`}${
        verdict.alternatives === undefined
          ? ''
          : `; AWS accepts ${verdict.alternatives.map(code).join(' or ')} instead, so the proof removed both`
      }`;
    case 'not-evaluated':
      return verdict.reason;
    case 'unneeded':
      return `**no scenario needed it**${verdict.tried.length === 0 ? '' : ` (tried ${verdict.tried.map(code).join(', ')})`}`;
  }
}

function counted(role: string, statements: readonly PlannedStatement[]) {
  return {
    role,
    statements: statements.length,
    actions: statements.reduce((sum, statement) => sum + statement.actions.length, 0),
  };
}

/** Statements and actions per role of the plans: the task roles', then the work-list builder's. */
export function statementsPerRole(
  plans: ExamplePlans,
): Array<{ role: string; statements: number; actions: number }> {
  return [
    ...PLANNED_ROLES.map((role) => counted(role, plans.tasks[role])),
    counted(BUILD_WORK_LIST_ROLE, plans.builder),
  ];
}

export function renderTable(
  result: ProofResult,
  scenarios: readonly Scenario[],
  examplePlans: ExamplePlans,
): string {
  const lines: string[] = [
    '# Least privilege, proven',
    '',
    `<!-- Written by \`${REGENERATE_COMMAND}\` (test/integration/least-privilege/); the test there fails when this file is not what the proof finds. -->`,
    '',
    "Each task Lambda runs as its own role holding exactly the policy the permission plan (`core/permissions/plan.ts`) computes from the configuration — on AWS as `npx cdk deploy` synthesizes it, on the local stack as `relay local` and the tests register it. The CodePipeline action runs as a role of its own too (`planPipelineActionPermissions`), and when a pipeline drives the relay its tasks also hold the artifact store's grants (`planPipelineArtifactPermissions`, the `<artifact-store>` rows); the `pipeline…` scenarios run a local pipeline (Source → Build → Relay) with them. The backfill's work-list builder runs as its own role as well (`planBuildWorkListPermissions`, `core/permissions/backfill.ts`, with the backfill's `<results-bucket>`); the `backfill…` scenarios run the backfill workflow with it, relaying objects a source already holds. The proof runs the scenarios below on the local stack, first with every grant (each must relay as expected, nothing denied), then once per row with just that action taken out of just that statement: the row's scenario then fails while the local stack records AccessDenied for exactly that action and role.",
    '',
    'Resource patterns name the configuration with placeholders: `<source-bucket>`, `<target-bucket>` and the other `<…>` stand for the configured names, `<account>` for the account. Rows whose service the local stack does not evaluate (yet) say so; they are proven once it does.',
    '',
    `Services the local stack evaluated in this proof: ${result.evaluatedServices.map(code).join(', ')}.`,
    '',
    '## Grants',
    '',
    '| Role | Action | Resource | Needed by (scenario), or why not provable locally |',
    '| --- | --- | --- | --- |',
  ];
  for (const role of PROVEN_ROLES) {
    for (const grant of result.grants.filter((g) => g.statement.role === role)) {
      lines.push(`| ${role} | ${code(grant.action)} | ${resourceCell(grant)} | ${neededCell(grant)} |`);
    }
  }
  for (const extra of Object.values(BEYOND_THE_PLAN)) {
    for (const action of extra.actions) {
      lines.push(
        `| every relay function's role | ${code(action)} | ${extra.resource === '*' ? code('*') : extra.resource} | ${extra.reason} |`,
      );
    }
  }
  for (const other of OTHER_ROLES) {
    lines.push(
      `| ${other.role} | ${other.actions.map((a) => (a === '…' ? a : code(a))).join(', ')} | ${other.resource} | ${other.reason} |`,
    );
  }
  lines.push('', '## Scenarios', '', '| Scenario | What it exercises |', '| --- | --- |');
  for (const scenario of scenarios) lines.push(`| ${code(scenario.name)} | ${scenario.summary} |`);
  lines.push(
    '',
    '## Statements per role (examples/relay.config.json)',
    '',
    '| Role | Statements | Actions |',
    '| --- | --- | --- |',
    ...statementsPerRole(examplePlans).map((row) => `| ${row.role} | ${row.statements} | ${row.actions} |`),
    '',
  );
  return lines.join('\n');
}
