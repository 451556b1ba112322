/**
 * Persistence of the local KMS: one JSON file under the data directory, replaced atomically (write a
 * temporary file, then rename) after every change, and re-read when another process changed it — the
 * scheme of the local CodeDeploy's store.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KmsState } from './model.ts';

/** Raised when the state file exists but cannot be understood. */
export class CorruptKmsStateError extends Error {
  override readonly name = 'CorruptKmsStateError';
}

const FILE_NAME = 'state.json';
const FORMAT_VERSION = 1;

function emptyState(): KmsState {
  return { keys: [], aliases: [] };
}

function isState(value: unknown): value is KmsState {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.keys) && Array.isArray(v.aliases);
}

/** The persisted state with an in-memory copy that operations read and mutate synchronously. */
export class KmsStore {
  private state: KmsState = emptyState();
  private readonly file: string;
  /** `mtimeMs:size:ino` of the file as this process last saw it. */
  private seen: string | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {
    this.file = join(dir, FILE_NAME);
  }

  /** Creates the directory and loads what an earlier process left. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.refresh();
  }

  /** The current state. Mutate it only between {@link refresh} and {@link save}, without awaiting. */
  get current(): KmsState {
    return this.state;
  }

  /** Re-reads the file if it changed on disk since this process last read or wrote it. */
  async refresh(): Promise<void> {
    await this.writing;
    const signature = await this.signature();
    if (signature === this.seen) return;
    if (signature === undefined) {
      this.state = emptyState();
      this.seen = undefined;
      return;
    }
    const text = await readFile(this.file, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new CorruptKmsStateError(`${this.file} is not valid JSON; delete it to start over`, { cause });
    }
    const body = (parsed as { state?: unknown } | null)?.state;
    if (!isState(body)) {
      throw new CorruptKmsStateError(`${this.file} does not hold KMS state; delete it to start over`);
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
