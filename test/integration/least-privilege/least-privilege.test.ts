import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { examplePlans } from './example-plan.ts';
import { type ProofResult, proofFailures, proveLeastPrivilege } from './proof.ts';
import { SCENARIOS } from './scenarios.ts';
import { REGENERATE_COMMAND, renderTable, TABLE_PATH } from './table.ts';

/**
 * Least privilege, proven on the local stack (issue 11, point 3; the backfill's builder, issue 15): every scenario relays with every
 * grant and nothing denied (sufficiency), and every grant the local stack evaluates is needed by some
 * scenario — taken away alone, that scenario fails with AccessDenied for exactly that action and role.
 * docs/least-privilege.md is the table the proof finds.
 */

describe('the task roles, the pipeline action and the work-list builder hold least privilege (local stack)', () => {
  let proof: ProofResult;

  beforeAll(async () => {
    proof = await proveLeastPrivilege();
  });

  it('relays every scenario with every grant, and the local stack denies nothing', () => {
    // Act
    const failures = proofFailures(proof).filter((failure) => failure.startsWith('scenario '));

    // Assert
    expect(proof.sufficiency.map((run) => run.scenario)).toEqual(SCENARIOS.map((s) => s.name));
    expect(failures).toEqual([]);
  });

  it('fails some scenario with AccessDenied for exactly that action and role when any one evaluated grant is taken away', () => {
    // Act
    const unneeded = proofFailures(proof).filter((failure) => !failure.startsWith('scenario '));

    // Assert
    expect(unneeded).toEqual([]);
    expect(proof.grants.filter((g) => g.verdict.kind === 'needed').length).toBeGreaterThan(0);
    expect(proof.evaluatedServices).toContain('s3');
  });

  it('keeps docs/least-privilege.md exactly as the proof writes it', async () => {
    // Arrange
    const root = join(import.meta.dirname, '..', '..', '..');
    const expected = renderTable(proof, SCENARIOS, await examplePlans());

    // Act
    const kept = await readFile(join(root, TABLE_PATH), 'utf8').catch(() => '');

    // Assert
    expect(
      kept === expected
        ? 'current'
        : `${TABLE_PATH} is not what the proof produces: run \`${REGENERATE_COMMAND}\``,
    ).toBe('current');
  });
});
