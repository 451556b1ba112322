/**
 * The ended top-level executions, kept compact for ListExecutions (issue #15: a backfill leaves 100,000 of
 * them, and the local stack must stay flat in memory). Per state machine, parallel typed arrays hold what a
 * list item shows — start and stop times in epoch ms, status — with the names as UTF-8 in one byte arena;
 * the ARNs, region and state machine name are the state machine's, not stored per execution, and the
 * redrive count and date are kept only for the few executions that were redriven. Entries are
 * kept in list order, oldest first: by start time, then by `seq` (the order the service came to know the
 * executions in). {@link ExecutionSummary} objects are made only for the items a page returns. About 27
 * bytes plus the name's UTF-8 per execution, and the arrays' room to grow.
 */
import { executionArn, parseStateMachineArn } from './arn.ts';
import { EXECUTION_STATUSES, type ExecutionStatus, type ExecutionSummary } from './model.ts';

/** The bit of a flags byte that marks an execution failed by the history quota (the low bits: status). */
const HISTORY_LIMIT = 0x80;
/** The bit of a flags byte that marks an execution with a redrive count or date (kept in `redrives`). */
const REDRIVEN = 0x40;
const STATUS_MASK = 0x0f;
const MIN_CAPACITY = 64;
const MIN_ARENA_BYTES = 4096;

/** A position in list order: later starts are newer; among equal starts, a higher `seq` is newer. */
export interface ListKey {
  readonly startMs: number;
  readonly seq: number;
}

/** Which executions of a state machine its index holds: the key of one of them. */
export type EndedRef = Pick<ExecutionSummary, 'stateMachineArn' | 'name' | 'startDate'>;

function grown(size: number, needed: number, minimum: number): number {
  let next = Math.max(size, minimum);
  while (next < needed) next = Math.ceil(next * 1.25);
  return next;
}

/** The ended executions of one state machine, oldest first. */
export class EndedExecutions {
  private count = 0;
  private starts = new Float64Array(0);
  private stops = new Float64Array(0);
  private seqs = new Uint32Array(0);
  private flags = new Uint8Array(0);
  private nameStarts = new Uint32Array(0);
  private nameLengths = new Uint16Array(0);
  private arena = new Uint8Array(0);
  private arenaUsed = 0;
  /** Bytes of the arena no entry points at any more (removed executions). */
  private deadBytes = 0;
  /** The redrive count and date of the executions that have them, by `seq`. */
  private readonly redrives = new Map<number, { readonly count: number; readonly dateMs: number }>();
  private readonly arnPrefix: string;

  constructor(
    readonly stateMachineArn: string,
    readonly stateMachineName: string,
    readonly region: string,
  ) {
    const accountId = parseStateMachineArn(stateMachineArn)?.accountId ?? '';
    this.arnPrefix = executionArn(region, accountId, stateMachineName, '');
  }

  get size(): number {
    return this.count;
  }

  /** How many are older than `key` (the position `key` takes among them). */
  lowerBound(key: ListKey): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const start = this.starts[mid] ?? 0;
      const older = start < key.startMs || (start === key.startMs && (this.seqs[mid] ?? 0) < key.seq);
      if (older) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** How many started before `startDate` — compared as the ISO 8601 strings, as a token carries it. */
  countStartedBefore(startDate: string): number {
    let low = 0;
    let high = this.count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (new Date(this.starts[mid] ?? 0).toISOString() < startDate) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Where the execution `name` started at `startMs` is; -1 when it is not here. */
  indexOf(name: string, startMs: number): number {
    const encoded = Buffer.from(name, 'utf8');
    for (let i = this.lowerBound({ startMs, seq: 0 }); i < this.count && this.starts[i] === startMs; i++) {
      if (this.nameIs(i, encoded)) return i;
    }
    return -1;
  }

  /**
   * Where the execution `arn` is; -1 when it is not here. Looked for among those started at `startDate`
   * first (what a page token says), then among all.
   */
  indexOfArn(arn: string, startDate: string): number {
    if (!arn.startsWith(this.arnPrefix)) return -1;
    const name = arn.slice(this.arnPrefix.length);
    const hinted = this.indexOf(name, Date.parse(startDate));
    if (hinted >= 0) return hinted;
    const encoded = Buffer.from(name, 'utf8');
    for (let i = 0; i < this.count; i++) if (this.nameIs(i, encoded)) return i;
    return -1;
  }

  key(index: number): ListKey {
    return { startMs: this.starts[index] ?? 0, seq: this.seqs[index] ?? 0 };
  }

  status(index: number): ExecutionStatus {
    return EXECUTION_STATUSES[(this.flags[index] ?? 0) & STATUS_MASK] ?? 'SUCCEEDED';
  }

  redriveCount(index: number): number {
    return this.redriveOf(index)?.count ?? 0;
  }

  private redriveOf(index: number): { readonly count: number; readonly dateMs: number } | undefined {
    return ((this.flags[index] ?? 0) & REDRIVEN) === 0 ? undefined : this.redrives.get(this.seqs[index] ?? 0);
  }

  name(index: number): string {
    const start = this.nameStarts[index] ?? 0;
    return Buffer.from(this.arena.buffer, start, this.nameLengths[index] ?? 0).toString('utf8');
  }

  /** The summary of the execution at `index`, made anew. */
  summary(index: number): ExecutionSummary {
    const name = this.name(index);
    const stop = this.stops[index] ?? Number.NaN;
    const redriveDate = this.redriveOf(index)?.dateMs ?? Number.NaN;
    return {
      executionArn: `${this.arnPrefix}${name}`,
      stateMachineArn: this.stateMachineArn,
      stateMachineName: this.stateMachineName,
      name,
      region: this.region,
      status: this.status(index),
      startDate: new Date(this.starts[index] ?? 0).toISOString(),
      ...(Number.isNaN(stop) ? {} : { stopDate: new Date(stop).toISOString() }),
      redriveCount: this.redriveCount(index),
      ...(Number.isNaN(redriveDate) ? {} : { redriveDate: new Date(redriveDate).toISOString() }),
      ...(((this.flags[index] ?? 0) & HISTORY_LIMIT) !== 0 ? { historyLimitReached: true } : {}),
    };
  }

  /** Adds an ended execution at its place in list order. */
  add(summary: ExecutionSummary, seq: number): void {
    const startMs = Date.parse(summary.startDate);
    const index = this.lowerBound({ startMs, seq });
    const name = Buffer.from(summary.name, 'utf8');
    this.reserve(this.count + 1, name.length);
    if (index < this.count) {
      for (const array of this.columns()) array.copyWithin(index + 1, index, this.count);
    }
    this.count += 1;
    this.starts[index] = startMs;
    this.stops[index] = summary.stopDate === undefined ? Number.NaN : Date.parse(summary.stopDate);
    this.seqs[index] = seq;
    const redriven = summary.redriveCount !== 0 || summary.redriveDate !== undefined;
    if (redriven) {
      const dateMs = summary.redriveDate === undefined ? Number.NaN : Date.parse(summary.redriveDate);
      this.redrives.set(seq, { count: summary.redriveCount, dateMs });
    }
    const status = EXECUTION_STATUSES.indexOf(summary.status);
    this.flags[index] =
      status | (summary.historyLimitReached ? HISTORY_LIMIT : 0) | (redriven ? REDRIVEN : 0);
    this.arena.set(name, this.arenaUsed);
    this.nameStarts[index] = this.arenaUsed;
    this.nameLengths[index] = name.length;
    this.arenaUsed += name.length;
  }

  /** Removes the execution at `index`; returns its `seq`. */
  removeAt(index: number): number {
    const seq = this.seqs[index] ?? 0;
    this.redrives.delete(seq);
    this.deadBytes += this.nameLengths[index] ?? 0;
    for (const array of this.columns()) array.copyWithin(index, index + 1, this.count);
    this.count -= 1;
    if (this.deadBytes > MIN_ARENA_BYTES && this.deadBytes * 2 > this.arenaUsed)
      this.compact(this.arena.length);
    return seq;
  }

  private columns(): Array<Float64Array | Uint32Array | Uint16Array | Uint8Array> {
    return [this.starts, this.stops, this.seqs, this.flags, this.nameStarts, this.nameLengths];
  }

  private nameIs(index: number, encoded: Buffer): boolean {
    const length = this.nameLengths[index] ?? 0;
    if (length !== encoded.length) return false;
    const start = this.nameStarts[index] ?? 0;
    for (let i = 0; i < length; i++) if (this.arena[start + i] !== encoded[i]) return false;
    return true;
  }

  /** Room for `entries` entries and `nameBytes` more bytes of names. */
  private reserve(entries: number, nameBytes: number): void {
    if (entries > this.starts.length) {
      const capacity = grown(this.starts.length, entries, MIN_CAPACITY);
      const copy = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(
        array: T,
        make: (length: number) => T,
      ): T => {
        const next = make(capacity);
        next.set(array.subarray(0, this.count));
        return next;
      };
      this.starts = copy(this.starts, (n) => new Float64Array(n));
      this.stops = copy(this.stops, (n) => new Float64Array(n));
      this.seqs = copy(this.seqs, (n) => new Uint32Array(n));
      this.flags = copy(this.flags, (n) => new Uint8Array(n));
      this.nameStarts = copy(this.nameStarts, (n) => new Uint32Array(n));
      this.nameLengths = copy(this.nameLengths, (n) => new Uint16Array(n));
    }
    if (this.arenaUsed + nameBytes > this.arena.length) {
      const live = this.arenaUsed - this.deadBytes;
      this.compact(grown(this.arena.length, live + nameBytes, MIN_ARENA_BYTES));
    }
  }

  /** Copies the live names into a new arena of `size` bytes, dropping the removed ones'. */
  private compact(size: number): void {
    const arena = new Uint8Array(size);
    let used = 0;
    for (let i = 0; i < this.count; i++) {
      const start = this.nameStarts[i] ?? 0;
      const length = this.nameLengths[i] ?? 0;
      arena.set(this.arena.subarray(start, start + length), used);
      this.nameStarts[i] = used;
      used += length;
    }
    this.arena = arena;
    this.arenaUsed = used;
    this.deadBytes = 0;
  }
}

/** The ended executions of every state machine. */
export class EndedIndex {
  private readonly machines = new Map<string, EndedExecutions>();

  /** The ended executions of a state machine (none: `undefined`). */
  of(stateMachineArn: string): EndedExecutions | undefined {
    return this.machines.get(stateMachineArn);
  }

  add(summary: ExecutionSummary, seq: number): void {
    let machine = this.machines.get(summary.stateMachineArn);
    if (!machine) {
      machine = new EndedExecutions(summary.stateMachineArn, summary.stateMachineName, summary.region);
      this.machines.set(summary.stateMachineArn, machine);
    }
    machine.add(summary, seq);
  }

  /** Whether the execution is held here. */
  has(ref: EndedRef): boolean {
    return (this.of(ref.stateMachineArn)?.indexOf(ref.name, Date.parse(ref.startDate)) ?? -1) >= 0;
  }

  /** Takes the execution out (it runs again: a redrive); returns its `seq`, or `undefined` when not held. */
  remove(ref: EndedRef): number | undefined {
    const machine = this.of(ref.stateMachineArn);
    const index = machine?.indexOf(ref.name, Date.parse(ref.startDate)) ?? -1;
    if (!machine || index < 0) return undefined;
    const seq = machine.removeAt(index);
    if (machine.size === 0) this.machines.delete(ref.stateMachineArn);
    return seq;
  }

  /** Forgets every ended execution of a state machine; returns their names. */
  forget(stateMachineArn: string): string[] {
    const machine = this.of(stateMachineArn);
    if (!machine) return [];
    this.machines.delete(stateMachineArn);
    return Array.from({ length: machine.size }, (_, i) => machine.name(i));
  }
}
