import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { RETRYABLE_ERROR_NAMES } from '../../../core/errors.ts';
import { RETRY_SUFFIX, TOP_STATES } from '../../../core/state-names.ts';
import type {
  AslDefinition,
  AslState,
  JsonValue,
  MapState,
  Retrier,
  SubMachine,
  TaskState,
} from '../../../state-machine/asl.ts';
import { buildDefinition, DEFAULT_BUILD_OPTIONS } from '../../../state-machine/build.ts';
import { DEFINITION_FILE, definitionJson } from '../../../state-machine/generate.ts';
import { placeholder, TASK_PLACEHOLDERS, type TaskPlaceholder } from '../../../state-machine/placeholders.ts';
import {
  DEPLOYMENT_GROUP_BUSY_RETRY,
  LAMBDA_SERVICE_RETRY,
  TRANSIENT_AWS_RETRY,
} from '../../../state-machine/retry-policies.ts';
import { listStateNames } from '../../../state-machine/task-states.ts';
import { renderedDefinition } from './harness.ts';

interface AslValidation {
  readonly isValid: boolean;
  readonly errorsText: (separator?: string) => string;
}
// asl-validator is CommonJS without type declarations.
const validateAsl = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => AslValidation;

/** Every state of the definition, nested ones included, with its name. */
function allStates(machine: { States: { readonly [name: string]: AslState } }): [string, AslState][] {
  return Object.entries(machine.States).flatMap(([name, state]): [string, AslState][] => {
    const inner =
      state.Type === 'Map' ? [state.ItemProcessor] : state.Type === 'Parallel' ? [...state.Branches] : [];
    return [[name, state], ...inner.flatMap(allStates)];
  });
}

/** Every [key, value] pair anywhere in a JSON value. */
function allEntries(value: JsonValue): [string, JsonValue][] {
  if (Array.isArray(value)) return value.flatMap(allEntries);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]): [string, JsonValue][] => [
      [key, inner],
      ...allEntries(inner),
    ]);
  }
  return [];
}

function stateNamed<T extends AslState>(definition: AslDefinition, name: string): T {
  const found = allStates(definition).find(([candidate]) => candidate === name);
  if (found === undefined) throw new Error(`no state named ${name}`);
  return found[1] as T;
}

const definition = buildDefinition();
const json = definition as unknown as JsonValue;

describe('the relay definition', () => {
  it('is committed as generated (run `npx tsx state-machine/generate.ts` after changing it)', () => {
    // Arrange
    const committed = readFileSync(DEFINITION_FILE, 'utf8');

    // Act
    const generated = definitionJson();

    // Assert
    expect(committed).toBe(generated);
    expect(generated.endsWith('}\n')).toBe(true);
  });

  it('is valid ASL once rendered, paths and ARNs checked', () => {
    // Arrange
    const rendered = structuredClone(renderedDefinition());

    // Act
    const result = validateAsl(rendered, { checkPaths: true, checkArn: true });

    // Assert
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each([
    { maxConcurrency: 1, retryPauseSeconds: 1, deploymentPollSeconds: 1 },
    { maxConcurrency: 40, retryPauseSeconds: 3600, deploymentPollSeconds: 600 },
    { deploymentWaves: 3, approvals: [{ wave: 2, timeoutSeconds: 600 }] },
  ])('is valid ASL for other options too (%o)', (options) => {
    // Arrange
    const rendered = structuredClone(renderedDefinition(options));

    // Act
    const result = validateAsl(rendered, { checkPaths: true, checkArn: true });

    // Assert
    expect(result.errorsText('\n')).toBe('');
  });

  it('has readable top-level states in flow order', () => {
    // Arrange
    const names = Object.keys(definition.States);

    // Act
    const start = definition.StartAt;

    // Assert
    expect(start).toBe(TOP_STATES.resolveTargets);
    expect(names).toEqual([
      'ResolveTargets',
      'Any targets?',
      'PropagateDelete',
      'NothingToRelay',
      'RelayToTargets',
      'RetryFailedTargets',
    ]);
  });

  it('names every state uniquely across the whole definition', () => {
    // Arrange
    const names = listStateNames(definition);

    // Act
    const unique = new Set(names);

    // Assert
    expect(unique.size).toBe(names.length);
    expect(names).toContain(`Copy${RETRY_SUFFIX}`);
  });

  it("uses only JSONPath: no QueryLanguage, no JSONata, and a filter only in the first pass's ResultSelector", () => {
    // Arrange
    const entries = allEntries(json);
    const firstPass = stateNamed<MapState>(definition, 'RelayToTargets');

    // Act
    const strings = entries.flatMap(([key, value]) => (typeof value === 'string' ? [key, value] : [key]));

    // Assert
    expect(entries.map(([key]) => key)).not.toContain('QueryLanguage');
    expect(strings.filter((text) => text.includes('{%'))).toEqual([]);
    expect(strings.filter((text) => text.includes('?('))).toEqual([firstPass.ResultSelector?.['failed.$']]);
    expect(firstPass.ResultSelector).toEqual({ 'results.$': '$', 'failed.$': "$[?(@.status == 'failed')]" });
  });

  it('never uses ResultPath "$", and no intrinsic function in a Fail state', () => {
    // Arrange
    const entries = allEntries(json);

    // Act
    const resultPaths = entries.filter(([key]) => key === 'ResultPath').map(([, value]) => value);
    const failPaths = allStates(definition)
      .filter(([, state]) => state.Type === 'Fail')
      .flatMap(([, state]) =>
        state.Type === 'Fail' && state.CausePath !== undefined ? [state.CausePath] : [],
      );

    // Assert
    expect(resultPaths).not.toContain('$');
    expect(failPaths).toEqual(['$.mismatch.Cause']); // the second pass's; the first pass's mismatch is a result
  });

  it('pauses before the second pass only for transient failures; a permanent one reruns the chain at once', () => {
    // Arrange
    const [, choice] = allStates(definition).find(([name]) => name === 'Pause before retry?') ?? [];

    // Act
    const rules = choice?.Type === 'Choice' ? choice.Choices : [];
    const transientNames = (rules[0]?.Or ?? []).map((rule) => rule.StringEquals);

    // Assert
    expect(rules.map((rule) => rule.Next)).toEqual(['Pause before retry']);
    expect(choice?.Type === 'Choice' ? choice.Default : undefined).toBe(`Copy${RETRY_SUFFIX}`);
    expect(transientNames).toEqual(
      expect.arrayContaining(['TransientAwsError', 'DeploymentGroupBusy', 'States.Timeout']),
    );
    expect(transientNames).not.toContain('DeploymentFailed');
    expect(transientNames).not.toContain('DeploymentRejected');
    expect(transientNames).not.toContain('AccessDenied');
  });

  it('calls only the task placeholders, and all of them', () => {
    // Arrange
    const tasks = allStates(definition).filter(([, state]) => state.Type === 'Task');

    // Act
    const resources = new Set(tasks.map(([, state]) => (state.Type === 'Task' ? state.Resource : '')));

    // Assert
    expect([...resources].sort()).toEqual(
      (Object.keys(TASK_PLACEHOLDERS) as TaskPlaceholder[]).map((name) => placeholder(name)).sort(),
    );
  });

  it('retries Lambda service exceptions and transient errors on every Task, with full jitter and a cap', () => {
    // Arrange
    const tasks = allStates(definition).filter(([, state]) => state.Type === 'Task');

    // Act
    const retries = tasks.map(
      ([name, state]) => [name, state.Type === 'Task' ? state.Retry : undefined] as const,
    );

    // Assert
    expect(tasks.length).toBe(12); // ResolveTargets, DeleteReplica + 5 tasks (two Verify states) in each pass
    for (const [name, retry] of retries) {
      expect(retry?.slice(0, 2), name).toEqual([LAMBDA_SERVICE_RETRY, TRANSIENT_AWS_RETRY]);
      for (const retrier of retry ?? []) {
        expect(retrier.JitterStrategy, name).toBe('FULL');
        expect(retrier.MaxDelaySeconds, name).toBeGreaterThan(0);
      }
    }
  });

  it('retries the Lambda service exceptions AWS lists', () => {
    // Arrange
    const expected = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

    // Act
    const names = LAMBDA_SERVICE_RETRY.ErrorEquals;

    // Assert
    expect(names).toEqual(expect.arrayContaining([...expected, 'Lambda.TooManyRequestsException']));
  });

  it('retries every retryable relay error somewhere, DeploymentGroupBusy on StartDeployment with a long backoff', () => {
    // Arrange
    const retriers = allStates(definition).flatMap(([, state]): Retrier[] =>
      state.Type === 'Task' ? [...(state.Retry ?? [])] : [],
    );

    // Act
    const retried = new Set(retriers.flatMap((retrier) => retrier.ErrorEquals));
    const startDeployment = stateNamed<AslState & { Type: 'Task' }>(definition, 'StartDeployment');

    // Assert
    for (const name of RETRYABLE_ERROR_NAMES) expect(retried.has(name), name).toBe(true);
    expect(TRANSIENT_AWS_RETRY.ErrorEquals).toContain('TransientAwsError');
    expect(startDeployment.Retry).toContainEqual(DEPLOYMENT_GROUP_BUSY_RETRY);
    expect(DEPLOYMENT_GROUP_BUSY_RETRY.IntervalSeconds).toBeGreaterThanOrEqual(30);
  });

  it('gives Copy the full Lambda time', () => {
    // Arrange
    const copy = stateNamed<AslState & { Type: 'Task' }>(definition, 'Copy');

    // Act
    const timeout = copy.TimeoutSeconds;

    // Assert
    expect(timeout).toBe(900);
  });

  it('isolates each target in the first pass by a Catch on every Task, and catches only mismatches in the second', () => {
    // Arrange
    const relayMap = stateNamed<MapState>(definition, 'RelayToTargets');
    const retryMap = stateNamed<MapState>(definition, 'RetryFailedTargets');
    const catchesOf = (machine: SubMachine) =>
      allStates(machine).flatMap(([name, state]) =>
        state.Type === 'Task' ? [[name, (state.Catch ?? []).map((c) => c.ErrorEquals.join())] as const] : [],
      );

    // Act
    const firstPass = catchesOf(relayMap.ItemProcessor);
    const secondPass = catchesOf(retryMap.ItemProcessor);

    // Assert
    expect(firstPass.length).toBe(5);
    for (const [name, errors] of firstPass) expect(errors.at(-1), name).toBe('States.ALL');
    expect(Object.fromEntries(secondPass)).toEqual({
      [`Copy${RETRY_SUFFIX}`]: [],
      [`Verify${RETRY_SUFFIX}`]: ['VerificationFailed'],
      [`Verify before deploy${RETRY_SUFFIX}`]: ['VerificationFailed'],
      [`StartDeployment${RETRY_SUFFIX}`]: [],
      [`CheckDeployment${RETRY_SUFFIX}`]: [],
    });
    expect(allStates(definition).map(([, state]) => state.Type)).not.toContain('Parallel');
  });

  it("runs the second pass over the failed targets only, carrying each target's index", () => {
    // Arrange
    const retryMap = stateNamed<MapState>(definition, 'RetryFailedTargets');

    // Act
    const selector = retryMap.ItemSelector;

    // Assert
    expect(retryMap.ItemsPath).toBe('$.firstPass.failed');
    expect(selector).toMatchObject({
      'index.$': '$$.Map.Item.Value.index',
      'target.$': '$$.Map.Item.Value.target',
    });
    expect(retryMap.End).toBe(true);
  });

  it('adds one Map per later deployment wave after the second pass, without a Catch, and deploys only wave 1 in the chain', () => {
    // Arrange
    const withWaves = buildDefinition({ deploymentWaves: 3 });

    // Act
    const names = Object.keys(withWaves.States);
    const wave2 = stateNamed<MapState>(withWaves, 'DeployWave2');
    const wave3 = stateNamed<MapState>(withWaves, 'DeployWave3');
    const retry = stateNamed<MapState>(withWaves, 'RetryFailedTargets');
    const copyFinished = stateNamed<AslState & { Type: 'Choice' }>(withWaves, 'Copy finished?');
    const catches = allStates(wave2.ItemProcessor).filter(
      ([, state]) => 'Catch' in state && state.Catch !== undefined,
    );

    // Assert
    expect(names.slice(-2)).toEqual(['DeployWave2', 'DeployWave3']);
    expect(retry.Next).toBe('DeployWave2');
    expect(wave2.Next).toBe('DeployWave3');
    expect(wave3.End).toBe(true);
    expect([wave2.ItemsPath, wave3.ItemsPath]).toEqual(['$.deployWaves[0]', '$.deployWaves[1]']);
    expect(wave2.ResultPath).toBe('$.deployed.wave2');
    expect(wave2.ItemProcessor.StartAt).toBe('StartDeployment (wave 2)');
    expect(catches).toEqual([]);
    expect(JSON.stringify(copyFinished.Choices)).toContain('"$.target.deploy.wave"');
    expect(JSON.stringify(buildDefinition().States)).not.toContain('deploy.wave');
  });

  it('asks for an approval before a wave that requires one, only when the object has targets in it', () => {
    // Arrange
    const definition = buildDefinition({
      deploymentWaves: 3,
      approvals: [{ wave: 3, timeoutSeconds: 7200 }],
    });

    // Act
    const names = Object.keys(definition.States);
    const wave2 = stateNamed<MapState>(definition, 'DeployWave2');
    const needed = stateNamed<AslState & { Type: 'Choice'; Choices: unknown[]; Default: string }>(
      definition,
      'Approval needed for wave 3?',
    );
    const approve = stateNamed<TaskState>(definition, 'Approve wave 3');

    // Assert: wave 2 goes on to wave 3's Choice; the Choice asks only when wave 3 lists items
    expect(names.slice(-4)).toEqual([
      'DeployWave2',
      'Approval needed for wave 3?',
      'Approve wave 3',
      'DeployWave3',
    ]);
    expect(wave2.Next).toBe('Approval needed for wave 3?');
    expect(needed.Choices).toEqual([
      { Variable: '$.deployWaves[1][0]', IsPresent: true, Next: 'Approve wave 3' },
    ]);
    expect(needed.Default).toBe('DeployWave3');
    // The Task puts the "Approval Pending" event with the token and waits, without a Retry (a retry would ask twice)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a definition substitution (the stack's partition)
    expect(approve.Resource).toBe('arn:${Partition}:states:::events:putEvents.waitForTaskToken');
    expect(approve.TimeoutSeconds).toBe(7200);
    expect(approve.ResultPath).toBe('$.approvals.wave3');
    expect(approve.Next).toBe('DeployWave3');
    expect(approve.Retry).toBeUndefined();
    expect(approve.Catch).toBeUndefined();
    expect(approve.Parameters).toEqual({
      Entries: [
        {
          Source: 'artifact-relay',
          DetailType: 'Approval Pending',
          Detail: {
            'executionArn.$': '$$.Execution.Id',
            wave: 3,
            timeoutSeconds: 7200,
            'source.$': '$.source',
            'items.$': '$.deployWaves[1]',
            'taskToken.$': '$$.Task.Token',
          },
        },
      ],
    });
  });

  it('refuses an approval of a wave the definition does not have, or of wave 1', () => {
    expect(() =>
      buildDefinition({ deploymentWaves: 2, approvals: [{ wave: 3, timeoutSeconds: 60 }] }),
    ).toThrow(/an approval wave must be an integer from 2 to 2 \(got 3\)/);
    expect(() =>
      buildDefinition({ deploymentWaves: 2, approvals: [{ wave: 1, timeoutSeconds: 60 }] }),
    ).toThrow(RangeError);
  });

  it('applies the build options', () => {
    // Arrange
    const options = { maxConcurrency: 3, retryPauseSeconds: 45, deploymentPollSeconds: 20 };

    // Act
    const built = buildDefinition(options);

    // Assert
    expect(stateNamed<MapState>(built, 'RelayToTargets').MaxConcurrency).toBe(3);
    expect(stateNamed<MapState>(built, 'RetryFailedTargets').MaxConcurrency).toBe(3);
    expect(stateNamed<AslState & { Type: 'Wait' }>(built, 'Pause before retry').Seconds).toBe(45);
    expect(stateNamed<AslState & { Type: 'Wait' }>(built, 'Wait for deployment').Seconds).toBe(20);
    expect(stateNamed<AslState & { Type: 'Wait' }>(built, `Wait for deployment${RETRY_SUFFIX}`).Seconds).toBe(
      20,
    );
  });

  it('uses the documented defaults', () => {
    // Arrange
    const defaults = DEFAULT_BUILD_OPTIONS;

    // Act
    const map = stateNamed<MapState>(definition, 'RelayToTargets');

    // Assert
    expect(defaults.maxConcurrency).toBe(10);
    expect(map.MaxConcurrency).toBe(10);
  });

  it.each([
    { maxConcurrency: 0 },
    { maxConcurrency: 41 },
    { maxConcurrency: 2.5 },
    { retryPauseSeconds: 0 },
    { deploymentPollSeconds: -1 },
  ])('rejects out-of-range options (%o)', (options) => {
    // Arrange
    let thrown: unknown;

    // Act
    try {
      buildDefinition(options);
    } catch (error) {
      thrown = error;
    }

    // Assert
    expect(thrown).toBeInstanceOf(RangeError);
    expect((thrown as Error).message).toMatch(/must be an integer from \d+ to \d+/);
  });
});
