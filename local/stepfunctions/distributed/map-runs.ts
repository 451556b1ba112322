/**
 * The map runs of the local Step Functions: created by Distributed Map states, kept on disk (store.ts) and
 * answered by DescribeMapRun, ListMapRuns, UpdateMapRun and ListExecutions with `mapRunArn`. Every map run's
 * record is in memory (they are few and small); a running one also has its {@link MapRun}.
 */
import { randomUUID } from 'node:crypto';
import { AwsJsonError } from '../../protocol/json.ts';
import { executionArn } from '../arn.ts';
import { invalidArn, invalidToken, validation } from '../errors.ts';
import { decodeToken, encodeToken, pageSize, paginate } from '../paging.ts';
import {
  childName,
  childStateMachineName,
  labelledStateMachineArn,
  mapRunArn,
  parseMapRunArn,
} from './arn.ts';
import { MapRun, type MapRunDeps } from './map-run.ts';
import { CHILD_STATUS_NAMES, type ChildLine, ChildState, emptyCounts, type MapRunRecord } from './model.ts';
import type { DistributedMapS3 } from './s3.ts';
import type { DistributedSettings } from './settings.ts';
import { MapRunStore } from './store.ts';

/** `ResourceNotFound`: no map run has that ARN. */
export const mapRunNotFound = (arn: string): AwsJsonError =>
  new AwsJsonError('ResourceNotFound', `Resource not found: '${arn}'`);

export interface MapRunsOptions {
  readonly dataDir: string;
  readonly accountId: string;
  /** S3 for `ItemReader` and `ResultWriter`; without it, such a Map fails with a States.* error saying so. */
  readonly s3?: DistributedMapS3 | undefined;
}

export interface ListChildrenOptions {
  readonly mapRunArn: string;
  readonly statusFilter?: string | undefined;
  readonly redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN' | undefined;
  readonly maxResults?: number | undefined;
  readonly nextToken?: string | undefined;
}

/** A child as ListExecutions shows it. */
interface ChildSummary {
  readonly index: number;
  readonly status: string;
  readonly start: number;
  readonly stop?: number | undefined;
  readonly items: number;
  readonly redriveCount: number;
  readonly redriveDate?: number | undefined;
}

function describeCounts(counts: MapRunRecord['itemCounts']): Record<string, number> {
  return { ...counts };
}

export class MapRuns {
  private readonly records = new Map<string, MapRunRecord>();
  private readonly live = new Map<string, MapRun>();
  readonly store: MapRunStore;
  private readonly deps: MapRunDeps;

  constructor(private readonly options: MapRunsOptions) {
    this.store = new MapRunStore(options.dataDir);
    this.deps = { store: this.store, s3: options.s3, accountId: options.accountId };
  }

  /** S3 for readers and writers (`undefined`: none configured). */
  get s3(): DistributedMapS3 | undefined {
    return this.options.s3;
  }

  /** Loads the map runs kept on disk. */
  async load(): Promise<void> {
    for (const record of await this.store.loadAll()) this.records.set(record.mapRunArn, record);
  }

  /** A new map run of `settings` for the Distributed Map state `stateName` of `parent`. */
  create(
    parent: { executionArn: string; stateMachineName: string; region: string; roleArn: string },
    stateName: string,
    settings: DistributedSettings,
  ): MapRun {
    const id = randomUUID();
    const { region, stateMachineName } = parent;
    const record: MapRunRecord = {
      mapRunArn: mapRunArn(region, this.options.accountId, stateMachineName, settings.label, id),
      id,
      executionArn: parent.executionArn,
      stateMachineArn: labelledStateMachineArn(
        region,
        this.options.accountId,
        stateMachineName,
        settings.label,
      ),
      stateMachineName,
      label: settings.label,
      stateName,
      region,
      roleArn: parent.roleArn,
      processorDefinition: settings.processorDefinition,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      maxConcurrency: settings.maxConcurrency,
      ...(settings.toleratedFailurePercentage !== undefined
        ? { toleratedFailurePercentage: settings.toleratedFailurePercentage }
        : {}),
      ...(settings.toleratedFailureCount !== undefined
        ? { toleratedFailureCount: settings.toleratedFailureCount }
        : {}),
      redriveCount: 0,
      itemsComplete: false,
      itemCount: 0,
      childCount: 0,
      ...(settings.resultWriter ? { resultWriter: settings.resultWriter } : {}),
      itemCounts: emptyCounts(),
      executionCounts: emptyCounts(),
    };
    this.records.set(record.mapRunArn, record);
    const run = new MapRun(this.deps, record);
    this.live.set(record.mapRunArn, run);
    this.store.save(record);
    return run;
  }

  /** An existing map run, ready to continue or be redriven; `undefined` when unknown. */
  async open(arn: string): Promise<MapRun | undefined> {
    const running = this.live.get(arn);
    if (running) return running;
    const record = this.records.get(arn);
    if (!record) return undefined;
    const run = await MapRun.load(this.deps, record);
    this.live.set(arn, this.live.get(arn) ?? run);
    return this.live.get(arn);
  }

  /** A map run ended its run (its record stays; its per-child state is dropped). */
  settled(run: MapRun): void {
    if (this.live.get(run.record.mapRunArn) === run && !run.isActive) this.live.delete(run.record.mapRunArn);
  }

  private record(arn: string): MapRunRecord {
    if (!parseMapRunArn(arn)) throw invalidArn(arn);
    const record = this.records.get(arn);
    if (!record) throw mapRunNotFound(arn);
    return record;
  }

  /** DescribeMapRun. */
  describe(arn: string): Record<string, unknown> {
    const record = this.record(arn);
    return {
      mapRunArn: record.mapRunArn,
      executionArn: record.executionArn,
      status: record.status,
      startDate: new Date(record.startDate),
      ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
      maxConcurrency: record.maxConcurrency,
      toleratedFailurePercentage: record.toleratedFailurePercentage ?? 0,
      toleratedFailureCount: record.toleratedFailureCount ?? 0,
      itemCounts: describeCounts(record.itemCounts),
      executionCounts: describeCounts(record.executionCounts),
      redriveCount: record.redriveCount,
      ...(record.redriveDate ? { redriveDate: new Date(record.redriveDate) } : {}),
    };
  }

  /** ListMapRuns: the map runs one execution started, the latest first. */
  list(
    executionArn: string,
    options: { maxResults?: number | undefined; nextToken?: string | undefined },
  ): { mapRuns: Record<string, unknown>[]; nextToken?: string } {
    const runs = [...this.records.values()]
      .filter((record) => record.executionArn === executionArn)
      .reverse()
      .sort((a, b) => b.startDate.localeCompare(a.startDate));
    const { page, nextToken } = paginate(runs, (record) => record.mapRunArn, {
      ...options,
      scope: `map-runs:${executionArn}`,
    });
    const mapRuns = page.map((record) => ({
      executionArn: record.executionArn,
      mapRunArn: record.mapRunArn,
      stateMachineArn: record.stateMachineArn,
      startDate: new Date(record.startDate),
      ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
    }));
    return nextToken ? { mapRuns, nextToken } : { mapRuns };
  }

  /** UpdateMapRun. */
  update(
    arn: string,
    changes: {
      maxConcurrency?: number | undefined;
      toleratedFailurePercentage?: number | undefined;
      toleratedFailureCount?: number | undefined;
    },
  ): Record<string, never> {
    const record = this.record(arn);
    if (
      changes.maxConcurrency !== undefined &&
      (!Number.isInteger(changes.maxConcurrency) || changes.maxConcurrency < 0)
    ) {
      throw validation('maxConcurrency must be an integer of at least 0');
    }
    const percentage = changes.toleratedFailurePercentage;
    if (percentage !== undefined && !(percentage >= 0 && percentage <= 100)) {
      throw validation('toleratedFailurePercentage must be between 0 and 100');
    }
    const count = changes.toleratedFailureCount;
    if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
      throw validation('toleratedFailureCount must be an integer of at least 0');
    }
    if (changes.maxConcurrency === undefined && percentage === undefined && count === undefined) {
      throw validation(
        'UpdateMapRun needs maxConcurrency, toleratedFailurePercentage or toleratedFailureCount',
      );
    }
    const run = this.live.get(arn);
    if (run) {
      run.update(changes);
    } else {
      if (changes.maxConcurrency !== undefined) record.maxConcurrency = changes.maxConcurrency;
      if (percentage !== undefined) record.toleratedFailurePercentage = percentage;
      if (count !== undefined) record.toleratedFailureCount = count;
      this.store.save(record);
    }
    return {};
  }

  /**
   * ListExecutions with `mapRunArn`: the map run's child executions, started last first, each with the map
   * run's ARN and how many items it processed. Children waiting to be redriven show as PENDING_REDRIVE.
   */
  async listChildren(
    options: ListChildrenOptions,
  ): Promise<{ executions: Record<string, unknown>[]; nextToken?: string }> {
    const record = this.record(options.mapRunArn);
    const live = this.live.get(record.mapRunArn);
    const children = new Map<number, ChildSummary>();
    for await (const { line } of this.store.children(record)) children.set(line.i, summaryOf(line));
    const all = [...children.values()].map((child) => {
      const code = live?.stateOf(child.index);
      return code === ChildState.PENDING_REDRIVE ? { ...child, status: CHILD_STATUS_NAMES[code] } : child;
    });
    const filtered = all
      .filter((child) => !options.statusFilter || child.status === options.statusFilter)
      .filter((child) => {
        if (options.redriveFilter === 'REDRIVEN') return child.redriveCount > 0;
        if (options.redriveFilter === 'NOT_REDRIVEN') return child.redriveCount === 0;
        return true;
      })
      .sort((a, b) => b.start - a.start || b.index - a.index);
    const scope = `children:${record.mapRunArn}:${options.statusFilter ?? ''}:${options.redriveFilter ?? ''}`;
    const size = pageSize(options.maxResults);
    let start = 0;
    if (options.nextToken !== undefined) {
      const { after } = decodeToken(options.nextToken, scope);
      if (typeof after !== 'number') throw invalidToken(options.nextToken);
      const at = filtered.findIndex((child) => child.index === after);
      start = at < 0 ? filtered.length : at + 1;
    }
    const page = filtered.slice(start, start + size);
    const stateMachineName = childStateMachineName(record.stateMachineName, record.label);
    const executions = page.map((child) => ({
      executionArn: executionArn(
        record.region,
        this.options.accountId,
        stateMachineName,
        childName(record.id, child.index),
      ),
      stateMachineArn: record.stateMachineArn,
      name: childName(record.id, child.index),
      status: child.status,
      startDate: new Date(child.start),
      ...(child.stop !== undefined && child.status !== 'RUNNING' ? { stopDate: new Date(child.stop) } : {}),
      mapRunArn: record.mapRunArn,
      itemCount: child.items,
      redriveCount: child.redriveCount,
      ...(child.redriveDate !== undefined ? { redriveDate: new Date(child.redriveDate) } : {}),
    }));
    const last = page.at(-1);
    return start + size < filtered.length && last
      ? { executions, nextToken: encodeToken({ scope, after: last.index }) }
      : { executions };
  }

  /** Waits for pending writes of every map run. */
  async flush(): Promise<void> {
    await Promise.all([...this.records.values()].map((record) => this.store.flush(record)));
  }
}

function summaryOf(line: ChildLine): ChildSummary {
  return {
    index: line.i,
    status: line.status,
    start: line.start,
    stop: line.stop,
    items: line.items,
    redriveCount: line.redriveCount,
    redriveDate: line.redriveDate,
  };
}
