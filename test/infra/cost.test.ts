import { describe, expect, it } from 'vitest';
import type { AslState, SubMachine } from '../../state-machine/asl.ts';
import { buildDefinition } from '../../state-machine/build.ts';

/**
 * State transitions per relayed artifact, counted by walking the deployed definition along the
 * path an execution takes when every step succeeds — the figures the README's cost table prices
 * (4 + 3 × targets without deployments). Step Functions bills every state entered (Choice, Pass,
 * Wait, Map and Parallel included); the second pass's Map is entered but iterates nothing.
 */

interface Scenario {
  readonly targets: number;
  readonly deploy: boolean;
  /** CheckDeployment calls until the deployment is done (one per 30 s poll). */
  readonly polls: number;
  /** The object has targets in wave 2, so its approval (when the wave requires one) is asked for. */
  readonly inWave2?: boolean;
}

const HAPPY_PATH: Record<string, (visit: number, scenario: Scenario) => string> = {
  'Any targets?': () => 'RelayToTargets',
  'Copy finished?': (_, s) => (s.deploy ? 'Verify before deploy' : 'Verify'),
  // Entered once right after StartDeployment, then after every CheckDeployment.
  'Deployment finished?': (visit, s) => (visit > s.polls ? 'Target deployed' : 'Wait for deployment'),
  'Approval needed for wave 2?': (_, s) => (s.inWave2 === true ? 'Approve wave 2' : 'DeployWave2'),
};

/** How many items a Map state iterates on the happy path: every target, or — the second pass — none failed. */
function iterations(state: AslState, scenario: Scenario): number {
  return state.Type === 'Map' && state.ItemsPath === '$.targets' ? scenario.targets : 0;
}

function transitions(machine: SubMachine, scenario: Scenario): number {
  const visits = new Map<string, number>();
  let count = 0;
  let name: string | undefined = machine.StartAt;
  while (name !== undefined) {
    const state: AslState | undefined = machine.States[name];
    if (state === undefined) throw new Error(`no state ${name}`);
    count += 1;
    const visit: number = (visits.get(name) ?? 0) + 1;
    visits.set(name, visit);
    if (state.Type === 'Choice') {
      const choose: ((visit: number, scenario: Scenario) => string) | undefined = HAPPY_PATH[name];
      if (choose === undefined) throw new Error(`no happy-path choice for ${name}`);
      name = choose(visit, scenario);
      continue;
    }
    const items = iterations(state, scenario);
    if (state.Type === 'Map' && items > 0) count += items * transitions(state.ItemProcessor, scenario);
    if (state.Type === 'Parallel') count += state.Branches.reduce((n, b) => n + transitions(b, scenario), 0);
    if (state.Type === 'Succeed' || state.Type === 'Fail') return count;
    name = state.End === true ? undefined : state.Next;
  }
  return count;
}

describe('state transitions per relayed artifact', () => {
  const definition = buildDefinition();

  it.each([
    { targets: 1, deploy: false, polls: 0, expected: 7 },
    { targets: 3, deploy: false, polls: 0, expected: 13 },
    { targets: 10, deploy: false, polls: 0, expected: 34 },
    { targets: 1, deploy: true, polls: 10, expected: 40 },
    { targets: 3, deploy: true, polls: 10, expected: 112 },
  ])('$targets target(s), deploy $deploy ($polls polls): $expected', ({ expected, ...scenario }) => {
    // Act
    const count = transitions(definition, scenario);

    // Assert
    expect(count).toBe(expected);
  });

  it('cost one transition per later deployment wave (its Map state), nothing without waves', () => {
    // Arrange
    const scenario = { targets: 3, deploy: false, polls: 0 };

    // Act
    const one = transitions(buildDefinition(), scenario);
    const three = transitions(buildDefinition({ deploymentWaves: 3 }), scenario);

    // Assert: the wave Maps are entered and iterate nothing here (no target deploys)
    expect(three - one).toBe(2);
  });

  it('cost one transition per approval (its Choice) when the object has no target in the wave, two when it asks', () => {
    // Arrange
    const scenario = { targets: 3, deploy: false, polls: 0 };
    const approvals = [{ wave: 2, timeoutSeconds: 3600 }];

    // Act
    const waves = transitions(buildDefinition({ deploymentWaves: 2 }), scenario);
    const skipped = transitions(buildDefinition({ deploymentWaves: 2, approvals }), scenario);
    const asked = transitions(buildDefinition({ deploymentWaves: 2, approvals }), {
      ...scenario,
      inWave2: true,
    });

    // Assert
    expect(skipped - waves).toBe(1);
    expect(asked - waves).toBe(2);
  });

  it('grow by three per deployment poll (Wait, CheckDeployment, Deployment finished?)', () => {
    // Act
    const five = transitions(definition, { targets: 1, deploy: true, polls: 5 });
    const six = transitions(definition, { targets: 1, deploy: true, polls: 6 });

    // Assert
    expect(six - five).toBe(3);
  });
});
