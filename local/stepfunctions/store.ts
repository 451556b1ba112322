/**
 * Persistence under the data directory, so another process (the CLI, a restarted stack) sees the same
 * state machines and executions:
 *
 * ```
 * state-machines/<region>/<name>.json
 * executions/<region>/<stateMachineName>/<executionName>.json            (the record; atomic rewrite)
 * executions/<region>/<stateMachineName>/<executionName>.history.jsonl   (one event per line; appended)
 * map-run-executions/<region>/<stateMachineName>%2F<label>/<name>.json    (a Distributed Map's children;
 * map-run-executions/<region>/<stateMachineName>%2F<label>/<name>.history.jsonl   same files, not loaded)
 * map-runs/…                                                              (the map runs: distributed/store.ts)
 * ended-index/<pid>-<id>/                                                 (ended executions to list: LevelDB,
 *                                                                          built from the records at each start)
 * definitions/<sha256>.json                                               (each definition an execution ran)
 * ```
 *
 * An execution's record names its definition by hash instead of holding it: the relay's definition is
 * about 25 KB, its record without it under 1 KB, so a backfill of 100,000 relays keeps 2.5 GB less on disk
 * and a restart does not parse it 100,000 times. A definition file is on disk before any record naming it;
 * records written inline by an earlier version are read as they are.
 *
 * Records are written to a temporary file and renamed over the old one. Writes of one file are serialised
 * and coalesced (only the newest pending content is written); {@link StepFunctionsStore.flush} waits for
 * them. A history line cut short by a crash is ignored when read back, and {@link StepFunctionsStore.repairHistory}
 * rewrites such a file before an execution that continues appends to it. The store keeps nothing per
 * execution once its writes are done ({@link StepFunctionsStore.releaseExecution}): finished executions are
 * read back from these files on demand.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExecutionRecord, ExecutionRef, StateMachineRecord, StoredEvent } from './model.ts';

/** Raised when a file under the data directory cannot be written; the message names it. */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
}

/**
 * A name as a path segment: URL-encoded, and a name of dots only (`.`, `..` — valid names) with its dots
 * encoded too, so it never means "this folder" or "the folder above".
 */
export const fileName = (name: string): string =>
  /^\.+$/.test(name) ? name.replace(/\./g, '%2E') : encodeURIComponent(name);

/** Writes `text` to a temporary file beside `path` and renames it over `path` (never half-written). */
export async function atomicWrite(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, path);
}

async function readJsonFiles<T>(dir: string, depth: number): Promise<T[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: T[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (depth > 0 && entry.isDirectory()) out.push(...(await readJsonFiles<T>(path, depth - 1)));
    else if (depth === 0 && entry.isFile() && entry.name.endsWith('.json')) {
      try {
        out.push(JSON.parse(await readFile(path, 'utf8')) as T);
      } catch {
        // A half-written or foreign file is not ours to load.
      }
    }
  }
  return out;
}

/** A record as stored: its definition named by hash (`definition` inline only in older files). */
type StoredExecutionRecord = Omit<ExecutionRecord, 'definition'> & {
  readonly definition?: string;
  readonly definitionSha256?: string;
};

/** The names of the directories in `dir` (none when it does not exist). */
async function directoriesIn(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Serialised writes of one file. */
class FileQueue {
  private chain: Promise<void> = Promise.resolve();
  private pendingText: (() => string) | undefined;
  private pendingLines: string[] = [];
  private failure: unknown;
  private busy = 0;

  constructor(private readonly path: string) {}

  /** Nothing pending, nothing running, no failure to report: the queue can be dropped. */
  get idle(): boolean {
    return this.busy === 0 && this.failure === undefined;
  }

  /**
   * Replaces the file's content with `text`'s; taken when the write runs, so saves that come faster than
   * the disk serialise once — the latest wins, as it would anyway.
   */
  replace(text: () => string, after?: Promise<void>): void {
    const scheduled = this.pendingText !== undefined;
    this.pendingText = text;
    if (scheduled) return;
    this.enqueue(async () => {
      await after; // what the content refers to is on disk first
      const latest = this.pendingText;
      this.pendingText = undefined;
      if (latest !== undefined) await atomicWrite(this.path, latest());
    });
  }

  append(line: string): void {
    this.pendingLines.push(line);
    if (this.pendingLines.length > 1) return;
    this.enqueue(async () => {
      const lines = this.pendingLines.splice(0);
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, `${lines.join('\n')}\n`, 'utf8');
    });
  }

  async flush(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) {
      const cause = this.failure;
      this.failure = undefined;
      throw new StoreWriteError(`Could not write ${this.path}: ${String(cause)}`, { cause });
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.busy += 1;
    this.chain = this.chain
      .then(task)
      .catch((error: unknown) => {
        this.failure = error;
      })
      .finally(() => {
        this.busy -= 1;
      });
  }
}

/** Another live process already runs executions out of this data directory. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

/** Whether a process with this id runs (one of another user's included). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The folder of the ended executions' list index (ended-index.ts), beside `executions/`. */
export const ENDED_INDEX_DIR = 'ended-index';

/** The folder of the child executions of Distributed Maps, beside `executions/`. */
export const CHILD_EXECUTIONS_DIR = 'map-run-executions';

export class StepFunctionsStore {
  private readonly queues = new Map<string, FileQueue>();
  private locked = false;
  /** Definitions by hash, with their file's write (few: one per state machine version run). */
  private readonly definitions = new Map<
    string,
    { readonly text: string; readonly written: Promise<void> }
  >();
  /** The hash of a definition text, by the text (the same string objects come back at every save). */
  private readonly hashes = new Map<string, string>();

  constructor(private readonly dataDir: string) {}

  private get lockPath(): string {
    return join(this.dataDir, 'owner.pid');
  }

  /**
   * Creates the directory and claims it for this process. A claim left by a process that is gone (a crash)
   * is taken over; one held by another live process is a {@link DataDirInUseError}, because two processes
   * running executions out of one directory would corrupt each other's histories.
   */
  async init(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    let owner: number | undefined;
    try {
      owner = Number.parseInt(await readFile(this.lockPath, 'utf8'), 10);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (owner !== undefined && owner !== process.pid && Number.isInteger(owner) && isAlive(owner)) {
      throw new DataDirInUseError(
        `Process ${owner} is running Step Functions executions out of ${this.dataDir}. Stop it or use another ` +
          `data directory; if no such process is yours any more, delete ${this.lockPath}.`,
      );
    }
    await atomicWrite(this.lockPath, String(process.pid));
    this.locked = true;
  }

  /** Waits for pending writes and gives up the claim on the directory. */
  async close(): Promise<void> {
    await this.flush();
    if (!this.locked) return;
    this.locked = false;
    try {
      if (Number.parseInt(await readFile(this.lockPath, 'utf8'), 10) === process.pid) await rm(this.lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private stateMachinePath(record: Pick<StateMachineRecord, 'region' | 'name'>): string {
    return join(this.dataDir, 'state-machines', record.region, `${fileName(record.name)}.json`);
  }

  private executionBase(record: ExecutionRef): string {
    // A Distributed Map's child executions (state machine `<name>/<label>`) are kept apart: a restarted
    // service does not load them one by one — their map run continues them (distributed/).
    return join(
      this.dataDir,
      record.stateMachineName.includes('/') ? CHILD_EXECUTIONS_DIR : 'executions',
      record.region,
      fileName(record.stateMachineName),
      fileName(record.name),
    );
  }

  private queue(path: string): FileQueue {
    let queue = this.queues.get(path);
    if (!queue) {
      queue = new FileQueue(path);
      this.queues.set(path, queue);
    }
    return queue;
  }

  loadStateMachines(): Promise<StateMachineRecord[]> {
    return readJsonFiles<StateMachineRecord>(join(this.dataDir, 'state-machines'), 1);
  }

  /**
   * Visits every execution record (not a Distributed Map's children), one file at a time: nothing is kept
   * here, so a data directory of 100,000 executions is read in the memory of one.
   */
  async forEachExecution(visit: (record: ExecutionRecord) => void): Promise<void> {
    const root = join(this.dataDir, 'executions');
    for (const region of await directoriesIn(root)) {
      for (const machine of await directoriesIn(join(root, region))) {
        const dir = join(root, region, machine);
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
          const record = await this.readRecordFile(join(dir, entry.name)).catch(() => undefined);
          if (record !== undefined) visit(record); // a half-written or foreign file is not ours to load
        }
      }
    }
  }

  /** A record file, its definition resolved; `undefined` when there is no such file. */
  private async readRecordFile(path: string): Promise<ExecutionRecord | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const stored = JSON.parse(text) as StoredExecutionRecord;
    if (typeof stored.definition === 'string' || stored.definitionSha256 === undefined) {
      return stored as ExecutionRecord;
    }
    const { definitionSha256, ...rest } = stored;
    return { ...rest, definition: await this.definitionText(definitionSha256) } as ExecutionRecord;
  }

  private definitionPath(sha256: string): string {
    return join(this.dataDir, 'definitions', `${sha256}.json`);
  }

  /** The definition of this hash: known, or read from its file. */
  private async definitionText(sha256: string): Promise<string> {
    const known = this.definitions.get(sha256);
    if (known !== undefined) return known.text;
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a definition hash: ${sha256}`);
    const text = await readFile(this.definitionPath(sha256), 'utf8');
    this.definitions.set(sha256, { text, written: Promise.resolve() });
    this.hashes.set(text, sha256);
    return text;
  }

  /** The hash a record names its definition by; the definition's file is written once, before any record. */
  private definitionRef(text: string): { readonly sha256: string; readonly written: Promise<void> } {
    let sha256 = this.hashes.get(text);
    if (sha256 === undefined) {
      sha256 = createHash('sha256').update(text).digest('hex');
      this.hashes.set(text, sha256);
    }
    let known = this.definitions.get(sha256);
    if (known === undefined) {
      const path = this.definitionPath(sha256);
      // Written once per process: an existing file of this hash holds the same text.
      const written = readFile(path, 'utf8').then(
        (onDisk) => (onDisk === text ? undefined : atomicWrite(path, text)),
        () => atomicWrite(path, text),
      );
      known = { text, written };
      this.definitions.set(sha256, known);
    }
    return { sha256, written: known.written };
  }

  async saveStateMachine(record: StateMachineRecord): Promise<void> {
    const queue = this.queue(this.stateMachinePath(record));
    const text = JSON.stringify(record, null, 2);
    queue.replace(() => text);
    await queue.flush();
  }

  async deleteStateMachine(record: StateMachineRecord): Promise<void> {
    const path = this.stateMachinePath(record);
    await this.queue(path).flush();
    await rm(path, { force: true });
  }

  /** Schedules a rewrite of the execution's record with its current content. */
  saveExecution(record: ExecutionRecord): void {
    // Serialised when written: a running execution saves its record at every step (its redrive point).
    const definition = this.definitionRef(record.definition);
    this.queue(`${this.executionBase(record)}.json`).replace(
      () => JSON.stringify({ ...record, definition: undefined, definitionSha256: definition.sha256 }),
      definition.written,
    );
  }

  /** Schedules appending one event to the execution's history file. */
  appendEvent(record: ExecutionRecord, event: StoredEvent): void {
    this.queue(`${this.executionBase(record)}.history.jsonl`).append(JSON.stringify(event));
  }

  /** The execution's history as stored (after pending appends). */
  async readHistory(record: ExecutionRef): Promise<StoredEvent[]> {
    return (await this.readHistoryFile(record)).events;
  }

  /**
   * The history as stored, with a file a crash left with a cut-short (or otherwise unreadable) line rewritten
   * to hold only the events before it — so that events appended by an execution that continues are read
   * back too.
   */
  async repairHistory(record: ExecutionRef): Promise<StoredEvent[]> {
    const { events, clean } = await this.readHistoryFile(record);
    if (!clean) {
      const path = `${this.executionBase(record)}.history.jsonl`;
      await atomicWrite(path, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    }
    return events;
  }

  private async readHistoryFile(record: ExecutionRef): Promise<{ events: StoredEvent[]; clean: boolean }> {
    const path = `${this.executionBase(record)}.history.jsonl`;
    await this.queue(path).flush();
    this.drop(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], clean: true };
      throw error;
    }
    const events: StoredEvent[] = [];
    const lines = text.split('\n');
    for (const [index, line] of lines.entries()) {
      if (line.trim() === '') continue;
      try {
        events.push(JSON.parse(line) as StoredEvent);
      } catch {
        // cut short by a crash: everything after it is lost too
        return { events, clean: false };
      }
      if (index === lines.length - 1) return { events, clean: false }; // no final newline
    }
    return { events, clean: true };
  }

  /** The execution's record as stored (after pending writes); `undefined` when there is none. */
  async readExecution(ref: ExecutionRef): Promise<ExecutionRecord | undefined> {
    const path = `${this.executionBase(ref)}.json`;
    await this.queue(path).flush();
    this.drop(path);
    return this.readRecordFile(path);
  }

  /** Once the execution's files are written, forgets their write queues (nothing is kept per execution). */
  async releaseExecution(ref: ExecutionRef): Promise<void> {
    await this.flushExecution(ref);
    const base = this.executionBase(ref);
    this.drop(`${base}.json`);
    this.drop(`${base}.history.jsonl`);
  }

  private drop(path: string): void {
    if (this.queues.get(path)?.idle) this.queues.delete(path);
  }

  async deleteExecution(record: ExecutionRef): Promise<void> {
    const base = this.executionBase(record);
    await this.releaseExecution(record);
    await rm(`${base}.json`, { force: true });
    await rm(`${base}.history.jsonl`, { force: true });
  }

  /** Waits until the execution's record and history are on disk. */
  async flushExecution(record: ExecutionRef): Promise<void> {
    const base = this.executionBase(record);
    await Promise.all([this.queue(`${base}.json`).flush(), this.queue(`${base}.history.jsonl`).flush()]);
  }

  /** Waits for every pending write. */
  async flush(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.flush()));
  }
}
