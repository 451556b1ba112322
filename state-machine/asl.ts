/**
 * The subset of the Amazon States Language (JSONPath query language) the relay definition uses,
 * typed so the builder cannot produce a field Step Functions does not know.
 *
 * @see https://states-language.net/spec.html
 */

/** Any JSON value. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A payload template (`Parameters`, `ItemSelector`): keys ending in `.$` hold a path. */
export type PayloadTemplate = { readonly [key: string]: JsonValue };

/** One `Retry` entry. */
export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  /** Caps the computed backoff (seconds). */
  readonly MaxDelaySeconds?: number;
  /** `FULL`: wait a random time between 0 and the computed backoff. */
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** One `Catch` entry. */
export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string;
}

/** A condition of a Choice rule (data test or boolean combination). */
export interface ChoiceCondition {
  readonly Variable?: string;
  readonly StringEquals?: string;
  readonly BooleanEquals?: boolean;
  readonly NumericEquals?: number;
  readonly IsPresent?: boolean;
  readonly IsString?: boolean;
  readonly And?: readonly ChoiceCondition[];
  readonly Or?: readonly ChoiceCondition[];
  readonly Not?: ChoiceCondition;
}

/** A Choice rule: a condition and the state to go to when it holds. */
export type ChoiceRule = ChoiceCondition & { readonly Next: string };

/** How a non-terminal state ends: exactly one of `Next` and `End`. */
export type Transition =
  | { readonly Next: string; readonly End?: never }
  | { readonly End: true; readonly Next?: never };

interface StateBase {
  readonly Comment?: string;
}

/** A Task state calling a Lambda function directly (the function's return value is the result). */
export type TaskState = StateBase &
  Transition & {
    readonly Type: 'Task';
    readonly Resource: string;
    readonly InputPath?: string;
    readonly Parameters?: PayloadTemplate;
    readonly ResultPath?: string;
    readonly OutputPath?: string;
    readonly TimeoutSeconds?: number;
    readonly ResultSelector?: PayloadTemplate;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

/** A Pass state. */
export type PassState = StateBase &
  Transition & {
    readonly Type: 'Pass';
    readonly Parameters?: PayloadTemplate;
    readonly Result?: JsonValue;
    readonly ResultPath?: string;
    readonly InputPath?: string;
    readonly OutputPath?: string;
  };

/** A Wait state (fixed number of seconds). */
export type WaitState = StateBase &
  Transition & {
    readonly Type: 'Wait';
    readonly Seconds: number;
  };

/** A Choice state. */
export interface ChoiceState extends StateBase {
  readonly Type: 'Choice';
  readonly Choices: readonly ChoiceRule[];
  readonly Default?: string;
}

/** A Succeed state. */
export interface SucceedState extends StateBase {
  readonly Type: 'Succeed';
  readonly OutputPath?: string;
}

/** A Fail state. */
export interface FailState extends StateBase {
  readonly Type: 'Fail';
  readonly Error?: string;
  readonly Cause?: string;
  readonly CausePath?: string;
}

/** The states of a Parallel branch or a Map item processor. */
export interface SubMachine {
  readonly StartAt: string;
  readonly States: { readonly [name: string]: AslState };
}

/** An inline Map state. */
export type MapState = StateBase &
  Transition & {
    readonly Type: 'Map';
    readonly ItemProcessor: SubMachine & { readonly ProcessorConfig: { readonly Mode: 'INLINE' } };
    readonly ItemsPath?: string;
    readonly ItemSelector?: PayloadTemplate;
    readonly MaxConcurrency?: number;
    /** Applied to the array of iteration results; unlike ItemsPath it may hold filter expressions. */
    readonly ResultSelector?: PayloadTemplate;
    readonly ResultPath?: string;
    readonly OutputPath?: string;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

/**
 * A Distributed Map state (the backfill, state-machine/backfill.ts): items read from S3 by `ItemReader`,
 * each run as a child workflow execution, results written to S3 by `ResultWriter`. Not an
 * {@link AslState}: only the backfill's definition has one.
 */
export type DistributedMapState = StateBase &
  Transition & {
    readonly Type: 'Map';
    readonly ItemProcessor: SubMachine & {
      readonly ProcessorConfig: { readonly Mode: 'DISTRIBUTED'; readonly ExecutionType: 'STANDARD' };
    };
    readonly ItemReader: {
      readonly Resource: string;
      readonly ReaderConfig?: {
        readonly InputType?: 'JSON' | 'JSONL' | 'CSV' | 'MANIFEST';
        readonly MaxItems?: number;
      };
      readonly Parameters: PayloadTemplate;
    };
    readonly ItemSelector?: PayloadTemplate;
    readonly MaxConcurrencyPath?: string;
    readonly ToleratedFailurePercentagePath?: string;
    readonly ResultWriter?: { readonly Resource: string; readonly Parameters: PayloadTemplate };
    readonly Label?: string;
    readonly ResultPath?: string;
    readonly OutputPath?: string;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

/** A Parallel state. */
export type ParallelState = StateBase &
  Transition & {
    readonly Type: 'Parallel';
    readonly Branches: readonly SubMachine[];
    readonly ResultPath?: string;
    readonly OutputPath?: string;
    readonly Retry?: readonly Retrier[];
    readonly Catch?: readonly Catcher[];
  };

/** Any state. */
export type AslState =
  | TaskState
  | PassState
  | WaitState
  | ChoiceState
  | SucceedState
  | FailState
  | MapState
  | ParallelState;

/** A state machine definition. */
export interface AslDefinition extends SubMachine {
  readonly Comment?: string;
  readonly TimeoutSeconds?: number;
}
