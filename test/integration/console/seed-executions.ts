/**
 * Puts finished executions into a local Step Functions data directory through its own store
 * (local/stepfunctions/store.ts: the record and the history file each execution leaves), before a local
 * stack starts on that directory and loads them — real records that ListExecutions, DescribeExecution and
 * GetExecutionHistory answer, without running thousands of workflows. Used by the console's list tests
 * and its benchmark (bench/cases/console-list.ts).
 */
import { join } from 'node:path';
import { LOCAL_DEFAULTS } from '../../../local/index.ts';
import type { ExecutionRecord, ExecutionStatus } from '../../../local/stepfunctions/model.ts';
import { StepFunctionsStore } from '../../../local/stepfunctions/store.ts';

/** A small relay-shaped definition (ResolveTargets, a Map of Copy → Verify, Summarize), for the graph. */
export const SEED_DEFINITION = JSON.stringify({
  StartAt: 'ResolveTargets',
  States: {
    ResolveTargets: { Type: 'Pass', Next: 'RelayToTargets' },
    RelayToTargets: {
      Type: 'Map',
      ItemsPath: '$.targets',
      ItemProcessor: {
        ProcessorConfig: { Mode: 'INLINE' },
        StartAt: 'Copy',
        States: { Copy: { Type: 'Pass', Next: 'Verify' }, Verify: { Type: 'Pass', End: true } },
      },
      Next: 'Summarize',
    },
    Summarize: { Type: 'Pass', End: true },
  },
});

/** The state machine the executions belong to (created in the store when it is not there). */
export interface SeedMachine {
  readonly name: string;
  readonly region: string;
  /** @default the local stack's account */
  readonly accountId?: string;
  /** @default {@link SEED_DEFINITION} */
  readonly definition?: string;
}

/** One finished execution to write. */
export interface SeedExecution {
  readonly name: string;
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly startDate: Date;
  readonly durationMs: number;
  readonly input: unknown;
  /** SUCCEEDED only. */
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** Writes this many executions before waiting for the files (bounds the store's pending writes). */
const FLUSH_EVERY = 500;

function terminalEvent(execution: SeedExecution): {
  type: string;
  detailsKey: string;
  details: Record<string, unknown>;
} {
  const failure = {
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
  switch (execution.status) {
    case 'SUCCEEDED':
      return {
        type: 'ExecutionSucceeded',
        detailsKey: 'executionSucceededEventDetails',
        details: { output: JSON.stringify(execution.output ?? null), outputDetails: { truncated: false } },
      };
    case 'FAILED':
      return { type: 'ExecutionFailed', detailsKey: 'executionFailedEventDetails', details: failure };
    case 'TIMED_OUT':
      return { type: 'ExecutionTimedOut', detailsKey: 'executionTimedOutEventDetails', details: failure };
    default:
      return { type: 'ExecutionAborted', detailsKey: 'executionAbortedEventDetails', details: failure };
  }
}

/**
 * Writes the state machine (unless the directory has it) and `executions` under `dataDir` — a local
 * stack's data directory, not running — and answers the state machine's ARN.
 */
export async function seedExecutions(
  dataDir: string,
  machine: SeedMachine,
  executions: Iterable<SeedExecution>,
): Promise<string> {
  const accountId = machine.accountId ?? LOCAL_DEFAULTS.accountId;
  const stateMachineArn = `arn:aws:states:${machine.region}:${accountId}:stateMachine:${machine.name}`;
  const roleArn = `arn:aws:iam::${accountId}:role/${machine.name}`;
  const definition = machine.definition ?? SEED_DEFINITION;
  const store = new StepFunctionsStore(join(dataDir, 'stepfunctions'));
  await store.init();
  try {
    const existing = await store.loadStateMachines();
    if (!existing.some((m) => m.stateMachineArn === stateMachineArn)) {
      await store.saveStateMachine({
        stateMachineArn,
        name: machine.name,
        region: machine.region,
        definition,
        roleArn,
        type: 'STANDARD',
        creationDate: new Date(0).toISOString(),
        revisionId: 'seeded',
      });
    }
    let written: ExecutionRecord[] = [];
    for (const execution of executions) {
      const stopDate = new Date(execution.startDate.getTime() + execution.durationMs);
      const end = terminalEvent(execution);
      const record: ExecutionRecord = {
        executionArn: `arn:aws:states:${machine.region}:${accountId}:execution:${machine.name}:${execution.name}`,
        stateMachineArn,
        stateMachineName: machine.name,
        name: execution.name,
        region: machine.region,
        roleArn,
        definition,
        input: JSON.stringify(execution.input),
        status: execution.status,
        startDate: execution.startDate.toISOString(),
        stopDate: stopDate.toISOString(),
        redriveCount: 0,
        ...(execution.status === 'SUCCEEDED' ? { output: JSON.stringify(execution.output ?? null) } : {}),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      };
      store.saveExecution(record);
      store.appendEvent(record, {
        id: 1,
        previousEventId: 0,
        timestamp: execution.startDate.getTime(),
        type: 'ExecutionStarted',
        detailsKey: 'executionStartedEventDetails',
        details: { input: record.input, inputDetails: { truncated: false }, roleArn },
      });
      store.appendEvent(record, { id: 2, previousEventId: 1, timestamp: stopDate.getTime(), ...end });
      written.push(record);
      if (written.length >= FLUSH_EVERY) {
        await Promise.all(written.map((r) => store.releaseExecution(r)));
        written = [];
      }
    }
    await Promise.all(written.map((r) => store.releaseExecution(r)));
  } finally {
    await store.close();
  }
  return stateMachineArn;
}

/** Sources spread over this many build folders (`builds/app-<n>/`). */
export const SEED_APPS = 50;

/**
 * The `index`-th of a relay's history of executions, started `index` seconds after `base`: most relayed
 * `s3://<bucket>/builds/app-<index % 50>/web-<index>.zip` to two targets and SUCCEEDED with the relay's
 * output; every 25th FAILED (AccessDenied on a target), every 100th was ABORTED.
 */
export function relayExecution(index: number, base: Date, bucket: string): SeedExecution {
  const key = `builds/app-${index % SEED_APPS}/web-${index}.zip`;
  const startDate = new Date(base.getTime() + index * 1000);
  const input = { bucket, key, versionId: `v${index}` };
  const name = `seed-${String(index).padStart(6, '0')}`;
  if (index % 100 === 99) {
    return {
      name,
      status: 'ABORTED',
      startDate,
      durationMs: 800,
      input,
      error: 'Local.Aborted',
      cause: 'stopped',
    };
  }
  if (index % 25 === 24) {
    return {
      name,
      status: 'FAILED',
      startDate,
      durationMs: 2500,
      input,
      error: 'AccessDenied',
      cause: 'Access Denied to s3://artifacts-virginia (relay copy)',
    };
  }
  const result = (target: { bucket: string; region: string }) => ({
    target,
    status: 'copied',
    bytes: 4096,
    verifiedBy: 'etag',
    destination: { bucket: target.bucket, key, etag: `etag-${index}`, versionId: `r${index}` },
  });
  return {
    name,
    status: 'SUCCEEDED',
    startDate,
    durationMs: 1500,
    input,
    output: {
      source: { bucket, key, region: 'us-west-2', versionId: `v${index}`, etag: `etag-${index}`, size: 4096 },
      results: [
        result({ bucket: 'artifacts-frankfurt', region: 'eu-central-1' }),
        result({ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }),
      ],
    },
  };
}
