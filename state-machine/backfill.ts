/**
 * The backfill workflow (issue #15, docs/backfill.md): relays the existing objects of a source bucket —
 * a new region added, a bucket migrated, a recovery — on Step Functions' Distributed Map, with the
 * operator's machine out of the loop.
 *
 * BuildWorkList (a Lambda, called again until it says it is done) lists the source prefix and writes the
 * objects that need relaying — those since `since`, that a rule sends to one of the chosen targets, and
 * not already in sync there — as one JSONL object; RelayObjects (a Distributed Map) reads it and runs one
 * child workflow per object, whose only Task starts a relay execution and waits for it
 * (`states:startExecution.sync:2`), so every object is an ordinary relay execution: the same logic, the
 * same `relay show`, console and redrive. Results go to the results prefix (ResultWriter); the map run's
 * failed items are redriven by redriving the backfill execution.
 */
import type {
  AslState,
  DistributedMapState,
  JsonValue,
  PayloadTemplate,
  Retrier,
  SubMachine,
} from './asl.ts';
import { LOCAL_PARTITION } from './placeholders.ts';

/** The `${…}` placeholders of the backfill definition and what replaces them. */
export const BACKFILL_PLACEHOLDERS = {
  /** The work-list builder function (functions/build-work-list). */
  BuildWorkListFunctionArn: 'build-work-list',
  /** The relay state machine each object is relayed by. */
  RelayStateMachineArn: 'relay-state-machine',
  /**
   * The partition of the state machine's region (`aws`, `aws-cn`, `aws-us-gov`) in the service integrations'
   * ARNs (`arn:<partition>:states:::s3:getObject` …): Step Functions refuses to run a resource of another
   * partition than the execution's ("The resource belongs to a different partition from the running
   * execution", States.Runtime), so `arn:aws:states:::` works in the `aws` partition only.
   */
  Partition: 'partition',
} as const;

/** A placeholder of the backfill definition. */
export type BackfillPlaceholder = keyof typeof BACKFILL_PLACEHOLDERS;

const placeholder = (name: BackfillPlaceholder): string => `\${${name}}`;

/** A Step Functions service integration's ARN, in the partition the definition is rendered for. */
const integration = (service: string): string => `arn:${placeholder('Partition')}:states:::${service}`;

export { LOCAL_PARTITION };

/** The states of the backfill workflow — what `relay backfill status` and the console look for. */
export const BACKFILL_STATES = {
  buildWorkList: 'BuildWorkList',
  workListBuilt: 'Work list built?',
  nothingToBackfill: 'NothingToBackfill',
  relayObjects: 'RelayObjects',
  relayObject: 'Relay object',
} as const;

/** The Distributed Map's label (in its map run's and child executions' ARNs). */
export const BACKFILL_MAP_LABEL = 'RelayObjects';

/** A backfill state machine definition: its states may include the Distributed Map. */
export interface BackfillDefinition {
  readonly Comment: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState | DistributedMapState>>;
  readonly TimeoutSeconds?: number;
}

/**
 * Retries of the child's StartExecution, not of the relay it started: a relay execution that fails fails
 * its item (counted against the tolerated share, redriven with the map run), never started twice here.
 */
const START_RELAY_RETRY: readonly Retrier[] = [
  {
    ErrorEquals: [
      'StepFunctions.ExecutionLimitExceededException',
      'StepFunctions.AWSStepFunctionsException',
      'StepFunctions.SdkClientException',
    ],
    IntervalSeconds: 2,
    BackoffRate: 2,
    MaxAttempts: 6,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
];

/** BuildWorkList retries transient Lambda failures; its own errors (a bad request) fail the backfill. */
const BUILD_WORK_LIST_RETRY: readonly Retrier[] = [
  {
    ErrorEquals: [
      'Lambda.ClientExecutionTimeoutException',
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'TransientAwsError',
    ],
    IntervalSeconds: 2,
    BackoffRate: 2,
    MaxAttempts: 6,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
];

/** What the child workflow keeps of the relay execution it ran (the ResultWriter's per-item output). */
const RELAY_RESULT: PayloadTemplate = {
  'executionArn.$': '$.ExecutionArn',
  'status.$': '$.Status',
  'output.$': '$.Output',
};

/** The child workflow: start one relay execution for the item and wait until it ends. */
function childWorkflow(): SubMachine {
  return {
    StartAt: BACKFILL_STATES.relayObject,
    States: {
      [BACKFILL_STATES.relayObject]: {
        Type: 'Task',
        Comment: 'Relay one object: a relay execution with the plain request, waited for.',
        Resource: integration('states:startExecution.sync:2'),
        Parameters: {
          StateMachineArn: placeholder('RelayStateMachineArn'),
          'Input.$': '$.request',
        },
        ResultSelector: RELAY_RESULT,
        Retry: START_RELAY_RETRY,
        End: true,
      },
    },
  };
}

/** Builds the backfill workflow (JSONPath), with `${…}` placeholders (see {@link BACKFILL_PLACEHOLDERS}). */
export function buildBackfillDefinition(): BackfillDefinition {
  const s = BACKFILL_STATES;
  const relayObjects: DistributedMapState = {
    Type: 'Map',
    Comment:
      'One child workflow per object of the work list, each a relay execution; failed items are redriven with the map run.',
    ItemReader: {
      Resource: integration('s3:getObject'),
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { 'Bucket.$': '$.workList.bucket', 'Key.$': '$.workList.key' },
    },
    ItemSelector: { 'request.$': '$$.Map.Item.Value' },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      ...childWorkflow(),
    },
    MaxConcurrencyPath: '$.workList.maxConcurrency',
    ToleratedFailurePercentagePath: '$.workList.toleratedFailurePercentage',
    ResultWriter: {
      Resource: integration('s3:putObject'),
      Parameters: { 'Bucket.$': '$.workList.results.bucket', 'Prefix.$': '$.workList.results.prefix' },
    },
    Label: BACKFILL_MAP_LABEL,
    ResultPath: '$.relayed',
    End: true,
  };
  return {
    Comment:
      'artifact-relay backfill: relay the existing objects of a source prefix to the configured targets, one relay execution per object that needs it.',
    StartAt: s.buildWorkList,
    States: {
      [s.buildWorkList]: {
        Type: 'Task',
        Comment:
          'List the source prefix and write the objects that need relaying as JSONL; called again until done.',
        Resource: placeholder('BuildWorkListFunctionArn'),
        Parameters: { 'state.$': '$', 'backfillId.$': '$$.Execution.Name' },
        ResultPath: '$.workList',
        TimeoutSeconds: 900,
        Retry: BUILD_WORK_LIST_RETRY,
        Next: s.workListBuilt,
      },
      [s.workListBuilt]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.workList.done', BooleanEquals: false, Next: s.buildWorkList },
          { Variable: '$.workList.items', NumericEquals: 0, Next: s.nothingToBackfill },
        ],
        Default: s.relayObjects,
      },
      [s.nothingToBackfill]: {
        Type: 'Succeed',
        Comment: 'Every object is in sync, filtered out, or the prefix is empty: no relay execution started.',
      },
      [s.relayObjects]: relayObjects,
    },
  };
}

/**
 * Replaces the placeholders, as CDK's `definitionSubstitutions` would; `Partition` is the local stack's
 * ({@link LOCAL_PARTITION}) unless given. @throws naming a missing value
 */
export function renderBackfillDefinition(
  definition: BackfillDefinition,
  given: Readonly<Record<Exclude<BackfillPlaceholder, 'Partition'>, string>> & {
    readonly Partition?: string;
  },
): BackfillDefinition {
  const values: Readonly<Record<BackfillPlaceholder, string>> = { Partition: LOCAL_PARTITION, ...given };
  const render = (value: JsonValue): JsonValue => {
    if (typeof value === 'string') {
      return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, name: string) => {
        const replacement = (values as Record<string, string | undefined>)[name];
        if (replacement === undefined) throw new Error(`renderBackfillDefinition: no value for \${${name}}`);
        return replacement;
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    }
    return value;
  };
  return render(definition as unknown as JsonValue) as unknown as BackfillDefinition;
}
