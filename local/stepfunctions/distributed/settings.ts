/**
 * What a Distributed Map state asks for — `ItemProcessor.ProcessorConfig`, `ItemReader`, `ItemBatcher`,
 * `MaxConcurrency`, `ToleratedFailurePercentage`/`Count`, `Label`, `ResultWriter` — read from its
 * definition, with every `…Path` and `.$` field evaluated against the state's input when it starts. A bad
 * value fails the state with `States.Runtime` before its map run starts, as AWS does for a `MaxItemsPath`
 * that is not an integer.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { StatesRuntimeError } from '../errors.ts';
import { type AslScope, type AslState, asLibraryDefinition, isRecord, type JsonValue } from '../library.ts';
import { defaultLabel, labelProblem } from './arn.ts';

/** Whether a Map state runs in Distributed mode (`ItemProcessor.ProcessorConfig.Mode: DISTRIBUTED`). */
export function isDistributedMap(state: AslState): boolean {
  const processor = state.ItemProcessor;
  return (
    state.Type === 'Map' &&
    isRecord(processor) &&
    isRecord(processor.ProcessorConfig) &&
    processor.ProcessorConfig.Mode === 'DISTRIBUTED'
  );
}

export const LIST_OBJECTS_V2 = 'arn:aws:states:::s3:listObjectsV2';
export const GET_OBJECT = 'arn:aws:states:::s3:getObject';
export const PUT_OBJECT = 'arn:aws:states:::s3:putObject';

export type ReaderInputType = 'JSON' | 'JSONL' | 'CSV';

export interface ReaderSettings {
  readonly resource: 'listObjectsV2' | 'getObject';
  readonly bucket: string;
  readonly prefix?: string;
  readonly key?: string;
  readonly versionId?: string;
  readonly inputType: ReaderInputType;
  readonly csvHeaders?: readonly string[];
  /** 0: all items. */
  readonly maxItems: number;
}

export interface BatcherSettings {
  /** 0: no limit by count. */
  readonly maxItemsPerBatch: number;
  /** 0: no limit by size. */
  readonly maxInputBytesPerBatch: number;
  readonly batchInput?: JsonValue;
}

export interface DistributedSettings {
  readonly label: string;
  /** The `ItemProcessor` without `ProcessorConfig`, as the definition every child runs. */
  readonly processorDefinition: string;
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage?: number;
  readonly toleratedFailureCount?: number;
  readonly reader?: ReaderSettings;
  readonly batcher?: BatcherSettings;
  readonly resultWriter?: { readonly bucket: string; readonly prefix: string };
}

const EVALUATE_STATE = 'Evaluate';

/** A payload template (`Parameters`, `BatchInput`) evaluated with the library's own engine. */
export async function evaluateTemplate(
  template: unknown,
  input: JsonValue,
  context: Record<string, unknown>,
  field: string,
): Promise<JsonValue> {
  if (!isRecord(template) && !Array.isArray(template)) return template as JsonValue;
  const scope: AslScope = {
    StartAt: EVALUATE_STATE,
    States: { [EVALUATE_STATE]: { Type: 'Pass', Parameters: template, End: true } },
  };
  const machine = new StateMachine(asLibraryDefinition(scope), { validationOptions: { noValidate: true } });
  try {
    return await machine.run(input, { context }).result;
  } catch (error) {
    const cause = error instanceof ExecutionError ? error.cause : error;
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new StatesRuntimeError(`The ${field} field could not be evaluated: ${message}`);
  }
}

/** The value a `…Path` field selects. */
async function evaluatePath(
  path: string,
  input: JsonValue,
  context: Record<string, unknown>,
  field: string,
): Promise<JsonValue> {
  const out = await evaluateTemplate({ 'value.$': path }, input, context, field);
  return isRecord(out) ? ((out.value ?? null) as JsonValue) : null;
}

/** An integer field or its `…Path` twin. */
async function integerField(
  holder: Record<string, unknown>,
  field: string,
  input: JsonValue,
  context: Record<string, unknown>,
): Promise<number | undefined> {
  const path = holder[`${field}Path`];
  let value: unknown = holder[field];
  if (typeof path === 'string') {
    value = await evaluatePath(path, input, context, `${field}Path`);
    if (typeof value === 'string' && /^-?\d+$/.test(value)) value = Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new StatesRuntimeError(
        `The ${field}Path field refers to value "${typeof value === 'string' ? value : JSON.stringify(value)}" which is not a valid integer: ${path}`,
      );
    }
  }
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new StatesRuntimeError(`${field} must be an integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

async function percentageField(
  state: AslState,
  input: JsonValue,
  context: Record<string, unknown>,
): Promise<number | undefined> {
  const path = state.ToleratedFailurePercentagePath;
  let value: unknown = state.ToleratedFailurePercentage;
  if (typeof path === 'string') {
    value = await evaluatePath(path, input, context, 'ToleratedFailurePercentagePath');
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      value = Number(value);
    if (typeof value !== 'number') {
      throw new StatesRuntimeError(
        `The ToleratedFailurePercentagePath field refers to value "${JSON.stringify(value)}" which is not a valid float: ${path}`,
      );
    }
  }
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || value < 0 || value > 100) {
    throw new StatesRuntimeError('ToleratedFailurePercentage must be between 0 and 100.');
  }
  return value;
}

function stringParameter(parameters: Record<string, unknown>, name: string, where: string): string {
  const value = parameters[name];
  if (typeof value !== 'string' || value === '') {
    throw new StatesRuntimeError(`${where}: Parameters.${name} must be a non-empty string`);
  }
  return value;
}

function optionalString(
  parameters: Record<string, unknown>,
  name: string,
  where: string,
): string | undefined {
  const value = parameters[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new StatesRuntimeError(`${where}: Parameters.${name} must be a string`);
  return value;
}

async function readerSettings(
  reader: unknown,
  input: JsonValue,
  context: Record<string, unknown>,
): Promise<ReaderSettings> {
  if (!isRecord(reader)) throw new StatesRuntimeError('ItemReader must be an object');
  const resource = reader.Resource;
  const parameters = await evaluateTemplate(reader.Parameters ?? {}, input, context, 'ItemReader.Parameters');
  if (!isRecord(parameters)) throw new StatesRuntimeError('ItemReader.Parameters must be an object');
  const config = isRecord(reader.ReaderConfig) ? reader.ReaderConfig : {};
  const maxItems = (await integerField(config, 'MaxItems', input, context)) ?? 0;
  if (resource === LIST_OBJECTS_V2) {
    const prefix = optionalString(parameters, 'Prefix', 'ItemReader');
    return {
      resource: 'listObjectsV2',
      bucket: stringParameter(parameters, 'Bucket', 'ItemReader'),
      ...(prefix !== undefined ? { prefix } : {}),
      inputType: 'JSON',
      maxItems,
    };
  }
  if (resource !== GET_OBJECT) {
    throw new StatesRuntimeError(
      `ItemReader.Resource '${String(resource)}' is not supported by the local engine: use ${LIST_OBJECTS_V2} or ${GET_OBJECT}`,
    );
  }
  const inputType = config.InputType ?? 'JSON';
  if (inputType !== 'JSON' && inputType !== 'JSONL' && inputType !== 'CSV') {
    throw new StatesRuntimeError(
      `ItemReader.ReaderConfig.InputType '${String(inputType)}' is not supported by the local engine: use JSON, JSONL or CSV`,
    );
  }
  let csvHeaders: string[] | undefined;
  if (inputType === 'CSV') {
    const location = config.CSVHeaderLocation ?? 'FIRST_ROW';
    if (location === 'GIVEN') {
      const given = config.CSVHeaders;
      if (!Array.isArray(given) || !given.every((h) => typeof h === 'string')) {
        throw new StatesRuntimeError(
          'ItemReader.ReaderConfig.CSVHeaders must be a list of strings when CSVHeaderLocation is GIVEN',
        );
      }
      csvHeaders = given as string[];
    } else if (location !== 'FIRST_ROW') {
      throw new StatesRuntimeError(`ItemReader.ReaderConfig.CSVHeaderLocation must be FIRST_ROW or GIVEN`);
    }
  }
  const versionId = optionalString(parameters, 'VersionId', 'ItemReader');
  return {
    resource: 'getObject',
    bucket: stringParameter(parameters, 'Bucket', 'ItemReader'),
    key: stringParameter(parameters, 'Key', 'ItemReader'),
    ...(versionId !== undefined ? { versionId } : {}),
    inputType,
    ...(csvHeaders ? { csvHeaders } : {}),
    maxItems,
  };
}

async function batcherSettings(
  batcher: unknown,
  input: JsonValue,
  context: Record<string, unknown>,
): Promise<BatcherSettings> {
  if (!isRecord(batcher)) throw new StatesRuntimeError('ItemBatcher must be an object');
  const maxItemsPerBatch = (await integerField(batcher, 'MaxItemsPerBatch', input, context)) ?? 0;
  const maxInputBytesPerBatch = (await integerField(batcher, 'MaxInputBytesPerBatch', input, context)) ?? 0;
  if (maxItemsPerBatch < 0 || maxInputBytesPerBatch < 0) {
    throw new StatesRuntimeError('ItemBatcher: MaxItemsPerBatch and MaxInputBytesPerBatch must be positive');
  }
  if (maxItemsPerBatch === 0 && maxInputBytesPerBatch === 0) {
    throw new StatesRuntimeError(
      'ItemBatcher needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path fields)',
    );
  }
  const batchInput =
    batcher.BatchInput === undefined
      ? undefined
      : await evaluateTemplate(batcher.BatchInput, input, context, 'ItemBatcher.BatchInput');
  return { maxItemsPerBatch, maxInputBytesPerBatch, ...(batchInput !== undefined ? { batchInput } : {}) };
}

async function resultWriterSettings(
  writer: unknown,
  input: JsonValue,
  context: Record<string, unknown>,
): Promise<{ bucket: string; prefix: string } | undefined> {
  if (!isRecord(writer)) throw new StatesRuntimeError('ResultWriter must be an object');
  if (writer.WriterConfig !== undefined) {
    throw new StatesRuntimeError(
      'ResultWriter.WriterConfig is not supported by the local engine: leave it out (results are written with Transformation NONE, as JSON)',
    );
  }
  if (writer.Resource !== PUT_OBJECT) {
    throw new StatesRuntimeError(
      `ResultWriter.Resource must be ${PUT_OBJECT}, got '${String(writer.Resource)}'`,
    );
  }
  const parameters = await evaluateTemplate(
    writer.Parameters ?? {},
    input,
    context,
    'ResultWriter.Parameters',
  );
  if (!isRecord(parameters)) throw new StatesRuntimeError('ResultWriter.Parameters must be an object');
  return {
    bucket: stringParameter(parameters, 'Bucket', 'ResultWriter'),
    prefix: optionalString(parameters, 'Prefix', 'ResultWriter') ?? '',
  };
}

/** The processor every child runs: the `ItemProcessor` without its `ProcessorConfig`. */
export function processorDefinition(state: AslState): string {
  const processor = isRecord(state.ItemProcessor) ? state.ItemProcessor : {};
  const { ProcessorConfig: _config, ...definition } = processor;
  return JSON.stringify(definition);
}

/**
 * The settings of a Distributed Map state for one run, its fields evaluated against `input` (the state's
 * effective input) with the Context Object `context`.
 * @throws StatesRuntimeError naming the field that is wrong
 */
export async function distributedSettings(
  state: AslState,
  stateName: string,
  stateMachineName: string,
  input: JsonValue,
  context: Record<string, unknown>,
): Promise<DistributedSettings> {
  const processor = isRecord(state.ItemProcessor) ? state.ItemProcessor : {};
  const config = isRecord(processor.ProcessorConfig) ? processor.ProcessorConfig : {};
  const executionType = config.ExecutionType ?? 'STANDARD';
  if (executionType !== 'STANDARD') {
    throw new StatesRuntimeError(
      `Map state '${stateName}': ProcessorConfig.ExecutionType ${String(executionType)} is not supported by the local engine; use STANDARD`,
    );
  }
  const label = state.Label === undefined ? defaultLabel(stateMachineName, stateName) : state.Label;
  const problem = labelProblem(label);
  if (problem) throw new StatesRuntimeError(`Map state '${stateName}': ${problem}`);
  const maxConcurrency = (await integerField(state, 'MaxConcurrency', input, context)) ?? 0;
  if (maxConcurrency < 0) throw new StatesRuntimeError('MaxConcurrency must be positive');
  const toleratedFailurePercentage = await percentageField(state, input, context);
  const toleratedFailureCount = await integerField(state, 'ToleratedFailureCount', input, context);
  if (toleratedFailureCount !== undefined && toleratedFailureCount < 0) {
    throw new StatesRuntimeError('ToleratedFailureCount cannot be negative.');
  }
  const reader =
    state.ItemReader === undefined ? undefined : await readerSettings(state.ItemReader, input, context);
  const batcher =
    state.ItemBatcher === undefined ? undefined : await batcherSettings(state.ItemBatcher, input, context);
  const resultWriter =
    state.ResultWriter === undefined
      ? undefined
      : await resultWriterSettings(state.ResultWriter, input, context);
  return {
    label: label as string,
    processorDefinition: processorDefinition(state),
    maxConcurrency,
    ...(toleratedFailurePercentage !== undefined ? { toleratedFailurePercentage } : {}),
    ...(toleratedFailureCount !== undefined ? { toleratedFailureCount } : {}),
    ...(reader ? { reader } : {}),
    ...(batcher ? { batcher } : {}),
    ...(resultWriter ? { resultWriter } : {}),
  };
}
