/**
 * A service's state persisted as one JSON file under its data directory (the local CodeDeploy and the
 * local KMS keep theirs this way): replaced atomically (write a temporary file, then rename) after every
 * change; another process's changes are picked up by {@link JsonStateStore.refresh}, which re-reads the
 * file when it changed on disk since this process last read or wrote it. Concurrent writers in
 * different processes are last-writer-wins.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Raised when the state file exists but cannot be understood. */
export class CorruptStateError extends Error {
  override readonly name = 'CorruptStateError';
}

const FILE_NAME = 'state.json';
const FORMAT_VERSION = 1;

/** What a service's state file holds and how to recognise it. */
export interface StateShape<S> {
  /** The service, for messages (`CodeDeploy`, `KMS`). */
  readonly service: string;
  /** A fresh, empty state. */
  empty(): S;
  /** Whether a parsed file body is this service's state. */
  isState(value: unknown): value is S;
}

/** The persisted state with an in-memory copy that operations read and mutate synchronously. */
export class JsonStateStore<S> {
  private state: S;
  private readonly file: string;
  /** `mtimeMs:size:ino` of the file as this process last saw it. */
  private seen: string | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly shape: StateShape<S>,
  ) {
    this.file = join(dir, FILE_NAME);
    this.state = shape.empty();
  }

  /** Creates the directory and loads what an earlier process left. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.refresh();
  }

  /** The current state. Mutate it only between {@link refresh} and {@link save}, without awaiting. */
  get current(): S {
    return this.state;
  }

  /** Re-reads the file if it changed on disk since this process last read or wrote it. */
  async refresh(): Promise<void> {
    await this.writing;
    const signature = await this.signature();
    if (signature === this.seen) return;
    if (signature === undefined) {
      this.state = this.shape.empty();
      this.seen = undefined;
      return;
    }
    const text = await readFile(this.file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new CorruptStateError(`${this.file} is not valid JSON; delete it to start over`, { cause });
    }
    const body = (parsed as { state?: unknown } | null)?.state;
    if (!this.shape.isState(body)) {
      throw new CorruptStateError(
        `${this.file} does not hold ${this.shape.service} state; delete it to start over`,
      );
    }
    this.state = body;
    this.seen = signature;
  }

  /** Writes the current state atomically; writes are serialised in call order. */
  save(): Promise<void> {
    const text = JSON.stringify({ version: FORMAT_VERSION, state: this.state }, null, 1);
    const next = this.writing.then(async () => {
      const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, text, 'utf8');
        await rename(tmp, this.file);
      } catch (cause) {
        await rm(tmp, { force: true });
        throw cause;
      }
      this.seen = await this.signature();
    });
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** Waits for pending writes. */
  async close(): Promise<void> {
    await this.writing;
  }

  private async signature(): Promise<string | undefined> {
    try {
      const s = await stat(this.file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw cause;
    }
  }
}
