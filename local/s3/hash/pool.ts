/**
 * A small pool of worker threads that digest (and copy) byte ranges of files, so that the local S3's
 * hashing — MD5 for every ETag, CRC64NVME/CRC32C in JavaScript — runs beside the event loop instead of on
 * it. One job runs on one thread from start to end (MD5 cannot be split), jobs run in parallel: the parts
 * of a multipart copy are independent jobs. Threads start on first use and do not keep the process alive
 * while idle.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DigestResult } from '../digest-stream.ts';
import type { DigestFilesJob } from './digest-files.ts';
import { type AnswerMessage, fromWireError, type JobMessage, toDigestResult } from './protocol.ts';

/** The worker script: a .mjs that registers tsx, then loads ./worker.ts. */
const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** Most threads a pool starts by default: parts of one copy rarely run more than this many at once. */
const MAX_DEFAULT_THREADS = 4;

/**
 * Raised when the pool cannot run a job at all (a thread failed to start or died): the caller digests on
 * its own thread instead. An error *of* the job (a missing file) is raised as itself.
 */
export class HashWorkerUnavailableError extends Error {
  override readonly name = 'HashWorkerUnavailableError';
}

interface Pending {
  readonly message: JobMessage;
  readonly resolve: (result: DigestResult) => void;
  readonly reject: (err: unknown) => void;
}

interface Thread {
  readonly worker: Worker;
  job: Pending | undefined;
}

/** Options of a {@link HashPool}. */
export interface HashPoolOptions {
  /** Threads to run. @default min(available parallelism, 4) */
  readonly threads?: number;
  /** The worker script. @default ./worker-entry.mjs */
  readonly entry?: URL;
}

/** Worker threads digesting files; see the module comment. */
export class HashPool {
  readonly #size: number;
  readonly #entry: URL;
  readonly #threads: Thread[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #broken: Error | undefined;

  constructor(options: HashPoolOptions = {}) {
    this.#size = Math.max(1, options.threads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS));
    this.#entry = options.entry ?? WORKER_ENTRY;
  }

  /**
   * Digests (and copies) `job` on a pool thread.
   * @throws HashWorkerUnavailableError when no thread can run it; the job's own error otherwise.
   */
  run(job: DigestFilesJob): Promise<DigestResult> {
    if (this.#broken) {
      return Promise.reject(
        new HashWorkerUnavailableError('the hashing threads are unavailable', { cause: this.#broken }),
      );
    }
    return new Promise<DigestResult>((resolve, reject) => {
      this.#queue.push({ message: { id: this.#nextId++, job }, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every thread; queued and running jobs fail with {@link HashWorkerUnavailableError}. */
  async close(): Promise<void> {
    const threads = [...this.#threads];
    this.#fail(new Error('the hash pool was closed'));
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#threads.find((t) => t.job === undefined) ?? this.#start();
      if (!thread) return;
      const pending = this.#queue.shift();
      if (!pending) return;
      thread.job = pending;
      thread.worker.ref();
      thread.worker.postMessage(pending.message);
    }
  }

  #start(): Thread | undefined {
    if (this.#threads.length >= this.#size || this.#broken) return undefined;
    const worker = new Worker(this.#entry);
    const thread: Thread = { worker, job: undefined };
    worker.unref();
    worker.on('message', (answer: AnswerMessage) => this.#answered(thread, answer));
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (this.#threads.includes(thread)) this.#fail(new Error(`a hashing thread exited with code ${code}`));
    });
    this.#threads.push(thread);
    return thread;
  }

  #answered(thread: Thread, answer: AnswerMessage): void {
    const pending = thread.job;
    if (!pending || pending.message.id !== answer.id) return;
    thread.job = undefined;
    thread.worker.unref();
    if (answer.ok) pending.resolve(toDigestResult(answer));
    else pending.reject(fromWireError(answer.error));
    this.#dispatch();
  }

  /** A thread failed: the pool stops offering work, and every job it holds goes back to its caller. */
  #fail(cause: Error): void {
    this.#broken ??= cause;
    const unavailable = new HashWorkerUnavailableError('the hashing threads are unavailable', { cause });
    for (const thread of this.#threads) {
      thread.job?.reject(unavailable);
      thread.job = undefined;
    }
    for (const pending of this.#queue.splice(0)) pending.reject(unavailable);
    const threads = this.#threads.splice(0);
    for (const thread of threads) void thread.worker.terminate();
  }
}

let shared: HashPool | undefined;

/** The process's pool, started on first use. */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}
