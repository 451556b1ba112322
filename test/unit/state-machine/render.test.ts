import { describe, expect, it } from 'vitest';
import { RETRY_SUFFIX } from '../../../core/state-names.ts';
import { buildDefinition } from '../../../state-machine/build.ts';
import {
  placeholder,
  placeholderOf,
  renderDefinition,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
} from '../../../state-machine/placeholders.ts';
import { listTaskStates, taskStateNamesByRole } from '../../../state-machine/task-states.ts';
import { FAKE_ARNS } from './harness.ts';

describe('renderDefinition', () => {
  it('replaces every task placeholder with its ARN, as definitionSubstitutions would', () => {
    // Arrange
    const definition = buildDefinition();

    // Act
    const rendered = renderDefinition(definition, FAKE_ARNS);

    // Assert
    const text = JSON.stringify(rendered);
    expect(text).not.toContain('${');
    const resources = new Set(listTaskStates(rendered).map((task) => task.resource));
    expect([...resources].sort()).toEqual(Object.values(FAKE_ARNS).sort());
  });

  it('leaves the definition it was given unchanged', () => {
    // Arrange
    const definition = buildDefinition();
    const before = JSON.stringify(definition);

    // Act
    renderDefinition(definition, FAKE_ARNS);

    // Assert
    expect(JSON.stringify(definition)).toBe(before);
  });

  it('names the placeholders that have no value', () => {
    // Arrange
    const partial = { ...FAKE_ARNS } as Partial<Record<TaskPlaceholder, string>>;
    delete partial.VerifyCopyFunctionArn;
    let thrown: unknown;

    // Act
    try {
      renderDefinition(buildDefinition(), partial as Record<TaskPlaceholder, string>);
    } catch (error) {
      thrown = error;
    }

    // Assert
    expect((thrown as Error).message).toBe(
      `renderDefinition: no substitution for ${placeholder('VerifyCopyFunctionArn')}`,
    );
  });
});

describe('task placeholders', () => {
  it('map each placeholder to a task function role and back', () => {
    // Arrange
    const entries = Object.entries(TASK_PLACEHOLDERS) as [
      TaskPlaceholder,
      (typeof TASK_PLACEHOLDERS)[TaskPlaceholder],
    ][];

    // Act
    const roundTrip = entries.map(([, role]) => placeholderOf(role));

    // Assert
    expect(roundTrip).toEqual(entries.map(([name]) => name));
    expect(Object.values(TASK_PLACEHOLDERS)).toEqual([
      'resolve-targets',
      'copy-object',
      'verify-copy',
      'start-deployment',
      'check-deployment',
      'delete-replica',
    ]);
  });

  it('group the Task state names of both passes by role', () => {
    // Arrange
    const definition = buildDefinition();

    // Act
    const byRole = taskStateNamesByRole(definition);

    // Assert
    expect(byRole).toEqual({
      'resolve-targets': ['ResolveTargets'],
      'copy-object': ['Copy', `Copy${RETRY_SUFFIX}`],
      'verify-copy': [
        'Verify',
        'Verify before deploy',
        `Verify${RETRY_SUFFIX}`,
        `Verify before deploy${RETRY_SUFFIX}`,
      ],
      'start-deployment': ['StartDeployment', `StartDeployment${RETRY_SUFFIX}`],
      'check-deployment': ['CheckDeployment', `CheckDeployment${RETRY_SUFFIX}`],
      'delete-replica': ['DeleteReplica'],
    });
  });
});
