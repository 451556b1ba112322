/**
 * A hashing thread of the local S3: answers each {@link JobMessage} with the digest of its files
 * (./digest-files.ts), or the error that stopped it. Started by ./pool.ts through ./worker-entry.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { digestFilesSync } from './digest-files.ts';
import { type AnswerMessage, type JobMessage, toWireError } from './protocol.ts';

function answer(message: JobMessage): AnswerMessage {
  try {
    const result = digestFilesSync(message.job);
    return { id: message.id, ok: true, md5: result.md5, size: result.size, checksums: result.checksums };
  } catch (err) {
    return { id: message.id, ok: false, error: toWireError(err) };
  }
}

parentPort?.on('message', (message: JobMessage) => {
  parentPort?.postMessage(answer(message));
});
