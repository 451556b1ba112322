/**
 * Map runs under the data directory, so nothing about a map run of 100,000 children has to stay in memory:
 *
 * ```
 * map-runs/<region>/<stateMachineName>/<mapRunId>/map-run.json     the record (atomic rewrite)
 * map-runs/<region>/<stateMachineName>/<mapRunId>/items.jsonl      one child input per line, in order
 * map-runs/<region>/<stateMachineName>/<mapRunId>/children.jsonl   a line when a child starts or ends
 * map-runs/<region>/<stateMachineName>/<mapRunId>/results/         the ResultWriter's files, before upload
 * ```
 *
 * The children themselves (records and histories) are ordinary executions kept by the execution store under
 * `map-run-executions/`.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, type Dirent, type WriteStream } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { JsonValue } from '../library.ts';
import { atomicWrite, fileName } from '../store.ts';
import type { ChildInput, ChildLine, MapRunRecord } from './model.ts';

type MapRunRef = Pick<MapRunRecord, 'region' | 'stateMachineName' | 'id'>;

/** Lines appended to one file, one write at a time, coalesced while a write is under way. */
class LineAppender {
  private pending: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(private readonly path: string) {}

  append(line: string): void {
    this.pending.push(line);
    if (this.pending.length > 1) return;
    this.chain = this.chain
      .then(async () => {
        const lines = this.pending.splice(0);
        await appendFile(this.path, `${lines.join('\n')}\n`, 'utf8');
      })
      .catch((error: unknown) => {
        this.failure = error;
      });
  }

  async flush(): Promise<void> {
    await this.chain;
    if (this.failure !== undefined) {
      const cause = this.failure;
      this.failure = undefined;
      throw new Error(`Could not write ${this.path}: ${String(cause)}`, { cause });
    }
  }
}

/** Streams lines into a new file, honouring backpressure. */
export class LineWriter {
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
  }

  async write(line: string): Promise<void> {
    if (!this.stream.write(`${line}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}

/** The lines of a file, in order (none when it does not exist). A line cut short by a crash is skipped. */
async function* jsonLines<T>(path: string): AsyncGenerator<T> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const missing = new Promise<boolean>((resolve) => {
    stream.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ENOENT'));
    stream.once('open', () => resolve(false));
  });
  if (await missing) return;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let parsed: T;
      try {
        parsed = JSON.parse(line) as T;
      } catch {
        continue;
      }
      yield parsed;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

export class MapRunStore {
  private readonly records = new Map<string, { text: string | undefined; chain: Promise<void> }>();
  private readonly logs = new Map<string, LineAppender>();

  constructor(private readonly dataDir: string) {}

  /** The map run's folder. */
  dir(ref: MapRunRef): string {
    return join(this.dataDir, 'map-runs', ref.region, fileName(ref.stateMachineName), fileName(ref.id));
  }

  /** Every map run kept (records only). */
  async loadAll(): Promise<MapRunRecord[]> {
    const root = join(this.dataDir, 'map-runs');
    const out: MapRunRecord[] = [];
    const list = async (dir: string): Promise<Dirent[]> => {
      try {
        return await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    };
    for (const region of await list(root)) {
      if (!region.isDirectory()) continue;
      for (const machine of await list(join(root, region.name))) {
        if (!machine.isDirectory()) continue;
        for (const run of await list(join(root, region.name, machine.name))) {
          if (!run.isDirectory()) continue;
          try {
            const path = join(root, region.name, machine.name, run.name, 'map-run.json');
            out.push(JSON.parse(await readFile(path, 'utf8')) as MapRunRecord);
          } catch {
            // A map run whose record was never written (a crash at its start) is not one to show.
          }
        }
      }
    }
    return out;
  }

  /** Schedules a rewrite of the record (coalesced: only the newest content is written). */
  save(record: MapRunRecord): void {
    const path = join(this.dir(record), 'map-run.json');
    let slot = this.records.get(path);
    if (!slot) {
      slot = { text: undefined, chain: Promise.resolve() };
      this.records.set(path, slot);
    }
    const scheduled = slot.text !== undefined;
    slot.text = JSON.stringify(record);
    if (scheduled) return;
    const current = slot;
    current.chain = current.chain
      .then(async () => {
        const text = current.text;
        current.text = undefined;
        if (text !== undefined) await atomicWrite(path, text);
      })
      .catch(() => undefined);
  }

  /** Waits until the record's pending rewrite and the children log are on disk. */
  async flush(record: MapRunRef): Promise<void> {
    const dir = this.dir(record);
    await this.records.get(join(dir, 'map-run.json'))?.chain;
    await this.logs.get(join(dir, 'children.jsonl'))?.flush();
  }

  /** Forgets the write queues of a map run that has ended (after {@link flush}). */
  async release(record: MapRunRef): Promise<void> {
    await this.flush(record);
    const dir = this.dir(record);
    this.records.delete(join(dir, 'map-run.json'));
    this.logs.delete(join(dir, 'children.jsonl'));
  }

  /** A writer of a fresh `items.jsonl` (the folder is created). */
  async itemsWriter(
    record: MapRunRef,
  ): Promise<{ write(input: ChildInput): Promise<void>; close(): Promise<void> }> {
    const dir = this.dir(record);
    await mkdir(dir, { recursive: true });
    const writer = new LineWriter(join(dir, 'items.jsonl'));
    return {
      write: (input) => writer.write(JSON.stringify({ n: input.items, input: input.input })),
      close: () => writer.close(),
    };
  }

  /** The children's inputs, in order. */
  async *items(record: MapRunRef): AsyncGenerator<ChildInput> {
    let index = 0;
    for await (const line of jsonLines<{ n: number; input: JsonValue }>(
      join(this.dir(record), 'items.jsonl'),
    )) {
      yield { index, items: line.n, input: line.input };
      index += 1;
    }
  }

  /** Appends a line to `children.jsonl`. */
  logChild(record: MapRunRef, line: ChildLine): void {
    const path = join(this.dir(record), 'children.jsonl');
    let log = this.logs.get(path);
    if (!log) {
      log = new LineAppender(path);
      this.logs.set(path, log);
    }
    log.append(JSON.stringify(line));
  }

  /** The lines of `children.jsonl` as written (after pending appends), with their line numbers. */
  async *children(record: MapRunRef): AsyncGenerator<{ readonly n: number; readonly line: ChildLine }> {
    await this.logs.get(join(this.dir(record), 'children.jsonl'))?.flush();
    let n = 0;
    for await (const line of jsonLines<ChildLine>(join(this.dir(record), 'children.jsonl'))) {
      yield { n, line };
      n += 1;
    }
  }

  /** A fresh folder for the result files. */
  async resultsDir(record: MapRunRef): Promise<string> {
    const dir = join(this.dir(record), 'results');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Removes the local copies of the result files once uploaded. */
  async dropResults(record: MapRunRef): Promise<void> {
    await rm(join(this.dir(record), 'results'), { recursive: true, force: true });
  }
}
