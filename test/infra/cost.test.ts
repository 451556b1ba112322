import { describe, expect, it } from 'vitest';
import type { AslState, SubMachine } from '../../state-machine/asl.ts';
import { buildDefinition } from '../../state-machine/build.ts';

/**
 * State transitions per relayed artifact, counted by walking the deployed definition along the
 * path an execution takes when every step succeeds — the figures docs/deploy.md prices. Step
 * Functions bills every state entered (Choice, Pass, Wait, Map and Parallel included).
 */

interface Scenario {
  readonly targets: number;
  readonly deploy: boolean;
  /** CheckDeployment calls until the deployment is done (one per 30 s poll). */
  readonly polls: number;
}

const HAPPY_PATH: Record<string, (visit: number, scenario: Scenario) => string> = {
  'Any targets?': () => 'RelayToTargets',
  'Copy finished?': () => 'Verify',
  'Deploy?': (_, s) => (s.deploy ? 'StartDeployment' : 'Target copied'),
  // Entered once right after StartDeployment, then after every CheckDeployment.
  'Deployment finished?': (visit, s) => (visit > s.polls ? 'Target deployed' : 'Wait for deployment'),
  'Failed in first pass?': () => 'Keep first result',
};

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
    if (state.Type === 'Map') count += scenario.targets * transitions(state.ItemProcessor, scenario);
    if (state.Type === 'Parallel') count += state.Branches.reduce((n, b) => n + transitions(b, scenario), 0);
    if (state.Type === 'Succeed' || state.Type === 'Fail') return count;
    name = state.End === true ? undefined : state.Next;
  }
  return count;
}

describe('state transitions per relayed artifact', () => {
  const definition = buildDefinition();

  it.each([
    { targets: 1, deploy: false, polls: 0, expected: 13 },
    { targets: 3, deploy: false, polls: 0, expected: 29 },
    { targets: 1, deploy: true, polls: 10, expected: 45 },
    { targets: 3, deploy: true, polls: 10, expected: 125 },
  ])('$targets target(s), deploy $deploy ($polls polls): $expected', ({ expected, ...scenario }) => {
    // Act
    const count = transitions(definition, scenario);

    // Assert
    expect(count).toBe(expected);
  });

  it('grow by three per deployment poll (Wait, CheckDeployment, Deployment finished?)', () => {
    // Act
    const five = transitions(definition, { targets: 1, deploy: true, polls: 5 });
    const six = transitions(definition, { targets: 1, deploy: true, polls: 6 });

    // Assert
    expect(six - five).toBe(3);
  });
});
