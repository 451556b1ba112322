/**
 * The ended top-level executions, on disk (LevelDB, through classic-level) for ListExecutions: a backfill
 * leaves 100,000 of them, and `relay local` must stay flat in memory through it (issue #15) — so nothing is
 * kept in memory per execution; a page reads its items from the index and makes their summaries then.
 *
 * Entries (keys are bytes; values UTF-8):
 *
 * ```
 * e <state machine ARN> 00 <start, ms: 8 bytes BE> <seq: 4 bytes BE>           → what a list item shows (JSON)
 * s <state machine ARN> 00 <status: 1 byte> <start, ms: 8 bytes BE> <seq: 4 bytes BE>  → the same, by status
 * n <state machine ARN> 00 <execution name>                    → "<start ms> <seq>" (where the `e` entry is)
 * ```
 *
 * The `s` entries let a page filtered by status (the console's "Failed", `relay executions --status FAILED`)
 * read only the executions of that status, not every ended execution until it has found a page.
 *
 * LevelDB's byte order of the `e` keys is list order, oldest first: by start time, then by `seq` (the order
 * the service came to know the executions in). The index is derived: the execution records on disk are the
 * truth, and the service fills the index from them each time it starts. So each service makes its own, new
 * index in a folder of its own (`<pid>-<id>` in the folder it is given), removed when it closes; one a crashed
 * process left is removed by the next to open (a folder whose process is gone).
 * Changes are applied one after another, in the order asked (adds that come together share one batch), so a
 * remove never overtakes an add before it and two removes of one execution cannot both find it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { executionArn, parseStateMachineArn } from './arn.ts';
import { EXECUTION_STATUSES, type ExecutionStatus, type ExecutionSummary } from './model.ts';
import { isAlive } from './store.ts';

const ENDED = 0x65; // e
const NAMES = 0x6e; // n
const BY_STATUS = 0x73; // s
const SEP = 0x00;
/** Bytes of the position that follows a state machine's prefix in an `e` key. */
const POSITION_BYTES = 12;
/**
 * LevelDB's buffers for a derived index of small entries: its memtable and block cache are bounded by these
 * (the defaults, 4 and 8 MiB, are sized for bigger data than a few hundred thousand list items).
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;
const CACHE_BYTES = 1024 * 1024;

/** A position in list order: later starts are newer; among equal starts, a higher `seq` is newer. */
export interface ListKey {
  readonly startMs: number;
  readonly seq: number;
}

/** Which executions of a state machine its index holds: the key of one of them. */
export type EndedRef = Pick<ExecutionSummary, 'stateMachineArn' | 'name' | 'startDate'>;

/** An ended execution as the index gives it: its place in list order and its summary. */
export interface EndedItem {
  readonly key: ListKey;
  readonly summary: ExecutionSummary;
}

/** What an `e` entry holds: a list item without what its key and state machine say. */
interface StoredItem {
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly stopMs?: number;
  readonly redriveCount?: number;
  readonly redriveMs?: number;
  readonly historyLimitReached?: true;
}

type Db = ClassicLevel<Buffer, string>;

function machinePrefix(tag: number, stateMachineArn: string): Buffer {
  return Buffer.concat([Buffer.of(tag), Buffer.from(stateMachineArn, 'utf8'), Buffer.of(SEP)]);
}

/** The byte after every key of the state machine's `tag` entries. */
function machineEnd(tag: number, stateMachineArn: string): Buffer {
  return Buffer.concat([Buffer.of(tag), Buffer.from(stateMachineArn, 'utf8'), Buffer.of(SEP + 1)]);
}

function positionBytes(key: ListKey): Buffer {
  const position = Buffer.alloc(POSITION_BYTES);
  position.writeBigUInt64BE(BigInt(Math.max(0, Math.trunc(key.startMs))), 0);
  position.writeUInt32BE(key.seq >>> 0, 8);
  return position;
}

function itemKey(stateMachineArn: string, key: ListKey): Buffer {
  return Buffer.concat([machinePrefix(ENDED, stateMachineArn), positionBytes(key)]);
}

/** The `s` entries of one status start with it. */
function statusPrefix(stateMachineArn: string, status: ExecutionStatus): Buffer {
  return Buffer.concat([
    machinePrefix(BY_STATUS, stateMachineArn),
    Buffer.of(EXECUTION_STATUSES.indexOf(status)),
  ]);
}

function statusKey(stateMachineArn: string, status: ExecutionStatus, key: ListKey): Buffer {
  return Buffer.concat([statusPrefix(stateMachineArn, status), positionBytes(key)]);
}

function nameKey(stateMachineArn: string, name: string): Buffer {
  return Buffer.concat([machinePrefix(NAMES, stateMachineArn), Buffer.from(name, 'utf8')]);
}

function keyOf(itemKeyBytes: Buffer): ListKey {
  const at = itemKeyBytes.length - POSITION_BYTES;
  return { startMs: Number(itemKeyBytes.readBigUInt64BE(at)), seq: itemKeyBytes.readUInt32BE(at + 8) };
}

function parsePosition(text: string): ListKey | undefined {
  const [start, seq] = text.split(' ').map(Number);
  return Number.isFinite(start) && Number.isFinite(seq) ? { startMs: start ?? 0, seq: seq ?? 0 } : undefined;
}

function stored(summary: ExecutionSummary): StoredItem {
  return {
    name: summary.name,
    status: summary.status,
    ...(summary.stopDate !== undefined ? { stopMs: Date.parse(summary.stopDate) } : {}),
    ...(summary.redriveCount !== 0 ? { redriveCount: summary.redriveCount } : {}),
    ...(summary.redriveDate !== undefined ? { redriveMs: Date.parse(summary.redriveDate) } : {}),
    ...(summary.historyLimitReached ? { historyLimitReached: true as const } : {}),
  };
}

/** The ended executions of one state machine, read from the index. */
export class EndedExecutions {
  readonly #db: Db;
  readonly #arnPrefix: string;

  constructor(
    db: Db,
    readonly stateMachineArn: string,
    readonly stateMachineName: string,
    readonly region: string,
  ) {
    this.#db = db;
    const accountId = parseStateMachineArn(stateMachineArn)?.accountId ?? '';
    this.#arnPrefix = executionArn(region, accountId, stateMachineName, '');
  }

  /** The execution `arn` names, when it is one of these. */
  async find(arn: string): Promise<EndedItem | undefined> {
    if (!arn.startsWith(this.#arnPrefix)) return undefined;
    const position = await this.#db.get(nameKey(this.stateMachineArn, arn.slice(this.#arnPrefix.length)));
    const key = position === undefined ? undefined : parsePosition(position);
    if (key === undefined) return undefined;
    const value = await this.#db.get(itemKey(this.stateMachineArn, key));
    return value === undefined ? undefined : { key, summary: this.summary(key, value) };
  }

  /**
   * The executions older than `below` (all of them without it), newest first — only those of `status` when
   * given — read from the index as they are taken; `close` lets go of the read early.
   */
  newestFirst(
    below?: ListKey,
    status?: ExecutionStatus,
  ): AsyncIterableIterator<EndedItem> & { close(): Promise<void> } {
    const arn = this.stateMachineArn;
    const [from, to] =
      status === undefined
        ? [machinePrefix(ENDED, arn), below === undefined ? machineEnd(ENDED, arn) : itemKey(arn, below)]
        : [
            statusPrefix(arn, status),
            below === undefined
              ? Buffer.concat([statusPrefix(arn, status), Buffer.alloc(POSITION_BYTES, 0xff)])
              : statusKey(arn, status, below),
          ];
    const iterator = this.#db.iterator({ gte: from, lt: to, reverse: true });
    const summary = (key: ListKey, value: string) => this.summary(key, value);
    return {
      async next(): Promise<IteratorResult<EndedItem>> {
        const entry = await iterator.next();
        if (entry === undefined) {
          await iterator.close();
          return { done: true, value: undefined };
        }
        const key = keyOf(entry[0]);
        return { done: false, value: { key, summary: summary(key, entry[1]) } };
      },
      async close(): Promise<void> {
        await iterator.close();
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  private summary(key: ListKey, value: string): ExecutionSummary {
    const item = JSON.parse(value) as StoredItem;
    const status = EXECUTION_STATUSES.includes(item.status) ? item.status : 'SUCCEEDED';
    return {
      executionArn: `${this.#arnPrefix}${item.name}`,
      stateMachineArn: this.stateMachineArn,
      stateMachineName: this.stateMachineName,
      name: item.name,
      region: this.region,
      status,
      startDate: new Date(key.startMs).toISOString(),
      ...(item.stopMs !== undefined ? { stopDate: new Date(item.stopMs).toISOString() } : {}),
      redriveCount: item.redriveCount ?? 0,
      ...(item.redriveMs !== undefined ? { redriveDate: new Date(item.redriveMs).toISOString() } : {}),
      ...(item.historyLimitReached ? { historyLimitReached: true } : {}),
    };
  }
}

/** Adds written together, and the callers waiting for them. */
interface AddBatch {
  readonly operations: Array<{ type: 'put'; key: Buffer; value: string }>;
  readonly done: Promise<void>;
}

/** The ended executions of every state machine: one LevelDB under the Step Functions data directory. */
export class EndedIndex {
  readonly #db: Db;
  /** The changes asked for, one after another. */
  #chain: Promise<void> = Promise.resolve();
  /** The batch of adds still open to more (closed by any other change asked after it). */
  #open: AddBatch | undefined;

  readonly #root: string;
  readonly #location: string;

  /** An index in a new folder inside `root`. */
  constructor(root: string) {
    this.#root = root;
    this.#location = join(root, `${process.pid}-${randomBytes(4).toString('hex')}`);
    this.#db = new ClassicLevel<Buffer, string>(this.#location, {
      keyEncoding: 'buffer',
      valueEncoding: 'utf8',
      writeBufferSize: WRITE_BUFFER_BYTES,
      cacheSize: CACHE_BYTES,
    });
  }

  /**
   * Opens the index, empty: the service fills it from the execution records as it loads them. Removes the
   * indexes of processes that are gone first.
   */
  async open(): Promise<void> {
    await mkdir(this.#root, { recursive: true });
    for (const name of await readdir(this.#root)) {
      const pid = Number.parseInt(name, 10);
      if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) {
        await rm(join(this.#root, name), { recursive: true, force: true });
      }
    }
    await this.#db.open();
  }

  /** Waits for the changes asked for, closes, and removes the index (the next service builds its own). */
  async close(): Promise<void> {
    await this.#chain.catch(() => undefined);
    await this.#db.close();
    await rm(this.#location, { recursive: true, force: true });
  }

  /** The ended executions of a state machine. */
  of(stateMachineArn: string, stateMachineName: string, region: string): EndedExecutions {
    return new EndedExecutions(this.#db, stateMachineArn, stateMachineName, region);
  }

  /** Adds an ended execution at its place in list order; resolves once it is in the index. */
  add(summary: ExecutionSummary, seq: number): Promise<void> {
    const key: ListKey = { startMs: Date.parse(summary.startDate), seq };
    let batch = this.#open;
    if (batch === undefined) {
      const operations: AddBatch['operations'] = [];
      const done = this.#then(async () => {
        if (this.#open === batch) this.#open = undefined;
        await this.#db.batch(operations);
      });
      batch = { operations, done };
      this.#open = batch;
    }
    const arn = summary.stateMachineArn;
    const value = JSON.stringify(stored(summary));
    batch.operations.push(
      { type: 'put', key: itemKey(arn, key), value },
      { type: 'put', key: statusKey(arn, summary.status, key), value },
      { type: 'put', key: nameKey(arn, summary.name), value: `${key.startMs} ${seq}` },
    );
    return batch.done;
  }

  /** Whether the execution is held here. */
  async has(ref: EndedRef): Promise<boolean> {
    const position = await this.#db.get(nameKey(ref.stateMachineArn, ref.name));
    return position !== undefined && parsePosition(position)?.startMs === Date.parse(ref.startDate);
  }

  /** Takes the execution out (it runs again: a redrive); resolves with its `seq`, or `undefined` when not held. */
  remove(ref: EndedRef): Promise<number | undefined> {
    return this.#then(async () => {
      const names = nameKey(ref.stateMachineArn, ref.name);
      const position = await this.#db.get(names);
      const key = position === undefined ? undefined : parsePosition(position);
      if (key === undefined || key.startMs !== Date.parse(ref.startDate)) return undefined;
      await this.#db.batch(await this.#removal(ref.stateMachineArn, names, key));
      return key.seq;
    });
  }

  /** Forgets every ended execution of a state machine, telling `visit` each one's name first. */
  forget(stateMachineArn: string, visit: (name: string) => Promise<void>): Promise<void> {
    return this.#then(async () => {
      const prefix = machinePrefix(NAMES, stateMachineArn);
      for await (const names of this.#db.keys({ gte: prefix, lt: machineEnd(NAMES, stateMachineArn) })) {
        await visit(names.subarray(prefix.length).toString('utf8'));
      }
      for (const tag of [ENDED, BY_STATUS, NAMES]) {
        await this.#db.clear({
          gte: machinePrefix(tag, stateMachineArn),
          lt: machineEnd(tag, stateMachineArn),
        });
      }
    });
  }

  /** The deletes that take out the execution at `key` (its `n` entry is `names`): every entry of it. */
  async #removal(
    stateMachineArn: string,
    names: Buffer,
    key: ListKey,
  ): Promise<Array<{ type: 'del'; key: Buffer }>> {
    const item = itemKey(stateMachineArn, key);
    const value = await this.#db.get(item);
    const status = value === undefined ? undefined : (JSON.parse(value) as StoredItem).status;
    return [
      { type: 'del', key: item },
      { type: 'del', key: names },
      ...(status === undefined
        ? []
        : [{ type: 'del' as const, key: statusKey(stateMachineArn, status, key) }]),
    ];
  }

  /** Runs `change` after the changes asked for before it; the batch of adds open until now closes. */
  #then<T>(change: () => Promise<T>): Promise<T> {
    this.#open = undefined;
    const result = this.#chain.then(change);
    this.#chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
